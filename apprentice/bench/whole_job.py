"""The speed a user feels: one BC job as a fresh process, from start-up to the written run.

Every run is a new process. ``apprentice`` runs ``apprentice train bc`` (its console entry,
through :data:`OUR_JOB`, which timestamps the phases) twice per round: **cold**, with an empty
compilation cache of its own, and **warm**, with a cache that an untimed run filled before the
first round. ``imitation`` runs :mod:`~apprentice.bench.peers.torch_bc_worker` with
``--repeats 0``: start-up, one BC training of the same number of gradient steps, exit. Each
round runs every contestant once, in a rotating order, so slow spells of the shared machine fall
on all of them; the medians over rounds and their ratios are reported.

Our wall time is split into: ``interpreter`` (Python's start before the first line of the job
and its exit after the last), ``imports`` (``apprentice.cli``, jax and the BC modules),
``setup_and_writing`` (reading the demonstrations and their recorded env spec, the policy's
initialization and the data's move to the device, which run small eager jax programs, the
compilation cache's set-up, and writing the run directory), ``compilation`` (the first epoch
less one steady epoch) and ``training`` (every epoch at the steady rate). No env is built and
no evaluation runs (``--eval-episodes 0``: imitation's side does not evaluate either).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from apprentice.bench.configs import WholeJobConfig
from apprentice.bench.peers.venv import PeerUnavailable, ensure_peer_venv
from apprentice.paths import CACHE_DIR_VARIABLE

PEER_WORKER = Path(__file__).parent / "peers" / "torch_bc_worker.py"

OUR_JOB = """
import json, sys, time
started = time.perf_counter()
import apprentice.cli, jax, apprentice.algorithms.bc, apprentice.runs
imported = time.perf_counter()
from apprentice.cli import main
code = main(sys.argv[1:])
print(json.dumps({"phase_seconds": {"imports": imported - started, "main": time.perf_counter() - imported}}))
sys.exit(code)
"""
"""The job as the console entry runs it, with the seconds of its imports and of the command."""


def run_whole_job(config: WholeJobConfig, workdir: str | os.PathLike | None = None) -> dict:
    """Time the job ``config.rounds`` times per contestant; the peer is left out (with the reason)
    when ``config.peer`` is false or its venv cannot be built."""
    peer_python, peer_skipped = None, "" if config.peer else "not asked (peer=False)"
    if config.peer:
        try:
            peer_python = ensure_peer_venv(config.venv)
        except PeerUnavailable as error:
            peer_skipped = str(error)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        work = Path(tmp)
        demos, n_samples = _record_demos(config, work)
        n_steps = config.n_epochs * -(-n_samples // config.batch_size)
        warm_cache = work / "warm-cache"
        _our_run(config, demos, work / "prime", warm_cache)  # fills the warm cache, not timed
        contestants = {
            "apprentice cold": lambda r: _our_run(config, demos, work / f"cold{r}", work / f"cold-cache{r}"),
            "apprentice warm": lambda r: _our_run(config, demos, work / f"warm{r}", warm_cache),
        }
        if peer_python is not None:
            peer_data = _peer_data(demos, work)
            contestants["imitation"] = lambda r: _peer_run(peer_python, config, peer_data, n_steps)
        runs: dict[str, list[dict]] = {name: [] for name in contestants}
        names = list(contestants)
        for r in range(config.rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                runs[name].append(contestants[name](r))
    return summarize(runs) | {
        "config": asdict(config),
        "n_samples": n_samples,
        "gradient_steps": n_steps,
        "peer_skipped": peer_skipped,
        "python": sys.version.split()[0],
    }


def summarize(runs: dict[str, list[dict]]) -> dict[str, Any]:
    """Per contestant the median wall time (and of each phase), each round's, and the ratio of
    imitation's median to it (``imitation_over``, when imitation ran)."""
    rows: dict[str, dict[str, Any]] = {}
    for name, done in runs.items():
        walls = [run["wall_seconds"] for run in done]
        phases = list(done[0].get("phases", {}))
        rows[name] = {
            "wall_seconds": float(np.median(walls)),
            "wall_seconds_all": walls,
            "phases": {key: float(np.median([run["phases"][key] for run in done])) for key in phases},
        }
    if "imitation" in rows:
        for row in rows.values():
            row["imitation_over"] = rows["imitation"]["wall_seconds"] / row["wall_seconds"]
    return {"contestants": rows}


def our_phases(wall: float, phase_seconds: dict[str, float], metrics: list[dict]) -> dict[str, float]:
    """Split our wall time by what :data:`OUR_JOB` and the run's ``metrics.jsonl`` record (see the module doc)."""
    seconds = [row["seconds"] for row in metrics]
    steady = (seconds[-1] - seconds[0]) / (len(seconds) - 1) if len(seconds) > 1 else 0.0
    compilation = max(seconds[0] - steady, 0.0)
    return {
        "interpreter": wall - phase_seconds["imports"] - phase_seconds["main"],
        "imports": phase_seconds["imports"],
        "setup_and_writing": phase_seconds["main"] - seconds[-1],
        "compilation": compilation,
        "training": seconds[-1] - compilation,
    }


def our_argv(config: WholeJobConfig, demos: Path, out: Path) -> list[str]:
    """``apprentice train bc`` arguments of the job."""
    return ["train", "bc", "--demos", str(demos), "--out", str(out), "--force", "--json",
            "--n-epochs", str(config.n_epochs), "--validation-fraction", "0", "--patience", "0",
            "--batch-size", str(config.batch_size), "--learning-rate", str(config.learning_rate),
            "--hidden-sizes", *map(str, config.hidden_sizes), "--eval-episodes", "0"]  # fmt: skip


def _our_run(config: WholeJobConfig, demos: Path, out: Path, cache: Path) -> dict:
    env = {**os.environ, CACHE_DIR_VARIABLE: str(cache)}
    env.pop("APPRENTICE_NO_COMPILE_CACHE", None)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", OUR_JOB, *our_argv(config, demos, out)], capture_output=True,
                          text=True, env=env)  # fmt: skip
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"apprentice train bc failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    phase_seconds = json.loads(done.stdout.strip().splitlines()[-1])["phase_seconds"]
    metrics = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines() if line.strip()]
    return {"wall_seconds": wall, "phases": our_phases(wall, phase_seconds, metrics)}


def _peer_run(python: Path, config: WholeJobConfig, data: Path, n_steps: int) -> dict:
    argv = [str(python), str(PEER_WORKER), "--variant", "imitation", "--data", str(data), "--repeats", "0",
            "--steps", str(n_steps), "--batch-size", str(config.batch_size), "--lr", str(config.learning_rate),
            "--hidden", *map(str, config.hidden_sizes), "--threads", str(config.peer_threads)]  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"imitation's BC failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    return {"wall_seconds": wall}


def _record_demos(config: WholeJobConfig, work: Path) -> tuple[Path, int]:
    """The expert's episodes as ``apprentice collect`` writes them, and their number of steps."""
    from apprentice.data import load_trajectories

    path = work / "demos.npz"
    argv = [sys.executable, "-m", "apprentice.cli", "collect", "--env", config.env,
            "--episodes", str(config.episodes), "--out", str(path)]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"apprentice collect failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    trajectories, _ = load_trajectories(path)
    return path, sum(len(t) for t in trajectories)


def _peer_data(demos: Path, work: Path) -> Path:
    """The demonstrations as the peer worker reads them: ``obs`` and ``acts``, float32."""
    from apprentice.data import flatten, load_trajectories

    data = flatten(load_trajectories(demos)[0])
    path = work / "peer-data.npz"
    np.savez(path, obs=data.obs.astype(np.float32), acts=data.acts.astype(np.float32))
    return path
