"""``apprentice bench irl-speed``: wall-clock of GAIL (or AIRL) on CartPole-v1 from one expert
episode, on the pure-JAX backend and on Gymnasium, in one process.

Each seed runs on the JAX backend as a user would call it (``adversarial.train``: compiling
included, no warm-up), then the same configuration runs on the Gymnasium backend; last, seed 0's
JAX run is split into XLA compilation and the compiled run. Every
final policy is scored on the Gymnasium env (deterministic actions, from ``evaluation_seed()``), normalized so
that the random policy is 0 and the expert 1.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Literal

import jax

from apprentice import experts
from apprentice.algorithms.irl.adversarial import adversarial_learner, train
from apprentice.algorithms.rl.ppo_jax import make_run
from apprentice.bench.configs import IRLSpeedConfig
from apprentice.bench.irl import adversarial_config
from apprentice.envs import Stream, collection_seed, env_spec, evaluation_seed
from apprentice.envs.jax_envs import make_jax_env
from apprentice.rollout import rollout


def run_irl_speed(config: IRLSpeedConfig = IRLSpeedConfig()) -> dict:
    """Time the runs; returns one JSON-able dict with a row per run."""
    if config.method not in ("GAIL", "AIRL"):
        raise ValueError(f"method: expected 'GAIL' or 'AIRL', got {config.method!r}")
    expert = experts.load(config.env)
    demos = rollout(expert, config.env, n_episodes=config.n_demos, seed=collection_seed(0, Stream.DEMONSTRATIONS))
    base = adversarial_config(config.method, config.env, config.total_steps)
    rows = []
    runs: tuple[tuple[Literal["jax", "gymnasium"], tuple[int, ...]], ...] = (
        ("jax", config.seeds),
        ("gymnasium", config.gymnasium_seeds),
    )
    for backend, seeds in runs:
        run_config = dataclasses.replace(
            base,
            ppo=dataclasses.replace(
                base.ppo, backend=backend, eval_episodes=config.eval_episodes, eval_seed=evaluation_seed()
            ),
        )
        for seed in seeds:
            start = time.perf_counter()
            result = train(jax.random.key(seed), run_config, config.env, demos, progress=False)
            seconds = time.perf_counter() - start
            final = result.rl.metrics[-1]
            score = expert.normalized_score(final["eval_return"])
            rows.append(
                {
                    "backend": backend,
                    "seed": seed,
                    "env_steps": final["env_steps"],
                    "wall_seconds_with_compile": round(seconds, 1),
                    "eval_return": final["eval_return"],
                    "normalized_score": round(score, 3),
                }
            )
    compile_seconds, run_seconds = _jax_compile_and_run_seconds(base, config.env, demos)
    return {
        "env_id": config.env,
        "method": config.method,
        "n_demos": config.n_demos,
        "total_steps": base.ppo.total_steps,
        "reward": base.reward,
        "runs": rows,
        "jax_compile_seconds": round(compile_seconds, 3),
        "jax_run_seconds": round(run_seconds, 3),
    }


def _jax_compile_and_run_seconds(config, env_id: str, demos) -> tuple[float, float]:
    """The pure-JAX run of seed 0 split into XLA compilation and the compiled run."""
    learner, _ = adversarial_learner(config, env_spec(env_id), demos)
    run = make_run(config.ppo, make_jax_env(env_id), learner)
    start = time.perf_counter()
    compiled = jax.jit(run).lower(jax.random.key(0)).compile()
    compile_seconds = time.perf_counter() - start
    start = time.perf_counter()
    jax.block_until_ready(compiled(jax.random.key(0)))
    return compile_seconds, time.perf_counter() - start
