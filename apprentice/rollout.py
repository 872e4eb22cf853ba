"""Run any batched actor (a policy, an expert, a mixture) in vectorized envs -> ``Trajectory``s.

An actor is a callable ``actor(obs_batch) -> action_batch`` over numpy arrays, as experts and
:class:`~apprentice.policies.PolicyActor` are. It may instead return ``(actions, infos)`` with
``infos`` a dict of per-env arrays; those are stored per step in ``Trajectory.infos`` (DAgger
variants use this to mark which steps the expert took).

The backend is chosen by name; ``"gymnasium"`` (vector API) is the one implemented here, and a
pure-JAX backend can be added behind the same signature without touching callers.
"""

from __future__ import annotations

from typing import Any, Callable, Literal

import numpy as np

from apprentice.data.trajectory import Trajectory
from apprentice.envs.make import make_vector_env
from apprentice.envs.spec import EnvSpec
from apprentice.progress import progress_bar

Actor = Callable[[np.ndarray], Any]
Backend = Literal["gymnasium"]


def rollout(
    actor: Actor,
    env_id: str,
    *,
    n_episodes: int | None = None,
    n_steps: int | None = None,
    seed: int = 0,
    n_envs: int = 8,
    backend: Backend = "gymnasium",
    progress: bool = False,
    env_kwargs: dict[str, Any] | None = None,
) -> list[Trajectory]:
    """Collect episodes of ``actor`` in ``env_id``: exactly ``n_episodes``, or ``n_steps`` steps.

    With ``n_episodes``, env copy ``i`` runs a fixed quota of episodes, so the set collected
    does not favour short episodes (the bias of taking whichever finish first). With
    ``n_steps``, collection stops once that many steps are recorded; episodes still running
    are returned cut short with ``truncated=True``. Env copy ``i`` is seeded with ``seed + i``.

    Example:
        >>> trajs = rollout(experts.load("CartPole-v1"), "CartPole-v1", n_episodes=10, seed=0)
    """
    if (n_episodes is None) == (n_steps is None):
        raise ValueError(f"rollout: expected exactly one of n_episodes and n_steps, got {n_episodes=} and {n_steps=}")
    budget = n_episodes if n_episodes is not None else n_steps
    if budget is None or budget < 1:
        raise ValueError(f"rollout: expected a positive budget, got {budget}")
    if backend != "gymnasium":
        raise ValueError(f"rollout backend: expected 'gymnasium', got {backend!r}")
    n_envs = min(n_envs, n_episodes) if n_episodes is not None else n_envs
    quotas = _episode_quotas(n_episodes, n_envs) if n_episodes is not None else None
    envs = make_vector_env(env_id, n_envs, **(env_kwargs or {}))
    try:
        with progress_bar(budget, f"rollout {env_id}", enabled=progress) as bar:
            return _collect(actor, envs, seed, quotas, n_steps, bar)
    finally:
        envs.close()


def _collect(actor, envs, seed, quotas, n_steps, bar) -> list[Trajectory]:
    n_envs = envs.num_envs
    obs, _ = envs.reset(seed=seed)
    buffers = [_EpisodeBuffer(o) for o in obs]
    finished: list[Trajectory] = []
    done_counts = np.zeros(n_envs, int)
    steps = 0
    while True:
        actions, step_infos = _split_actor_output(actor(obs))
        next_obs, rewards, terminated, truncated, infos = envs.step(actions)
        for i in range(n_envs):
            if quotas is not None and done_counts[i] >= quotas[i]:
                continue
            ended = bool(terminated[i] or truncated[i])
            final_obs = infos["final_obs"][i] if ended else next_obs[i]
            buffers[i].add(actions[i], rewards[i], final_obs, {k: v[i] for k, v in step_infos.items()})
            steps += 1
            if n_steps is not None:
                bar.advance(1)
            if ended:
                finished.append(buffers[i].close(bool(terminated[i]), bool(truncated[i])))
                buffers[i] = _EpisodeBuffer(next_obs[i])
                done_counts[i] += 1
                if quotas is not None:
                    bar.advance(1, last_return=finished[-1].episode_return)
            if n_steps is not None and steps >= n_steps:
                partial = [b.close(False, True) for b in buffers if b.actions]
                return finished + partial
        if quotas is not None and (done_counts >= quotas).all():
            return finished
        obs = next_obs


def _episode_quotas(n_episodes: int, n_envs: int) -> np.ndarray:
    return np.array([n_episodes // n_envs + (i < n_episodes % n_envs) for i in range(n_envs)])


def _split_actor_output(output: Any) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    if isinstance(output, tuple):
        actions, infos = output
        return np.asarray(actions), {k: np.asarray(v) for k, v in infos.items()}
    return np.asarray(output), {}


class _EpisodeBuffer:
    def __init__(self, first_obs: np.ndarray):
        self.observations = [np.array(first_obs)]
        self.actions: list[np.ndarray] = []
        self.rewards: list[float] = []
        self.infos: dict[str, list] = {}

    def add(self, action, reward, next_obs, infos: dict[str, Any]) -> None:
        self.actions.append(np.array(action))
        self.rewards.append(float(reward))
        self.observations.append(np.array(next_obs))
        for key, value in infos.items():
            self.infos.setdefault(key, []).append(value)

    def close(self, terminated: bool, truncated: bool) -> Trajectory:
        return Trajectory(
            observations=np.stack(self.observations),
            actions=np.stack(self.actions),
            rewards=np.array(self.rewards, np.float32),
            terminated=terminated,
            truncated=truncated,
            infos={k: np.stack(v) for k, v in self.infos.items()},
        )


class RandomActor:
    """Uniformly random actions for ``spec`` (the anchor 0 of the expert-normalized score)."""

    def __init__(self, spec: EnvSpec, seed: int = 0):
        self.spec = spec
        self.rng = np.random.default_rng(seed)

    def __call__(self, observations: np.ndarray) -> np.ndarray:
        n = len(observations)
        if self.spec.action_kind == "discrete":
            return self.rng.integers(0, self.spec.n_actions, size=n)
        low = np.asarray(self.spec.action_low, np.float32).reshape(self.spec.action_shape)
        high = np.asarray(self.spec.action_high, np.float32).reshape(self.spec.action_shape)
        return self.rng.uniform(low, high, size=(n, *self.spec.action_shape)).astype(np.float32)
