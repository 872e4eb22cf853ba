"""The host loop every off-policy learner shares (SAC, soft Q-learning, and SQIL on both).

Env steps run on the host (Gymnasium vector envs); each transition goes into a replay; after every
``update_every`` steps per env copy the updates due since the last burst run as one jitted call
(the learner's ``update``, a ``lax.scan`` over minibatches); the deterministic policy is evaluated
every ``eval_every`` env steps and at the end. The replay is anything with ``add`` and ``sample``
like :class:`~apprentice.algorithms.rl.replay.ReplayBuffer` (SQIL passes its two-buffer replay).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import jax
import numpy as np
from jaxtyping import PRNGKeyArray

from apprentice.algorithms.rl.common import EpisodeTracker, RLResult
from apprentice.algorithms.rl.evaluation import mean_policy_return
from apprentice.policies.base import Policy
from apprentice.progress import progress_bar
from apprentice.rollout import RandomActor, make_vector_steps


class Replay(Protocol):
    """What the loop needs of a replay: ``add`` a batch of env steps, ``sample`` stacked minibatches."""

    def add(self, obs, actions, rewards, next_obs, terminated) -> None: ...

    def sample(self, rng: np.random.Generator, n_batches: int, batch_size: int) -> dict[str, np.ndarray]: ...


@dataclass(frozen=True)
class OffPolicyLearner:
    """A learner's three functions over its state (arrays only; structure lives in the closures)."""

    act: Callable[[Any, PRNGKeyArray, np.ndarray], np.ndarray]
    """``act(state, key, obs) -> actions``: exploratory actions for a batch of observations."""
    update: Callable[[Any, dict, PRNGKeyArray], tuple[Any, dict]]
    """``update(state, batches, key) -> (state, metrics)``: one burst of updates (leading axis)."""
    policy: Callable[[Any], Policy]
    """``policy(state)``: the policy to evaluate and save."""


def run_off_policy(
    state: Any,
    learner: OffPolicyLearner,
    replay: Replay,
    result: RLResult,
    config: Any,
    env_id: str,
    loop_key: PRNGKeyArray,
    seed: int,
    title: str,
    *,
    progress: bool = True,
    on_evaluation: Callable[[RLResult], None] | None = None,
    env_kwargs: dict[str, Any] | None = None,
    learned_reward: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray] | None = None,
) -> RLResult:
    """Run ``learner`` from ``state`` for ``config.total_steps`` env steps; its rows go into ``result``.

    ``config`` has the fields SAC's and soft Q's configs share (``total_steps``, ``n_envs``,
    ``learning_starts``, ``update_every``, ``updates_per_step``, ``batch_size``, ``eval_every``,
    ``eval_episodes``, ``eval_seed``). The training envs are seeded ``seed + i`` and so is the
    replay's sampler; ``learned_reward`` (logging only) gives the learned return beside the true one.
    ``result.learner_state`` holds the final state.
    """
    rng = np.random.default_rng(seed)
    random_actor = RandomActor(result.spec, seed)
    envs = make_vector_steps("gymnasium", env_id, config.n_envs, seed, env_kwargs)
    tracker = EpisodeTracker(config.n_envs)
    eval_every = config.eval_every or config.total_steps
    next_eval, env_steps, iteration = eval_every, 0, 0
    train_metrics: dict[str, Any] = {}
    start = time.perf_counter()
    try:
        obs = envs.reset()
        with progress_bar(config.total_steps, f"{title} {env_id}", enabled=progress) as bar:
            while env_steps < config.total_steps:
                loop_key, act_key, update_key = jax.random.split(loop_key, 3)
                if env_steps < config.learning_starts:
                    actions = random_actor(obs)
                else:
                    actions = learner.act(state, act_key, obs.astype(np.float32))
                next_obs, rewards, terminated, truncated, final_obs = envs.step(actions)
                ended = terminated | truncated
                replay.add(obs, actions, rewards, final_obs, terminated)
                tracker.step(
                    rewards, rewards if learned_reward is None else learned_reward(obs, actions, final_obs), ended
                )
                obs = next_obs
                env_steps += config.n_envs
                iteration += 1
                if env_steps >= config.learning_starts and iteration % config.update_every == 0:
                    n_updates = config.n_envs * config.updates_per_step * config.update_every
                    batches = replay.sample(rng, n_updates, config.batch_size)
                    state, train_metrics = learner.update(state, batches, update_key)
                bar.advance(config.n_envs, **_bar_fields(tracker, env_steps, start))
                if env_steps >= next_eval or env_steps >= config.total_steps:
                    next_eval += eval_every
                    _evaluate_into(
                        result,
                        learner.policy(state),
                        config,
                        env_id,
                        env_steps,
                        start,
                        tracker,
                        train_metrics,
                        env_kwargs,
                    )
                    if on_evaluation is not None:
                        on_evaluation(result)
    finally:
        envs.close()
    result.learner_state = state
    return result


def _evaluate_into(result, policy, config, env_id, env_steps, start, tracker, train_metrics, env_kwargs):
    eval_return = mean_policy_return(policy, env_id, config.eval_episodes, config.eval_seed, env_kwargs)
    seconds = time.perf_counter() - start
    row = {
        "env_steps": env_steps,
        "seconds": round(seconds, 2),
        "steps_per_s": round(env_steps / seconds, 1),
        "eval_return": eval_return,
        "train_return": tracker.mean_true_return(),
        "learned_return": tracker.mean_learned_return(),
        **{name: float(value) for name, value in train_metrics.items()},
    }
    result.record_evaluation(policy, row, env_steps, seconds)


def _bar_fields(tracker: EpisodeTracker, env_steps: int, start: float) -> dict[str, Any]:
    fields: dict[str, Any] = {"steps/s": round(env_steps / max(time.perf_counter() - start, 1e-9))}
    if (true_return := tracker.mean_true_return()) is not None:
        fields["return"] = round(true_return, 1)
    return fields
