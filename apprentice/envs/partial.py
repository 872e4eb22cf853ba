"""Partial observability: the learner sees part of the state, the expert acts on all of it.

:class:`MaskedObservation` keeps some coordinates of a vector observation (velocities removed,
for example) and puts the whole original observation, the simulator's state, in
``info["state"]`` at every reset and step: the privileged view that an expert declared with
``view="state"`` acts on (:mod:`apprentice.rollout`). Registered ids (:mod:`~apprentice.envs.registration`):
``apprentice/CartPole-NoVelocity-v1``, ``apprentice/Pendulum-NoVelocity-v1``,
``apprentice/LunarLander-NoVelocity-v3``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np

VELOCITY_FREE = {
    "CartPole-v1": (0, 2),  # x, theta (not x_dot, theta_dot)
    "Pendulum-v1": (0, 1),  # cos theta, sin theta (not theta_dot)
    "LunarLander-v3": (0, 1, 4, 6, 7),  # x, y, angle, leg contacts (not vx, vy, angular velocity)
}
"""The coordinates each base env keeps once its velocities are removed."""


class MaskedObservation(gym.Wrapper):
    """Observe ``obs[keep]``; the full observation is the privileged ``info["state"]``."""

    def __init__(self, env: gym.Env, keep: Sequence[int]):
        super().__init__(env)
        box = env.observation_space
        if not isinstance(box, gym.spaces.Box) or len(box.shape) != 1:
            raise ValueError(f"MaskedObservation: expected a 1-d Box observation, got {box}")
        self.keep = np.asarray(keep, int)
        self.observation_space = gym.spaces.Box(box.low[self.keep], box.high[self.keep], dtype=box.dtype)  # type: ignore[arg-type]
        self.state_space = box

    def reset(self, **kwargs: Any):
        obs, info = self.env.reset(**kwargs)
        return obs[self.keep], {**info, "state": np.asarray(obs)}

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        return obs[self.keep], reward, terminated, truncated, {**info, "state": np.asarray(obs)}


def no_velocity(base_id: str, **kwargs: Any) -> gym.Env:
    """``base_id`` with its velocities removed from the observation."""
    return MaskedObservation(gym.make(base_id, **kwargs), VELOCITY_FREE[base_id])
