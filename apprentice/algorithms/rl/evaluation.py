"""The mean return of a policy's deterministic actions: what RL runs report as ``eval_return``."""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from apprentice.policies.actor import PolicyActor
from apprentice.policies.base import Policy
from apprentice.rollout import rollout


def mean_policy_return(
    policy: Policy, env_id: str, n_episodes: int, seed: int, env_kwargs: dict[str, Any] | None = None
) -> float:
    """Mean undiscounted return of ``policy``'s deterministic actions over ``n_episodes`` (env copy i seeded ``seed + i``)."""
    actor = PolicyActor(policy, jax.random.key(seed), deterministic=True)
    trajectories = rollout(
        actor, env_id, n_episodes=n_episodes, seed=seed, n_envs=min(n_episodes, 8), env_kwargs=env_kwargs
    )
    return float(np.mean([t.episode_return for t in trajectories]))
