"""A fixed-capacity replay buffer of transitions in preallocated numpy arrays."""

from __future__ import annotations

import numpy as np

from apprentice.envs.spec import EnvSpec


class ReplayBuffer:
    """A ring buffer of ``(obs, action, reward, next_obs, terminated)``; the oldest rows go first.

    ``next_obs`` is the observation the action led to, also when the episode was cut by a time
    limit (the true final observation, not the next episode's first), so targets can bootstrap
    through truncations and stop only at ``terminated``.

    Example:
        >>> buffer = ReplayBuffer(env_spec("Pendulum-v1"), capacity=1000)
        >>> buffer.add(obs, actions, rewards, next_obs, terminated)
        >>> batches = buffer.sample(np.random.default_rng(0), n_batches=4, batch_size=256)
    """

    def __init__(self, spec: EnvSpec, capacity: int):
        if capacity < 1:
            raise ValueError(f"replay buffer capacity: expected a positive integer, got {capacity}")
        action_shape, action_dtype = (
            ((), np.int32) if spec.action_kind == "discrete" else (spec.action_shape, np.float32)
        )
        self.capacity = capacity
        self.obs = np.zeros((capacity, *spec.obs_shape), np.float32)
        self.next_obs = np.zeros((capacity, *spec.obs_shape), np.float32)
        self.actions = np.zeros((capacity, *action_shape), action_dtype)
        self.rewards = np.zeros(capacity, np.float32)
        self.terminated = np.zeros(capacity, np.float32)
        self.size = 0
        self._next = 0

    def add(self, obs, actions, rewards, next_obs, terminated) -> None:
        """Append a batch of transitions (leading axis = one row per env copy)."""
        n = len(obs)
        rows = (self._next + np.arange(n)) % self.capacity
        self.obs[rows], self.actions[rows], self.rewards[rows] = obs, actions, rewards
        self.next_obs[rows], self.terminated[rows] = next_obs, terminated
        self._next = int((self._next + n) % self.capacity)
        self.size = min(self.size + n, self.capacity)

    def sample(self, rng: np.random.Generator, n_batches: int, batch_size: int) -> dict[str, np.ndarray]:
        """``n_batches`` uniform minibatches stacked on a leading axis: arrays ``(n_batches, batch_size, ...)``."""
        if self.size == 0:
            raise ValueError("replay buffer: cannot sample from an empty buffer")
        rows = rng.integers(0, self.size, size=(n_batches, batch_size))
        return {
            "obs": self.obs[rows],
            "actions": self.actions[rows],
            "rewards": self.rewards[rows],
            "next_obs": self.next_obs[rows],
            "terminated": self.terminated[rows],
        }
