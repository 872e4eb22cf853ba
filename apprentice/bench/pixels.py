"""``apprentice bench pixels``: behavior cloning from 64x64 frames of ``apprentice/PixelCartPole-v1``.

The learner sees rendered frames, the privileged expert acts on the state. What makes this
hard is measured, not assumed: the expert holds the pole within about 0.006 rad of upright, so
the frames of its own demonstrations barely differ, and its bang-bang labels switch on motions
of a fraction of a pixel. The suite therefore also records demonstrations with the expert's
actions perturbed (``noise``: with that probability a random action is executed, the label stays
the expert's, as DART does), which spreads the states the frames show.

Reports, per (noise, seed): the mean return over ``eval_episodes`` evaluation episodes, the
final training loss, gradient steps per second of the Nature CNN at ``speed_batch_size`` (a
separate short run, epochs after the first, so compilation is excluded) and the bytes each stored
frame takes in the training arrays (``uint8``: ``64 * 64 * 3``).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path

import jax

from apprentice import experts
from apprentice.algorithms.bc.train import train as bc_train
from apprentice.algorithms.configs.bc import BCConfig
from apprentice.algorithms.dagger.dart import noise_injected_demonstrations
from apprentice.bench.configs import PixelsBenchConfig
from apprentice.data.trajectory import Trajectory
from apprentice.envs import Stream, collection_seed, env_spec, evaluation_seed
from apprentice.evaluation import evaluate
from apprentice.io_utils import atomic_write_text
from apprentice.policies.architecture import Network
from apprentice.progress import progress_bar
from apprentice.rollout import rollout


def demonstrations(config: PixelsBenchConfig, noise: float, seed: int) -> list[Trajectory]:
    """``n_demos`` episodes of the expert, with ``noise`` executed; the actions stored are its labels."""
    expert = experts.load(config.env_id)
    seed = collection_seed(seed, Stream.DEMONSTRATIONS)
    if noise == 0:
        return rollout(expert, config.env_id, n_episodes=config.n_demos, seed=seed)
    return noise_injected_demonstrations(expert, config.env_id, noise, config.n_demos, seed)


def bc_config(config: PixelsBenchConfig, **changes) -> BCConfig:
    fields = dict(
        network=Network(hidden_sizes=(256,), encoder="cnn", frame_stack=config.frame_stack),
        n_epochs=config.n_epochs,
        batch_size=config.batch_size,
        learning_rate=config.learning_rate,
        sequence_length=32,
        burn_in=8,
        patience=0,
        validation_fraction=0.0,
    )
    return BCConfig(**{**fields, **changes})


def measure_speed(config: PixelsBenchConfig, demos: list[Trajectory]) -> dict:
    """Gradient steps/s of BC at ``speed_batch_size`` over epochs 2 and 3 (epoch 1 compiles)."""
    spec = env_spec(config.env_id)
    result = bc_train(
        jax.random.key(0),
        bc_config(config, n_epochs=3, batch_size=config.speed_batch_size),
        demos,
        spec,
        progress=False,
    )
    rows = result.metrics
    steps = rows[-1]["gradient_steps"] - rows[0]["gradient_steps"]
    frame = demos[0].observations[0]
    return {
        "batch_size": config.speed_batch_size,
        "steps_per_second": steps / (rows[-1]["seconds"] - rows[0]["seconds"]),
        "bytes_per_frame": int(frame.nbytes),
        "frame_dtype": str(frame.dtype),
        "frame_shape": list(frame.shape),
    }


def run_pixels(config: PixelsBenchConfig = PixelsBenchConfig()) -> dict:
    """Every (noise, seed) run, then the speed measurement; writes ``out/results.json``."""
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    spec = env_spec(config.env_id)
    rows: list[dict] = []
    start = time.perf_counter()
    speed: dict = {}
    with progress_bar(len(config.noises) * len(config.seeds) + 1, f"pixels bench {config.env_id}") as bar:
        for noise in config.noises:
            for seed in config.seeds:
                demos = demonstrations(config, noise, seed)
                result = bc_train(jax.random.key(seed), bc_config(config), demos, spec, progress=False)
                evaluation = evaluate(result.policy, config.env_id, config.eval_episodes, evaluation_seed())
                rows.append(
                    {
                        "noise": noise,
                        "seed": seed,
                        "mean_return": evaluation.mean_return,
                        "std_return": evaluation.std_return,
                        "train_loss": result.metrics[-1]["train_loss"],
                        "seconds": result.metrics[-1]["seconds"],
                    }
                )
                bar.advance(1, last=f"noise {noise}: {evaluation.mean_return:.0f}")
                _write(out, config, rows, speed, start)
        speed = measure_speed(config, demos)  # the last run's demonstrations: the speed does not depend on them
        bar.advance(1)
    return _write(out, config, rows, speed, start)


def _write(out: Path, config: PixelsBenchConfig, rows: list[dict], speed: dict, start: float) -> dict:
    payload = {
        "config": asdict(config),
        "rows": rows,
        "speed": speed,
        "seconds": time.perf_counter() - start,
        "out": str(out),
    }
    atomic_write_text(out / "results.json", json.dumps(payload, indent=2) + "\n")
    return payload
