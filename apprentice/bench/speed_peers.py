"""BC speed side by side with HumanCompatibleAI's ``imitation`` and a plain PyTorch loop.

The same data (random observations and actions), the same network (tanh MLP, Gaussian head),
batch size, optimizer (Adam) and learning rate in every contestant. ``apprentice`` trains in
this process (its first epoch, which compiles, is timed apart); the PyTorch contestants run as :mod:`~apprentice.bench.peers.torch_bc_worker` in
the peer venv, one subprocess per measurement (its start-up and one warm-up run are not timed).
Each round measures every contestant once, in turn, so slow spells of the shared machine fall on
all of them; the medians over rounds and their ratios are reported.

One difference remains in the network: ``apprentice``'s Gaussian head predicts the log-std per
state (a ``hidden -> 2 * action_dim`` output layer) where stable-baselines3's is a free
parameter (``hidden -> action_dim``): 768 more weights on 133k at the default sizes.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import equinox as eqx
import jax
import numpy as np
import optax

from apprentice.algorithms.bc.losses import LossSettings
from apprentice.algorithms.bc.train import EpochSettings, epoch_arrays, train_epoch
from apprentice.bench.configs import PEER_VARIANTS, PeerSpeedConfig
from apprentice.bench.peers.venv import PeerUnavailable, ensure_peer_venv
from apprentice.bench.speed import synthetic_bc_problem
from apprentice.policies.build import PolicyArchitecture, make_policy
from apprentice.progress import progress_bar

WORKER = Path(__file__).parent / "peers" / "torch_bc_worker.py"


def run_peer_speed(config: PeerSpeedConfig = PeerSpeedConfig()) -> dict:
    """Time every contestant; ``{"skipped": reason}`` when the peer venv cannot be built."""
    unknown = set(config.variants) - set(PEER_VARIANTS)
    if unknown:
        raise ValueError(f"variants: expected some of {PEER_VARIANTS}, got {sorted(unknown)}")
    try:
        python = ensure_peer_venv(config.venv)
    except PeerUnavailable as error:
        return {"skipped": str(error), "config": asdict(config)}
    steps = config.steps_per_epoch * config.epochs
    spec, data = synthetic_bc_problem(config.obs_dim, config.action_dim, config.steps_per_epoch * config.batch_size)
    ours = _ours(spec, data, config)
    contestants = [(v, t) for v in config.variants for t in config.torch_threads]
    walls: dict[str, list[float]] = {"apprentice": []}
    meta = {}
    with tempfile.TemporaryDirectory() as tmp, progress_bar(config.rounds, "BC speed, side by side") as bar:
        data_path = Path(tmp) / "data.npz"
        np.savez(data_path, obs=data.obs, acts=data.acts)
        start = time.perf_counter()
        ours(1)  # compile and warm up
        first_epoch = time.perf_counter() - start
        for round_ in range(config.rounds):
            start = time.perf_counter()
            ours(config.epochs)
            walls["apprentice"].append(time.perf_counter() - start)
            for variant, threads in contestants:
                run = _worker(python, variant, threads, data_path, steps, config, seed=round_)
                walls.setdefault(_name(variant, threads, run["threads"]), []).append(run["walls"][0])
                meta = {"torch": run["torch"], "imitation": run["imitation"]}
            bar.advance(1)
    reference = float(np.median(walls["apprentice"]))
    rows = [
        {"contestant": name, "seconds": float(np.median(times)), "steps_per_second": steps / float(np.median(times)),
         "time_ratio_to_apprentice": float(np.median(times)) / reference, "seconds_all": times}
        for name, times in walls.items()
    ]  # fmt: skip
    return {"config": asdict(config), "steps_timed": steps, "rows": rows, "apprentice_first_epoch_seconds": first_epoch,
            "versions": {**meta, "jax": jax.__version__}}  # fmt: skip


def _ours(spec, data, config: PeerSpeedConfig):
    """A function that trains ``apprentice``'s BC for ``n`` epochs (one jitted scan each)."""
    architecture = PolicyArchitecture(head="gaussian", hidden_sizes=config.hidden_sizes, activation="tanh")
    params, static = eqx.partition(make_policy(jax.random.key(0), spec, architecture), eqx.is_array)
    state = {"params": params, "opt": optax.adam(config.learning_rate).init(params), "key": jax.random.key(0)}
    settings = EpochSettings(LossSettings("gaussian_nll"), config.learning_rate, config.batch_size, len(data.obs))
    arrays = epoch_arrays(data, spec)

    def train_epochs(n: int) -> None:
        for _ in range(n):
            state["key"], key = jax.random.split(state["key"])
            state["params"], state["opt"], loss = train_epoch(
                state["params"], state["opt"], key, arrays, static, settings
            )
        loss.block_until_ready()

    return train_epochs


def _worker(
    python, variant: str, threads: int, data_path: Path, steps: int, config: PeerSpeedConfig, seed: int
) -> dict:
    argv = [str(python), str(WORKER), "--variant", variant, "--data", str(data_path), "--steps", str(steps),
            "--batch-size", str(config.batch_size), "--lr", str(config.learning_rate), "--threads", str(threads),
            "--seed", str(seed), "--hidden", *map(str, config.hidden_sizes)]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"peer worker {variant}: exit {done.returncode}: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _name(variant: str, threads_asked: int, threads_used: int) -> str:
    return (
        f"{variant} ({threads_used} thread{'s' if threads_used > 1 else ''}{', default' if threads_asked == 0 else ''})"
    )
