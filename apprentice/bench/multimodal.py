"""``bench multimodal``: every policy head on a task with two equally good routes.

The expert of ``apprentice/TwoRoutes-v0`` goes left or right of the obstacle at random per
episode (in the switching variant it changes its mind near the fork). BC from its demonstrations
with each head, with and without action chunks; each policy acts with sampled actions from the
evaluation seeds, and the suite reports success, collisions and how often each route is taken,
and draws the paths (``report/multimodal_plot.py``).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import jax
import numpy as np

from apprentice import experts
from apprentice.algorithms.bc.train import train as bc_train
from apprentice.algorithms.configs.bc import BCConfig
from apprentice.bench.configs import MultimodalBenchConfig
from apprentice.envs import Stream, collection_seed, env_spec, evaluation_seed
from apprentice.envs.two_routes import route_statistics
from apprentice.io_utils import atomic_write_text
from apprentice.policies import HeadOptions, Network, PolicyActor
from apprentice.policies.architecture import HeadKind
from apprentice.progress import progress_bar
from apprentice.report.multimodal_plot import plot_paths
from apprentice.rollout import rollout


def bc_config(config: MultimodalBenchConfig, head: HeadKind, chunk: int) -> BCConfig:
    """The BC this suite trains: MLP 256x256, ``head`` with its default options, chunks open loop."""
    return BCConfig(
        head=head,
        network=Network((256, 256)),
        head_options=HeadOptions(chunk=chunk),
        n_epochs=config.n_epochs,
        patience=0,
        validation_fraction=0.0,
        burn_in=0,
    )


def summarize(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mean and spread over seeds of each (env, head, chunk)."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault((row["env_id"], row["head"], row["chunk"]), []).append(row)
    summary = []
    for (env_id, head, chunk), runs in groups.items():
        entry: dict[str, Any] = {"env_id": env_id, "head": head, "chunk": chunk, "n_seeds": len(runs)}
        for key in ("success_rate", "collision_rate", "left_fraction", "right_fraction", "train_seconds"):
            values = np.array([r[key] for r in runs])
            entry[key], entry[f"{key}_std"] = float(values.mean()), float(values.std())
        summary.append(entry)
    return summary


def run_multimodal(config: MultimodalBenchConfig = MultimodalBenchConfig()) -> dict[str, Any]:
    """Train and evaluate every (env, head, chunk, seed); ``results.json`` after every run."""
    out = Path(config.out)
    rows: list[dict[str, Any]] = []
    paths: dict[str, dict[str, list[np.ndarray]]] = {}
    cells = [(e, h, c, s) for e in config.envs for h in config.heads for c in config.chunks for s in config.seeds]
    result: dict[str, Any] = {"config": asdict(config)}
    with progress_bar(len(cells), "bench multimodal") as bar:
        for env_id, head, chunk, seed in cells:
            demos = rollout(
                experts.load(env_id),
                env_id,
                n_episodes=config.n_demos,
                seed=collection_seed(seed, Stream.DEMONSTRATIONS),
            )
            start = time.perf_counter()
            policy = bc_train(
                jax.random.key(seed), bc_config(config, head, chunk), demos, env_spec(env_id), progress=False
            ).policy
            seconds = time.perf_counter() - start
            actor = PolicyActor(policy, jax.random.key(10**6 + seed), deterministic=False)
            episodes = rollout(actor, env_id, n_episodes=config.eval_episodes, seed=evaluation_seed())
            stats = route_statistics(episodes)
            rows.append(
                {"env_id": env_id, "head": head, "chunk": chunk, "seed": seed, "train_seconds": seconds, **stats}
            )
            if seed == config.seeds[0]:
                label = f"{head}" + (f", chunks of {chunk}" if chunk > 1 else "")
                paths.setdefault(env_id, {})[label] = [
                    np.asarray(t.observations)[:, :2] for t in episodes[: config.plot_paths]
                ]
            result.update(rows=rows, summary=summarize(rows))
            atomic_write_text(out / "results.json", json.dumps(result, indent=2) + "\n")
            bar.advance(env=env_id.split("/")[-1], head=head, chunk=chunk, seed=seed, success=stats["success_rate"])
    result["plots"] = [
        str(plot_paths(env_paths, out / f"paths_{env_id.split('/')[-1]}.png", env_id))
        for env_id, env_paths in paths.items()
    ]
    atomic_write_text(out / "results.json", json.dumps(result, indent=2) + "\n")
    return result
