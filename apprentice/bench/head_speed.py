"""``bench head-speed``: what acting costs with each policy head (actions per second, compiled).

A head that generates its action by integration (diffusion walks back every noise level, flow
takes its Euler steps) calls its denoiser that many times per action; this measures the price
beside the one-pass heads, at batch 1 (one env stepping) and at a large batch (many envs).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp

from apprentice.bench.configs import HeadSpeedConfig
from apprentice.envs.spec import EnvSpec
from apprentice.io_utils import atomic_write_text
from apprentice.policies import Network, make_policy
from apprentice.policies.architecture import HeadOptions
from apprentice.progress import progress_bar


def actions_per_second(policy, batch_size: int, obs_dim: int, min_seconds: float) -> float:
    """Sampled actions per second of the jitted batched ``act`` (compiled before timing)."""
    act = jax.jit(jax.vmap(policy.act))
    obs = jnp.zeros((batch_size, obs_dim))
    keys = jax.random.split(jax.random.key(0), batch_size)
    act(keys, obs).block_until_ready()
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < min_seconds:
        act(keys, obs).block_until_ready()
        calls += 1
    return calls * batch_size / elapsed


def run_head_speed(config: HeadSpeedConfig = HeadSpeedConfig()) -> dict[str, Any]:
    """Actions/s per head and batch size; ``results.json`` in ``config.out``."""
    d = config.action_dim
    spec = EnvSpec.for_box(
        (config.obs_dim,), action_kind="continuous", action_shape=(d,), action_low=(-1.0,) * d, action_high=(1.0,) * d
    )
    rows = []
    cells = [(head, batch) for head in config.heads for batch in config.batch_sizes]
    with progress_bar(len(cells), "head speed") as bar:
        for head, batch in cells:
            policy = make_policy(jax.random.key(0), spec, Network().with_head(head, HeadOptions()))
            rate = actions_per_second(policy, batch, config.obs_dim, config.min_seconds)
            rows.append({"head": head, "batch_size": batch, "actions_per_second": rate})
            bar.advance(head=head, batch=batch)
    result = {
        "config": asdict(config),
        "head_options": asdict(HeadOptions()),
        "rows": rows,
        "device": str(jax.devices()[0]),
    }
    atomic_write_text(Path(config.out) / "results.json", json.dumps(result, indent=2) + "\n")
    return result
