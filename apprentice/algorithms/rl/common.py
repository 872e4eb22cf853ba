"""What PPO and SAC share: the learned-reward hook, episode bookkeeping, and the result type."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jax
import numpy as np
from jaxtyping import Array, Float, PRNGKeyArray

from apprentice.envs.seeds import Stream, drawn_collection_seed
from apprentice.envs.spec import EnvSpec
from apprentice.policies.base import Policy
from apprentice.policies.build import PolicyArchitecture

RewardFn = Callable[[Array, Array, Array], Float[Array, ""]]
"""``reward_fn(obs, action, next_obs) -> r`` for ONE transition (callers vmap it).

A plain function, or an Equinox module whose arrays are its parameters (a discriminator, a
reward model): algorithms pass its arrays into their jitted updates as arguments, so a reward
that changes between calls (GAIL, AIRL) does not trigger recompilation.
"""


def batch_rewards(reward_fn: RewardFn, obs: Array, actions: Array, next_obs: Array) -> Float[Array, " batch"]:
    """``reward_fn`` over a batch of transitions (leading axis)."""
    return jax.vmap(reward_fn)(obs, actions, next_obs)


def training_env_seed(key: PRNGKeyArray, n_envs: int) -> int:
    """The first env seed of an RL learner's ``n_envs`` training envs, drawn from ``key`` into the
    RL stream of the collection band (``apprentice.envs.seeds``): never an evaluation seed, never
    a seed of demonstrations or interactive rounds."""
    return drawn_collection_seed(int(jax.random.randint(key, (), 0, 2**31 - 1)), Stream.RL, n_envs)


class EpisodeTracker:
    """Running true and learned returns of each env copy of a vector env; keeps finished episodes.

    The env's own reward is always tracked, so a learner trained on a learned reward still
    reports the return that matters; the learned return is the return under the reward the
    learner optimized (the env's own when it has no learned reward), as for PPO and SAC alike.
    """

    def __init__(self, n_envs: int, window: int = 20):
        self.true_returns = np.zeros(n_envs)
        self.learned_returns = np.zeros(n_envs)
        self.lengths = np.zeros(n_envs, int)
        self.recent_true: deque[float] = deque(maxlen=window)
        self.recent_learned: deque[float] = deque(maxlen=window)
        self.n_episodes = 0

    def step(self, true_rewards, learned_rewards, ended) -> None:
        self.true_returns += true_rewards
        self.learned_returns += learned_rewards
        self.lengths += 1
        for i in np.flatnonzero(ended):
            self.recent_true.append(float(self.true_returns[i]))
            self.recent_learned.append(float(self.learned_returns[i]))
            self.true_returns[i] = self.learned_returns[i] = 0.0
            self.lengths[i] = 0
            self.n_episodes += 1

    def mean_true_return(self) -> float | None:
        return float(np.mean(self.recent_true)) if self.recent_true else None

    def mean_learned_return(self) -> float | None:
        return float(np.mean(self.recent_learned)) if self.recent_learned else None


@dataclass
class RLResult:
    """What an RL run returns: the final policy, the best evaluated one, and the metric rows."""

    policy: Policy
    architecture: PolicyArchitecture
    spec: EnvSpec
    metrics: list[dict[str, Any]] = field(default_factory=list)
    best_policy: Policy | None = None
    best_eval_return: float | None = None
    env_steps: int = 0
    seconds: float = 0.0
    learner_state: Any = None
    """The learner's final state (an on-policy learner's arrays: agent, optimizer, discriminator ...)."""

    def record_evaluation(self, policy: Policy, row: dict[str, Any], env_steps: int, seconds: float) -> None:
        """Append a metrics row with its ``eval_return``; keep ``policy`` as the latest and, if best, the best."""
        self.metrics.append(row)
        self.policy, self.env_steps, self.seconds = policy, env_steps, seconds
        if self.best_eval_return is None or row["eval_return"] > self.best_eval_return:
            self.best_policy, self.best_eval_return = policy, row["eval_return"]

    def summary(self) -> dict[str, Any]:
        """JSON-able summary (the CLI's ``--json`` line and ``result.json``)."""
        last = self.metrics[-1] if self.metrics else {}
        return {
            "env_id": self.spec.env_id,
            "env_steps": self.env_steps,
            "seconds": round(self.seconds, 2),
            "final_eval_return": last.get("eval_return"),
            "best_eval_return": self.best_eval_return,
            "final_train_return": last.get("train_return"),
        }
