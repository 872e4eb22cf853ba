"""What an expert is: a batched callable from observations to actions, plus its measured returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

ActFn = Callable[[np.ndarray], np.ndarray]


def normalized_score(score: float, expert_return: float, random_return: float) -> float:
    """The expert-normalized score ``(score - random) / (expert - random)``: 1 is the expert, 0 random.

    The one definition in the library: ``Expert.normalized_score``, evaluation, the algorithms'
    metrics and every benchmark go through it.

    Example:
        >>> normalized_score(250.0, expert_return=500.0, random_return=0.0)
        0.5
    """
    span = expert_return - random_return
    if span == 0:
        raise ValueError(
            f"normalized_score: the expert's return must differ from the random policy's; both are {expert_return!r}"
        )
    return float((score - random_return) / span)


@dataclass(frozen=True)
class ExpertStats:
    """Returns measured for an expert and for a uniformly random policy on the same env.

    These are the two anchors of the expert-normalized score
    ``(score - random_mean_return) / (mean_return - random_mean_return)``.
    """

    mean_return: float
    """Mean undiscounted episode return of the expert."""
    std_return: float
    """Standard deviation of the expert's episode returns."""
    random_mean_return: float
    """Mean episode return of a uniformly random policy."""
    n_episodes: int
    """Episodes behind each mean."""
    seed: int
    """Seed of the measuring run (``apprentice experts --measure`` reproduces it)."""

    def normalized_score(self, score: float) -> float:
        """``score`` on the scale of these returns: 1 is the expert, 0 the random policy."""
        return normalized_score(score, self.mean_return, self.random_mean_return)


@dataclass(frozen=True)
class Expert:
    """An expert for one env id: ``expert(obs_batch) -> action_batch``.

    ``act`` takes observations of shape ``(n, *obs_shape)`` and returns ``(n,)`` integer
    actions for discrete envs or ``(n, *action_shape)`` floats for continuous ones. It may be
    slow (a planner, a person); algorithms call it only to act or to label.

    Example:
        >>> from apprentice import experts
        >>> expert = experts.load("CartPole-v1")
        >>> expert(np.zeros((2, 4), np.float32)).shape
        (2,)
    """

    env_id: str
    act: ActFn
    description: str
    stats: ExpertStats | None = None
    view: str = "observation"
    """What it acts on: the learner's ``"observation"``, or the simulator's ``"state"`` (a privileged
    expert, fed from ``info["state"]`` by the rollout and from ``Trajectory.states`` when labeling)."""
    kind: str = "scripted"
    """Where its rule comes from: ``scripted`` (a hand-written controller) or ``trained`` (a learned policy)."""

    def __call__(self, observations: np.ndarray) -> np.ndarray:
        return self.act(np.asarray(observations))

    def require_stats(self) -> ExpertStats:
        """The expert's measured returns; a ``ValueError`` saying how to measure them when there are none."""
        if self.stats is None:
            raise ValueError(
                f"expert for {self.env_id!r} has no measured returns; "
                f"run `apprentice experts --measure --env {self.env_id}` first"
            )
        return self.stats

    def normalized_score(self, score: float) -> float:
        """``(score - random) / (expert - random)``; 1 is the expert, 0 the random policy."""
        return self.require_stats().normalized_score(score)
