"""Evaluate a policy: returns, the expert-normalized score, and disagreement on its own states."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jax
import numpy as np

from apprentice.data import trees
from apprentice.data.trajectory import flatten
from apprentice.envs.make import env_spec
from apprentice.envs.seeds import evaluation_seed
from apprentice.envs.spec import EnvSpec, executed_actions
from apprentice.experts.base import Expert, ExpertStats
from apprentice.experts.registry import available as experts_available
from apprentice.experts.registry import load as load_expert
from apprentice.policies.actor import PolicyActor
from apprentice.policies.base import Policy
from apprentice.rollout import Actor, RandomActor, expert_input, rollout

CONTINUOUS_DISAGREEMENT_TOLERANCE = 0.05
"""A continuous action disagrees with the expert's when some coordinate differs by more than
this fraction of that coordinate's action range (both as executed: clipped into the bounds)."""


@dataclass(frozen=True)
class Evaluation:
    """Results of :func:`evaluate`; ``to_dict`` gives the CLI's JSON."""

    env_id: str
    seed: int
    returns: list[float]
    lengths: list[int]
    mean_return: float
    std_return: float
    normalized_score: float | None = None
    """``(mean - random) / (expert - random)`` when the env has an expert with measured stats."""
    disagreement_rate: float | None = None
    """Fraction of the policy's own visited states where its action differs from the expert's."""
    mean_squared_action_error: float | None = None
    """Continuous actions only: mean over visited states of ``||a - a*||^2``."""

    def to_dict(self) -> dict:
        return {**self.__dict__, "n_episodes": len(self.returns)}


def evaluate(
    policy: Policy | Actor,
    env_id: str,
    n_episodes: int = 20,
    seed: int = evaluation_seed(),
    *,
    expert: Expert | None = None,
    deterministic: bool = True,
    n_envs: int = 8,
    progress: bool = False,
) -> Evaluation:
    """Run ``policy`` for ``n_episodes`` (env copy ``i`` seeded ``seed + i``) and score it.

    ``expert`` defaults to the registered expert of ``env_id`` when there is one; it supplies
    the normalized score and labels the policy's visited states to measure disagreement,
    i.e. epsilon under the learner's own state distribution.

    Example:
        >>> result = evaluate(policy, "CartPole-v1", n_episodes=20, seed=evaluation_seed())
        >>> result.mean_return, result.normalized_score
    """
    if n_episodes < 1:
        raise ValueError(f"n_episodes: expected a positive integer, got {n_episodes}")
    actor = PolicyActor(policy, jax.random.key(seed), deterministic) if isinstance(policy, Policy) else policy
    if expert is None and env_id in experts_available():
        expert = load_expert(env_id)
    trajectories = rollout(actor, env_id, n_episodes=n_episodes, seed=seed, n_envs=n_envs, progress=progress)
    returns = [t.episode_return for t in trajectories]
    result: dict[str, Any] = dict(
        env_id=env_id,
        seed=seed,
        returns=returns,
        lengths=[len(t) for t in trajectories],
        mean_return=float(np.mean(returns)),
        std_return=float(np.std(returns)),
    )
    if expert is not None:
        if expert.stats is not None:
            result["normalized_score"] = expert.normalized_score(result["mean_return"])
        result.update(_disagreement(trajectories, expert, env_spec(env_id)))
    return Evaluation(**result)


def _disagreement(trajectories, expert: Expert, spec: EnvSpec) -> dict:
    visited = flatten(trajectories)
    states = (
        None
        if trajectories[0].states is None
        else trees.concatenate([trees.take(t.states, slice(None, -1)) for t in trajectories])
    )
    taken = visited.acts
    labels = expert(expert_input(expert, visited.obs, states))
    n = len(visited)
    if spec.action_kind == "discrete":
        return {"disagreement_rate": float(np.mean(taken.reshape(-1) != labels.reshape(-1)))}
    low = np.asarray(spec.action_low, np.float64)
    high = np.asarray(spec.action_high, np.float64)
    executed = lambda a: executed_actions(spec, np.asarray(a, np.float64).reshape(n, *spec.action_shape))  # noqa: E731
    taken, labels = executed(taken).reshape(n, -1), executed(labels).reshape(n, -1)
    far = np.abs(taken - labels) > CONTINUOUS_DISAGREEMENT_TOLERANCE * (high - low)
    return {
        "disagreement_rate": float(np.mean(far.any(axis=1))),
        "mean_squared_action_error": float(np.mean(np.sum((taken - labels) ** 2, axis=1))),
    }


def measure_expert(env_id: str, n_episodes: int = 50, seed: int = 0, progress: bool = False) -> ExpertStats:
    """Measure the registered expert of ``env_id`` and a uniformly random policy, same seeds."""
    expert = load_expert(env_id)
    expert_returns = [
        t.episode_return for t in rollout(expert, env_id, n_episodes=n_episodes, seed=seed, progress=progress)
    ]
    random_actor = RandomActor(env_spec(env_id), seed)
    random_returns = [t.episode_return for t in rollout(random_actor, env_id, n_episodes=n_episodes, seed=seed)]
    return ExpertStats(
        mean_return=float(np.mean(expert_returns)),
        std_return=float(np.std(expert_returns)),
        random_mean_return=float(np.mean(random_returns)),
        n_episodes=n_episodes,
        seed=seed,
    )
