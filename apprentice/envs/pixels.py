"""Pixel observations: an env whose learner sees a small rendered image, the expert the state.

:class:`PixelCartPole` draws CartPole's cart and pole into a ``size x size`` RGB ``uint8`` image
with NumPy (no window, no OpenGL: about 0.6 ms a frame measured here), and puts the state vector in
``info["state"]``. One frame shows where the cart and pole are, not how fast they move: a
memoryless policy needs a frame stack (``frame_stack=2``) or a recurrent core to balance it.
Registered as ``apprentice/PixelCartPole-v1``.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

X_RANGE = 2.4
"""CartPole's track half-width (the episode ends past it)."""


def draw_cartpole(state: np.ndarray, size: int) -> np.ndarray:
    """The ``(size, size, 3)`` ``uint8`` image of a CartPole state ``(x, x_dot, theta, theta_dot)``."""
    x, _, theta, _ = (float(v) for v in state)
    image = np.full((size, size, 3), 255, np.uint8)
    track_y = int(size * 0.75)
    image[track_y, :, :] = 0
    cart_x = (x / X_RANGE * 0.5 + 0.5) * (size - 1)
    half_w, half_h = max(size // 12, 1), max(size // 24, 1)
    cols = slice(max(int(cart_x) - half_w, 0), min(int(cart_x) + half_w + 1, size))
    image[track_y - half_h:track_y + half_h + 1, cols] = (0, 0, 0)
    length = size * 0.4
    ts = np.linspace(0.0, 1.0, 2 * size)
    px = np.clip(np.round(cart_x + ts * length * np.sin(theta)).astype(int), 0, size - 1)
    py = np.clip(np.round(track_y - ts * length * np.cos(theta)).astype(int), 0, size - 1)
    image[py, px] = (204, 77, 51)
    image[py, np.clip(px + 1, 0, size - 1)] = (204, 77, 51)
    return image


class PixelCartPole(gym.Wrapper):
    """CartPole-v1 seen as a ``size x size`` image; the state is the privileged ``info["state"]``."""

    def __init__(self, size: int = 64, **kwargs: Any):
        super().__init__(gym.make("CartPole-v1", **kwargs))
        if size < 36:
            raise ValueError(f"PixelCartPole: expected size >= 36 (the Nature CNN's smallest input), got {size}")
        self.size = size
        self.observation_space = gym.spaces.Box(0, 255, (size, size, 3), np.uint8)
        self.state_space = self.env.observation_space

    def reset(self, **kwargs: Any):
        state, info = self.env.reset(**kwargs)
        return draw_cartpole(state, self.size), {**info, "state": np.asarray(state)}

    def step(self, action):
        state, reward, terminated, truncated, info = self.env.step(action)
        return draw_cartpole(state, self.size), reward, terminated, truncated, {**info, "state": np.asarray(state)}


class PixelDictCartPole(PixelCartPole):
    """:class:`PixelCartPole` as a Dict observation: ``{"image": pixels, "position": (x,)}``."""

    def __init__(self, size: int = 64, **kwargs: Any):
        super().__init__(size, **kwargs)
        self.observation_space = gym.spaces.Dict({
            "image": gym.spaces.Box(0, 255, (size, size, 3), np.uint8),
            "position": gym.spaces.Box(-np.inf, np.inf, (1,), np.float32),
        })

    def reset(self, **kwargs: Any):
        image, info = super().reset(**kwargs)
        return {"image": image, "position": info["state"][:1].astype(np.float32)}, info

    def step(self, action):
        image, reward, terminated, truncated, info = super().step(action)
        return {"image": image, "position": info["state"][:1].astype(np.float32)}, reward, terminated, truncated, info
