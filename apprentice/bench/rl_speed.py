"""``apprentice bench rl-speed``: PPO on CartPole-v1, pure-JAX backend against Gymnasium, in one run.

The same PPO config (same env steps, same updates) is trained on both backends, one after the
other in this process; the ratio of their env-steps/s is the number to quote, since a bare time
moves with the load of a shared machine. The JAX run is timed twice: the first call (compiling
included: what a user waits for) and, separately, compile and run. Returns are measured on the
Gymnasium env in every case. A vmapped run over several seeds shows what one jit buys more.
"""

from __future__ import annotations

import time

import equinox as eqx
import jax
import numpy as np

from apprentice.algorithms.rl.ppo import train as train_ppo
from apprentice.algorithms.rl.ppo_core import PPOConfig
from apprentice.algorithms.rl.ppo_jax import make_train
from apprentice.bench.configs import RLSpeedConfig
from apprentice.envs.jax_envs import make_jax_env, scan_rollout
from apprentice.envs.seeds import evaluation_seed
from apprentice.evaluation import evaluate
from apprentice.rollout import RandomActor, make_vector_steps


def run_rl_speed(config: RLSpeedConfig = RLSpeedConfig()) -> dict:
    """Time PPO on both backends and the bare env step rates; returns one JSON-able dict."""
    ppo_config = PPOConfig(total_steps=config.total_steps)
    env_steps = ppo_config.n_iterations * ppo_config.n_envs * ppo_config.n_steps
    score = lambda policy: evaluate(policy, config.env, config.eval_episodes, seed=evaluation_seed()).mean_return  # noqa: E731

    env = make_jax_env(config.env)
    run, static = make_train(ppo_config, env)
    start = time.perf_counter()
    compiled = jax.jit(run).lower(jax.random.key(0)).compile()
    compile_seconds = time.perf_counter() - start
    start = time.perf_counter()
    params, metrics = compiled(jax.random.key(0))
    jax.block_until_ready(params)
    jax_seconds = time.perf_counter() - start
    jax_return = score(eqx.combine(params, static).policy)

    start = time.perf_counter()
    gym_result = train_ppo(
        jax.random.key(0),
        PPOConfig(total_steps=config.total_steps, backend="gymnasium", eval_episodes=1),
        config.env,
        progress=False,
    )
    gym_seconds = time.perf_counter() - start
    gym_return = score(gym_result.policy)

    result = {
        "env_id": config.env,
        "ppo_env_steps": env_steps,
        "jax_compile_seconds": round(compile_seconds, 2),
        "jax_run_seconds": round(jax_seconds, 2),
        "jax_wall_seconds": round(compile_seconds + jax_seconds, 2),
        "jax_eval_return": jax_return,
        "jax_ppo_steps_per_s": round(env_steps / jax_seconds),
        "gymnasium_seconds": round(gym_seconds, 2),
        "gymnasium_eval_return": gym_return,
        "gymnasium_ppo_steps_per_s": round(env_steps / gym_seconds),
        "ppo_speedup": round(gym_seconds / jax_seconds, 2),
        "jax_train_return_curve": np.nan_to_num(np.asarray(metrics["train_return"]), nan=0.0).tolist(),  # 0: none yet
        "gymnasium_train_return_curve": [
            row["train_return"] or 0.0 for row in gym_result.metrics
        ],  # 0: none finished yet
    }
    if config.n_seeds:
        result.update(_vmapped_seeds(run, static, config, env_steps, score))
    result.update(_env_only_rates(config))
    return result


def _vmapped_seeds(run, static, config: RLSpeedConfig, env_steps: int, score) -> dict:
    keys = jax.random.split(jax.random.key(1), config.n_seeds)
    start = time.perf_counter()
    params, _ = jax.jit(jax.vmap(run))(keys)
    jax.block_until_ready(params)
    seconds = time.perf_counter() - start
    returns = [score(eqx.combine(jax.tree.map(lambda x: x[i], params), static).policy) for i in range(config.n_seeds)]  # noqa: B023 (called in this iteration)
    return {
        "vmapped_seeds": config.n_seeds,
        "vmapped_wall_seconds": round(seconds, 2),
        "vmapped_eval_returns": returns,
        "vmapped_steps_per_s": round(config.n_seeds * env_steps / seconds),
    }


def _env_only_rates(config: RLSpeedConfig) -> dict:
    """Random actions only: 1024 JAX envs in one scan against 8 Gymnasium envs stepped from the host."""
    env = make_jax_env(config.env)
    n_envs = 1024
    n_steps = max(1, config.env_only_steps // n_envs)
    n_actions = env.spec.n_actions
    if n_actions is None:
        raise ValueError(f"{config.env}: the env-only rates draw discrete random actions; expected a discrete env")
    act = lambda key, obs: jax.random.randint(key, (obs.shape[0],), 0, n_actions)  # noqa: E731
    scan = jax.jit(lambda key: scan_rollout(act, env, key, n_envs, n_steps)[1]["rewards"].sum())
    scan(jax.random.key(0)).block_until_ready()
    start = time.perf_counter()
    scan(jax.random.key(1)).block_until_ready()
    jax_rate = n_envs * n_steps / (time.perf_counter() - start)

    steps = make_vector_steps("gymnasium", config.env, 8, seed=0)
    actor = RandomActor(env.spec, seed=0)
    obs = steps.reset()
    n_gym = 20_000 // 8
    start = time.perf_counter()
    for _ in range(n_gym):
        obs = steps.step(actor(obs))[0]
    gym_rate = 8 * n_gym / (time.perf_counter() - start)
    steps.close()
    return {
        "env_only_jax_steps_per_s": round(jax_rate),
        "env_only_gymnasium_steps_per_s": round(gym_rate),
        "env_only_speedup": round(jax_rate / gym_rate, 1),
    }
