"""``apprentice bench irl-speed``: wall-clock of GAIL (or AIRL) on CartPole-v1 from one expert
episode, on the pure-JAX backend and on Gymnasium, in one process.

Each seed runs on the JAX backend as a user would call it (``adversarial.train``: compiling
included, no warm-up), then the same configuration runs once on the Gymnasium backend. Every
final policy is scored on the Gymnasium env (deterministic actions, seed 1000), normalized so
that the random policy is 0 and the expert 1.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import jax

from apprentice import experts
from apprentice.algorithms.irl.adversarial import train
from apprentice.bench.irl import adversarial_config
from apprentice.rollout import rollout


@dataclass(frozen=True)
class IRLSpeedConfig:
    """What the adversarial wall-clock benchmark runs."""

    env: str = "CartPole-v1"
    """An env id with settings in ``apprentice.bench.irl.ENV_SETTINGS`` and a pure-JAX twin."""
    method: str = "GAIL"
    """GAIL or AIRL."""
    n_demos: int = 1
    """Expert episodes (all steps kept)."""
    seeds: tuple[int, ...] = (0, 1, 2)
    """Seeds of the JAX-backend runs."""
    gymnasium_seeds: tuple[int, ...] = (0,)
    """Seeds of the Gymnasium-backend runs (empty to skip)."""
    eval_episodes: int = 20
    """Evaluation episodes of each final policy."""


def run_irl_speed(config: IRLSpeedConfig = IRLSpeedConfig()) -> dict:
    """Time the runs; returns one JSON-able dict with a row per run."""
    if config.method not in ("GAIL", "AIRL"):
        raise ValueError(f"method: expected 'GAIL' or 'AIRL', got {config.method!r}")
    expert = experts.load(config.env)
    demos = rollout(expert, config.env, n_episodes=config.n_demos, seed=0)
    base = adversarial_config(config.method, config.env)
    rows = []
    for backend, seeds in (("jax", config.seeds), ("gymnasium", config.gymnasium_seeds)):
        run_config = dataclasses.replace(base, ppo=dataclasses.replace(
            base.ppo, backend=backend, eval_episodes=config.eval_episodes, eval_seed=1000))
        for seed in seeds:
            start = time.perf_counter()
            result = train(jax.random.key(seed), run_config, config.env, demos, progress=False)
            seconds = time.perf_counter() - start
            final = result.rl.metrics[-1]
            score = ((final["eval_return"] - expert.stats.random_mean_return)
                     / (expert.stats.mean_return - expert.stats.random_mean_return))
            rows.append({"backend": backend, "seed": seed, "env_steps": final["env_steps"],
                         "wall_seconds_with_compile": round(seconds, 1), "eval_return": final["eval_return"],
                         "normalized_score": round(score, 3)})
    return {"env_id": config.env, "method": config.method, "n_demos": config.n_demos,
            "total_steps": base.ppo.total_steps, "reward": base.reward, "runs": rows}
