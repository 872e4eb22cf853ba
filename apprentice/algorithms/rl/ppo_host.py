"""PPO on Gymnasium vector envs: env steps on the host, each iteration's learning in one jitted call."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import equinox as eqx
import jax
import numpy as np
from jaxtyping import PRNGKeyArray

from apprentice.algorithms.rl.common import EpisodeTracker, RLResult, training_env_seed
from apprentice.algorithms.rl.evaluation import mean_policy_return
from apprentice.algorithms.rl.ppo_core import OnPolicyLearner, PPOConfig, policy_step
from apprentice.envs.make import env_spec
from apprentice.envs.spec import executed_actions
from apprentice.progress import progress_bar
from apprentice.rollout import make_vector_steps


def run_learner_on_gymnasium(
    key: PRNGKeyArray,
    config: PPOConfig,
    env_id: str,
    learner: OnPolicyLearner,
    title: str,
    *,
    progress: bool = True,
    on_evaluation: Callable[[RLResult], None] | None = None,
    env_kwargs: dict[str, Any] | None = None,
) -> RLResult:
    """Run an on-policy ``learner``: env steps on the host, each iteration's learning in one jitted call."""
    spec = env_spec(env_id, **(env_kwargs or {}))
    init_key, seed_key, loop_key = jax.random.split(key, 3)
    state = learner.init(init_key)
    static = learner.static
    stateful = learner.architecture.stateful
    if stateful:
        act = jax.jit(lambda p, k, s, o, r: recurrent_step(eqx.combine(p, static), k, s, o, r))
    else:
        act = jax.jit(lambda p, k, o: policy_step(eqx.combine(p, static), k, o))
    learn = jax.jit(learner.learn)

    seed = training_env_seed(seed_key, config.n_envs)
    envs = make_vector_steps("gymnasium", env_id, config.n_envs, seed, env_kwargs)
    tracker = EpisodeTracker(config.n_envs)
    result = RLResult(
        policy=eqx.combine(learner.agent_params(state), static).policy, architecture=learner.architecture, spec=spec
    )
    steps_per_iteration = config.n_envs * config.n_steps
    total_steps = config.n_iterations * steps_per_iteration
    eval_every = config.eval_every or total_steps
    next_eval, env_steps, start = eval_every, 0, time.perf_counter()
    try:
        obs = envs.reset()
        memory = (
            (
                eqx.combine(learner.agent_params(state), static).initial_states(config.n_envs),
                np.ones(config.n_envs, bool),
            )
            if stateful
            else None
        )
        with progress_bar(config.n_iterations * steps_per_iteration, f"{title} {env_id}", enabled=progress) as bar:
            for _ in range(config.n_iterations):
                loop_key, rollout_key, learn_key = jax.random.split(loop_key, 3)
                params = learner.agent_params(state)
                rollout, obs, memory = collect(envs, act, params, rollout_key, obs, config.n_steps, memory)
                state, metrics, used_rewards = learn(state, rollout, learn_key)
                learned = np.asarray(used_rewards)
                for t in range(config.n_steps):
                    tracker.step(rollout["rewards"][t], learned[t], rollout["ended"][t] > 0)
                env_steps += steps_per_iteration
                seconds = time.perf_counter() - start
                row = {
                    "env_steps": env_steps,
                    "seconds": round(seconds, 2),
                    "train_return": tracker.mean_true_return(),
                    "learned_return": tracker.mean_learned_return(),
                    **{k: float(v) for k, v in metrics.items()},
                }
                shown = {"return": row["train_return"], "steps/s": env_steps / seconds}
                bar.advance(steps_per_iteration, **{k: round(v, 1) for k, v in shown.items() if v is not None})
                if env_steps < next_eval and env_steps < total_steps:  # the final policy is always evaluated
                    result.metrics.append(row)
                    continue
                next_eval += eval_every
                policy = eqx.combine(learner.agent_params(state), static).policy
                row["eval_return"] = mean_policy_return(
                    policy, env_id, config.eval_episodes, config.eval_seed, env_kwargs
                )
                result.record_evaluation(policy, row, env_steps, seconds)
                result.learner_state = state
                if on_evaluation is not None:
                    on_evaluation(result)
    finally:
        envs.close()
    return result


def recurrent_step(agent, key, states, obs, starts):
    """A batch of env copies' steps of a recurrent agent: ``(states, actions, log_probs, values)``."""
    return jax.vmap(agent.act)(jax.random.split(key, obs.shape[0]), states, obs, starts)


def collect(envs, act, params, key, obs, n_steps, memory=None):
    """``n_steps`` steps of every env copy: a time-major rollout (the sampled ``actions`` and the
    ``executed_actions`` sent to the env), the observation to continue from, and the memory.

    A stateful agent gets ``memory = (agent states, episode starts)``, carried across rollouts;
    its rollout also holds ``starts`` and the states before the first step (``initial_state``).
    A memoryless one gets and returns ``None``."""
    names = ["obs", "actions", "executed_actions", "log_probs", "values", "rewards", "next_obs", "terminated", "ended"]
    columns: dict[str, list] = {name: [] for name in [*names, *(["starts"] if memory is not None else [])]}
    initial_state = None if memory is None else memory[0]
    for step_key in jax.random.split(key, n_steps):
        if memory is None:
            outputs = act(params, step_key, obs.astype(np.float32))
        else:
            states, starts = memory
            columns["starts"].append(starts)
            states, *outputs = act(params, step_key, states, obs.astype(np.float32), starts)
        actions, log_probs, values = (np.asarray(x) for x in outputs)
        executed = executed_actions(envs.spec, actions)
        next_obs, rewards, terminated, truncated, final_obs = envs.step(executed)
        ended = terminated | truncated
        step = (obs, actions, executed, log_probs, values, rewards, final_obs, terminated, ended)
        for name, value in zip(names, step):
            columns[name].append(value)
        obs = next_obs
        if memory is not None:
            memory = (states, ended)
    rollout: dict[str, Any] = {name: np.stack(values) for name, values in columns.items()}
    for name in ("obs", "next_obs", "rewards", "terminated", "ended"):
        rollout[name] = rollout[name].astype(np.float32)
    if memory is not None:
        rollout["initial_state"] = initial_state
    return rollout, obs, memory
