"""DAgger (Ross, Gordon & Bagnell 2011): roll out a mixture of expert and learner, label every
visited state with the expert's action, aggregate, retrain."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import numpy as np
from jaxtyping import PRNGKeyArray

from apprentice.algorithms.configs.dagger import DAggerConfig
from apprentice.algorithms.dagger.loop import InteractiveResult, run_rounds
from apprentice.algorithms.dagger.schedules import beta_at
from apprentice.data import trees
from apprentice.envs.make import env_spec
from apprentice.experts.base import Expert
from apprentice.policies.actor import PolicyActor
from apprentice.rollout import Actor, Observed, act_on, rollout


class MixtureActor:
    """Per-step mixture: in each env copy and step the expert acts with probability ``beta``.

    The expert is queried on every visited state (its answer is the label); the learner only
    when ``beta < 1``. Returns ``(actions, {"expert_action", "labeled", "expert_acted"})``.
    """

    def __init__(self, expert: Actor, learner: Actor | None, beta: float, seed: int):
        self.expert, self.learner, self.beta = expert, learner, beta
        self.rng = np.random.default_rng(seed)

    def __call__(self, obs: Any):
        return self.observe(Observed(obs, np.zeros(trees.leading_size(obs), bool)))

    def observe(self, observed: Observed):
        """Act on one rollout step: the expert on its view, the learner on its observations."""
        expert_actions = np.asarray(act_on(self.expert, observed))
        n = len(expert_actions)
        if self.learner is None or self.beta >= 1.0:
            actions, expert_acted = expert_actions, np.ones(n, bool)
        else:
            learner_actions = np.asarray(act_on(self.learner, observed)).astype(expert_actions.dtype)
            expert_acted = self.rng.random(n) < self.beta
            pick = expert_acted.reshape(n, *([1] * (expert_actions.ndim - 1)))
            actions = np.where(pick, expert_actions, learner_actions)
        return actions, {"expert_action": expert_actions, "labeled": np.ones(n, bool), "expert_acted": expert_acted}


def train(
    key: PRNGKeyArray,
    config: DAggerConfig,
    expert: Expert,
    env_id: str,
    *,
    progress: bool = True,
    on_round: Callable[[InteractiveResult], None] | None = None,
) -> InteractiveResult:
    """Run DAgger on ``env_id`` with ``expert`` as the labeler.

    Each round ``r`` rolls out ``pi_r = beta_r expert + (1 - beta_r) learner`` (mixed per step) for
    ``steps_per_round`` steps, adds one expert label per visited state, and retrains.

    Example:
        >>> result = train(jax.random.key(0), DAggerConfig(), experts.load("CartPole-v1"), "CartPole-v1")
        >>> result.metrics[-1]["mean_return"]
    """
    spec = env_spec(env_id)
    key, actor_key = jax.random.split(key)

    def collect(round_index, policy, dataset, n_steps, seed):
        beta = beta_at(config.beta_schedule, round_index, config.beta, config.beta_decay)
        learner = (
            None if policy is None else PolicyActor(policy, jax.random.fold_in(actor_key, round_index), True, spec=spec)
        )
        actor = MixtureActor(expert, learner, beta, seed)
        trajectories = rollout(actor, env_id, n_steps=n_steps, seed=seed, n_envs=config.interactive.n_envs)
        expert_share = float(np.mean(np.concatenate([t.infos["expert_acted"] for t in trajectories])))
        return trajectories, {"beta": beta, "expert_action_share": expert_share}

    return run_rounds(key, config.interactive, config.bc, env_id, expert, collect, progress, "DAgger", on_round)
