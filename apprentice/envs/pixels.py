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


POLE_COLOR = np.array([255, 128, 64], np.float32)
CART_COLOR = np.array([255, 255, 255], np.float32)
TRACK_COLOR = np.array([96, 96, 96], np.float32)


def coverage(left: float | np.ndarray, right: float | np.ndarray, size: int) -> np.ndarray:
    """The fraction of each pixel column ``[c, c + 1)`` that the interval ``[left, right]`` covers.

    ``left`` and ``right`` have any leading shape; the result adds a last axis of ``size``.
    """
    cols = np.arange(size, dtype=np.float64)
    lo, hi = np.asarray(left)[..., None], np.asarray(right)[..., None]
    return np.clip(np.minimum(hi, cols + 1.0) - np.maximum(lo, cols), 0.0, 1.0)


def draw_cartpole(state: np.ndarray, size: int) -> np.ndarray:
    """The ``(size, size, 3)`` ``uint8`` image of a CartPole state ``(x, x_dot, theta, theta_dot)``.

    Bright shapes on black, drawn by exact area coverage (anti-aliased): a pixel that the pole
    covers by a quarter is a quarter as bright. The expert keeps the pole within about 0.006 rad
    of upright, which moves its tip by a sixth of a pixel at 64x64; with hard edges that motion
    would not show at all, with coverage it changes the tip's pixels by tens of intensity levels.
    """
    x, _, theta, _ = (float(v) for v in state)
    ink = np.zeros((size, size, 3), np.float32)
    track_y = int(size * 0.85)
    ink[track_y] = TRACK_COLOR
    cart_x = (x / X_RANGE * 0.5 + 0.5) * size
    half_w, half_h = size / 12.0, max(size // 24, 1)
    cart = coverage(cart_x - half_w, cart_x + half_w, size)
    ink[track_y - half_h : track_y + half_h + 1] = np.maximum(
        ink[track_y - half_h : track_y + half_h + 1], cart[:, None] * CART_COLOR
    )
    length, half_width = size * 0.7, size / 64.0
    pivot_y = float(track_y - half_h)
    rows = np.arange(size, dtype=np.float64)
    height = length * np.cos(theta)
    vertical = np.clip(np.minimum(pivot_y, rows + 1.0) - np.maximum(pivot_y - height, rows), 0.0, 1.0)
    centre = cart_x + (pivot_y - (rows + 0.5)) * np.tan(theta)
    pole = coverage(centre - half_width, centre + half_width, size) * vertical[:, None]
    ink = np.maximum(ink, pole[:, :, None] * POLE_COLOR)
    return np.round(ink).astype(np.uint8)


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
        self.observation_space = gym.spaces.Dict(
            {
                "image": gym.spaces.Box(0, 255, (size, size, 3), np.uint8),
                "position": gym.spaces.Box(-np.inf, np.inf, (1,), np.float32),
            }
        )

    def reset(self, **kwargs: Any):
        image, info = super().reset(**kwargs)
        return {"image": image, "position": info["state"][:1].astype(np.float32)}, info

    def step(self, action):
        image, reward, terminated, truncated, info = super().step(action)
        return {"image": image, "position": info["state"][:1].astype(np.float32)}, reward, terminated, truncated, info


def pixel_cartpole(**kwargs: Any) -> PixelCartPole:
    """The entry point of ``apprentice/PixelCartPole-v1``."""
    return PixelCartPole(**kwargs)


def pixel_dict_cartpole(**kwargs: Any) -> PixelDictCartPole:
    """The entry point of ``apprentice/PixelDictCartPole-v1``."""
    return PixelDictCartPole(**kwargs)
