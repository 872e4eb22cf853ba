"""LunarLander experts: Gymnasium's own PD heuristic (``gymnasium.envs.box2d.lunar_lander.heuristic``), row by row.

Rule (the heuristic's): steer the tilt toward ``clip(0.5 x + x_dot, ±0.4)`` and the height toward
``0.55 |x|`` with PD terms; once a leg touches, only brake the fall. Discrete: fire the main engine
if the height correction is largest and > 0.05, else the side engine that fixes the tilt (if > 0.05),
else nothing. Continuous: ``(20 * height_correction - 1, -20 * tilt_correction)`` clipped to ±1.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from gymnasium.envs.box2d.lunar_lander import heuristic

# The heuristic reads only ``env.unwrapped.continuous`` from the env; these stand-ins carry that
# flag so the expert needs no env instance.
_DISCRETE_FLAG = SimpleNamespace(unwrapped=SimpleNamespace(continuous=False))
_CONTINUOUS_FLAG = SimpleNamespace(unwrapped=SimpleNamespace(continuous=True))


def act_discrete(observations: np.ndarray) -> np.ndarray:
    """Batched actions ``(n,)`` int64 for LunarLander-v3 observations ``(n, 8)``."""
    obs = np.asarray(observations, dtype=np.float64).reshape(-1, 8)
    return np.array([heuristic(_DISCRETE_FLAG, row) for row in obs], dtype=np.int64)


def act_continuous(observations: np.ndarray) -> np.ndarray:
    """Batched ``(main, lateral)`` throttles ``(n, 2)`` float32 for LunarLanderContinuous-v3 observations ``(n, 8)``."""
    obs = np.asarray(observations, dtype=np.float64).reshape(-1, 8)
    actions = [heuristic(_CONTINUOUS_FLAG, row) for row in obs]
    return np.asarray(actions, dtype=np.float32).reshape(-1, 2)
