"""PPO on pure-JAX envs: rollouts, GAE and updates of a whole run in one jitted, vmappable function.

As in purejaxrl (Lu et al. 2022), the env is stepped inside ``lax.scan``, so nothing returns to
the host until the run is over; ``jax.vmap`` of the run over keys trains several seeds at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import PRNGKeyArray

from apprentice.algorithms.rl.common import RewardFn, RLResult
from apprentice.algorithms.rl.evaluation import mean_policy_return
from apprentice.algorithms.rl.ppo_core import (
    OnPolicyLearner,
    PPOConfig,
    policy_step,
    ppo_learner,
)
from apprentice.envs.jax_envs import JaxEnv
from apprentice.envs.spec import executed_actions
from apprentice.progress import progress_bar


def make_run(
    config: PPOConfig, env: JaxEnv, learner: OnPolicyLearner, on_iteration: Callable[[Any], None] | None = None
) -> Callable:
    """``run(key, *init_args) -> (learner_state, metrics)``: a whole on-policy run of ``learner`` in one
    pure function (``init_args`` go to ``learner.init`` after its key).

    Each iteration collects ``n_steps`` steps of ``n_envs`` env copies inside ``lax.scan`` and
    hands the time-major rollout to ``learner.learn``. ``metrics`` has one row per iteration
    (``train_return``: mean over env copies of the true return of each copy's latest finished
    episode, NaN until one has finished). ``on_iteration(iteration)`` is called from inside the
    run (a host callback) for progress.
    """
    spec, static, n_envs = env.spec, learner.static, config.n_envs

    def rollout_step(carry, step_key):
        params, env_states, obs, episode_returns, last_returns = carry
        act_key, env_key = jax.random.split(step_key)
        actions, log_probs, values = policy_step(eqx.combine(params, static), act_key, obs)
        executed = executed_actions(spec, actions)
        step = jax.vmap(env.step)(jax.random.split(env_key, n_envs), env_states, executed)
        ended = step.terminated | step.truncated
        episode_returns = episode_returns + step.reward
        transition = {
            "obs": obs,
            "actions": actions,
            "executed_actions": executed,
            "log_probs": log_probs,
            "values": values,
            "rewards": step.reward,
            "next_obs": step.final_obs,
            "terminated": step.terminated.astype(jnp.float32),
            "ended": ended.astype(jnp.float32),
        }
        last_returns = jnp.where(ended, episode_returns, last_returns)
        return (params, step.state, step.obs, jnp.where(ended, 0.0, episode_returns), last_returns), transition

    def iteration(carry, inputs):
        state, env_states, obs, episode_returns, last_returns = carry
        iteration_index, iteration_key = inputs
        rollout_key, learn_key = jax.random.split(iteration_key)
        (_, env_states, obs, episode_returns, last_returns), rollout = jax.lax.scan(
            rollout_step,
            (learner.agent_params(state), env_states, obs, episode_returns, last_returns),
            jax.random.split(rollout_key, config.n_steps),
        )
        state, metrics, _ = learner.learn(state, rollout, learn_key)
        metrics["train_return"] = jnp.nanmean(last_returns)
        if on_iteration is not None:
            jax.debug.callback(on_iteration, iteration_index)
        return (state, env_states, obs, episode_returns, last_returns), metrics

    def run(key: PRNGKeyArray, *init_args):
        init_key, reset_key, loop_key = jax.random.split(key, 3)
        obs, env_states = jax.vmap(env.reset)(jax.random.split(reset_key, n_envs))
        carry = (learner.init(init_key, *init_args), env_states, obs, jnp.zeros(n_envs), jnp.full(n_envs, jnp.nan))
        inputs = (jnp.arange(config.n_iterations), jax.random.split(loop_key, config.n_iterations))
        (state, *_), metrics = jax.lax.scan(iteration, carry, inputs)
        return state, metrics

    return run


def make_train(
    config: PPOConfig, env: JaxEnv, reward_fn: RewardFn | None = None, on_iteration: Callable[[Any], None] | None = None
) -> tuple[Callable, Any]:
    """``(run, static)``: ``run(key) -> (params, metrics)`` is the whole PPO run (see :func:`make_run`).

    ``run`` is pure: jit it, or ``jax.vmap`` it over keys for several seeds;
    ``eqx.combine(params, static)`` is the trained :class:`ActorCritic`.
    """
    learner = ppo_learner(config, env.spec, reward_fn)
    run_learner = make_run(config, env, learner, on_iteration)

    def run(key: PRNGKeyArray):
        state, metrics = run_learner(key)
        return learner.agent_params(state), metrics

    return run, learner.static


def run_learner_on_jax(
    key: PRNGKeyArray,
    config: PPOConfig,
    env: JaxEnv,
    learner: OnPolicyLearner,
    title: str,
    *,
    progress: bool = True,
    on_evaluation: Callable[[RLResult], None] | None = None,
) -> RLResult:
    """Run ``learner`` with the whole run jitted; the final policy is evaluated on the Gymnasium env."""
    _require_final_evaluation_only(config)
    steps_per_iteration = config.n_envs * config.n_steps
    with progress_bar(
        config.n_iterations * steps_per_iteration, f"{title} {env.env_id} (jax)", enabled=progress
    ) as bar:
        run = make_run(config, env, learner, (lambda _: bar.advance(steps_per_iteration)) if progress else None)
        start = time.perf_counter()
        state, metrics = jax.jit(run)(key)
        jax.block_until_ready(state)
        seconds = time.perf_counter() - start
    result = _final_result(state, jax.tree.map(np.asarray, metrics), seconds, config, env, learner)
    if on_evaluation is not None:
        on_evaluation(result)
    return result


def run_learner_seeds_on_jax(
    keys: PRNGKeyArray,
    config: PPOConfig,
    env: JaxEnv,
    learner: OnPolicyLearner,
    title: str,
    *,
    init_args: tuple = (),
    progress: bool = True,
) -> list[RLResult]:
    """One run per key, all in one jitted ``jax.vmap`` of the run; each final policy evaluated as in
    :func:`run_learner_on_jax` (``seconds`` is the wall-clock of the whole batch). ``init_args``
    (arrays with a leading axis of one row per key) go to ``learner.init``."""
    _require_final_evaluation_only(config)
    steps_per_iteration = config.n_envs * config.n_steps
    n_runs = keys.shape[0]
    with progress_bar(
        n_runs * config.n_iterations * steps_per_iteration,
        f"{title} {env.env_id} (jax, {n_runs} seeds)",
        enabled=progress,
    ) as bar:
        run = make_run(config, env, learner, (lambda _: bar.advance(steps_per_iteration)) if progress else None)
        start = time.perf_counter()
        states, metrics = jax.jit(jax.vmap(run))(keys, *init_args)
        jax.block_until_ready(states)
        seconds = time.perf_counter() - start
    metrics = jax.tree.map(np.asarray, metrics)
    return [
        _final_result(
            jax.tree.map(lambda x, i=i: x[i] if eqx.is_array(x) else x, states),
            jax.tree.map(lambda x, i=i: x[i], metrics),
            seconds,
            config,
            env,
            learner,
        )
        for i in range(n_runs)
    ]


def _require_final_evaluation_only(config: PPOConfig) -> None:
    """The jitted run returns only at its end, so only the final policy is evaluated: refuse an
    ``eval_every`` that asks for evaluations along the way rather than skip them."""
    total_steps = config.n_iterations * config.n_envs * config.n_steps
    if 0 < config.eval_every < total_steps:
        raise ValueError(
            f"eval_every={config.eval_every}: the jax backend evaluates only the final policy (after "
            f"{total_steps} steps); expected eval_every=0, or backend='gymnasium' to evaluate along the way"
        )


def _final_result(
    state, metrics: dict, seconds: float, config: PPOConfig, env: JaxEnv, learner: OnPolicyLearner
) -> RLResult:
    """The run's per-iteration metrics and its final policy, evaluated on the Gymnasium env."""
    steps_per_iteration = config.n_envs * config.n_steps
    agent = eqx.combine(learner.agent_params(state), learner.static)
    result = RLResult(policy=agent.policy, architecture=learner.architecture, spec=env.spec)
    for i in range(config.n_iterations):
        row = {"env_steps": (i + 1) * steps_per_iteration, **{k: float(v[i]) for k, v in metrics.items()}}
        result.metrics.append({k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()})
    final = result.metrics.pop()
    final["seconds"] = round(seconds, 2)
    final["eval_return"] = mean_policy_return(agent.policy, env.env_id, config.eval_episodes, config.eval_seed)
    result.record_evaluation(agent.policy, final, config.n_iterations * steps_per_iteration, seconds)
    result.learner_state = state
    return result
