"""TwoRoutes: a 2D point must pass a round obstacle to the left or to the right to reach a goal.

The multimodal benchmark of imitation (issue 19). A point starts near ``START`` (the left side of
the plane) and must reach the goal disc around ``GOAL`` (the right side); a disc obstacle sits on
the straight line between them, so there are two equally good routes, above it (``"left"``, the
left of the direction of travel) and below it (``"right"``). Each episode the env draws the
demonstrator's intended route (50/50) and keeps it in the simulator's state,
``info["state"] = (x, y, route)`` with ``route`` +1 (left) or -1 (right): the privileged expert of
:mod:`apprentice.experts.scripted.two_routes` (``view="state"``) follows it, while the learner
sees only its position ``(x, y)``. In ``apprentice/TwoRoutes-Switching-v0`` the intention flips
with probability ``switch_probability`` at each step while the point is before ``FORK_X``, so a
memoryless learner sees both routes' actions at the same positions and dithers.

Dynamics: ``p <- clip(p + STEP * clip(a, -1, 1), -ARENA, ARENA)``, a velocity command in
``[-1, 1]^2``. The episode ends (``terminated``) on reaching the goal disc or on touching the
obstacle (the step's segment comes within ``OBSTACLE_RADIUS`` of its centre: a collision ends the
episode), or is truncated after ``MAX_STEPS`` steps. Reward per step:
``PROGRESS_SCALE * (d_prev - d) - STEP_COST`` with ``d`` the distance to the goal, plus
``GOAL_BONUS`` on success and minus ``COLLISION_PENALTY`` on a collision.

At every step ``info`` holds the outcome so far, so at the last step it is the episode's:
``success``, ``collision`` and ``route`` (``"left"``/``"right"`` by the sign of ``y`` where the
path first crosses the obstacle's ``x`` going right, ``"none"`` before that). The same
:func:`episode_outcome` recomputes it from a trajectory's positions, and
:func:`route_statistics` turns trajectories into success rate, collision rate and route fractions.

No pure-JAX twin (:mod:`apprentice.envs.jax_envs`) yet: that backend steps gymnax envs and its
rollouts carry no privileged state, so this task's expert could neither act nor label there, and
an id in ``JAX_ENV_IDS`` would be taken by ``backend="auto"`` (PPO's default). A twin needs the
JAX step to return the state view beside the observation first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gymnasium as gym
import numpy as np

if TYPE_CHECKING:  # imported for annotations only: registration imports this module, light
    from apprentice.data.trajectory import Trajectory

START = np.array([-1.0, 0.0])
"""Centre of the start square (each coordinate jittered by up to ``START_JITTER``)."""
START_JITTER = 0.05
GOAL = np.array([1.0, 0.0])
GOAL_RADIUS = 0.1
"""Reaching within this distance of ``GOAL`` is success."""
OBSTACLE = np.array([0.0, 0.0])
OBSTACLE_RADIUS = 0.3
ARENA = 1.5
"""Positions are clipped into ``[-ARENA, ARENA]^2`` (walls)."""
STEP = 0.05
"""Distance moved per step along an axis at full command (``|a_i| = 1``)."""
MAX_STEPS = 100
"""Time limit; the expert needs about 40 steps."""
FORK_X = -0.45
"""Before this ``x`` the switching variant may flip the intended route."""
PROGRESS_SCALE, STEP_COST, GOAL_BONUS, COLLISION_PENALTY = 10.0, 0.1, 10.0, 10.0
ROUTES = {1: "left", -1: "right", 0: "none"}
"""Route codes (in ``info["state"][2]`` and :func:`crossing_route`) and their names."""


@dataclass(frozen=True)
class Outcome:
    """How one episode ended."""

    success: bool
    """The point reached the goal disc."""
    collision: bool
    """The point touched the obstacle."""
    route: str
    """``"left"``, ``"right"`` or ``"none"`` (never crossed the obstacle's ``x``)."""


def hits_obstacle(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Whether each segment ``start -> end`` (``(..., 2)``) comes within ``OBSTACLE_RADIUS`` of its centre."""
    start, end = np.asarray(start, np.float64), np.asarray(end, np.float64)
    move = end - start
    length2 = np.maximum(np.sum(move**2, axis=-1), 1e-12)
    along = np.clip(np.sum((OBSTACLE - start) * move, axis=-1) / length2, 0.0, 1.0)
    nearest = start + along[..., None] * move
    return np.linalg.norm(nearest - OBSTACLE, axis=-1) <= OBSTACLE_RADIUS


def crossing_route(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Per segment ``start -> end``: +1 (left) or -1 (right) where it crosses the obstacle's ``x``
    going right, above or below the obstacle's centre; 0 where it does not cross."""
    start, end = np.asarray(start, np.float64), np.asarray(end, np.float64)
    crosses = (start[..., 0] < OBSTACLE[0]) & (end[..., 0] >= OBSTACLE[0])
    fraction = (OBSTACLE[0] - start[..., 0]) / np.where(crosses, end[..., 0] - start[..., 0], 1.0)
    y = start[..., 1] + fraction * (end[..., 1] - start[..., 1])
    return np.where(crosses, np.where(y >= OBSTACLE[1], 1, -1), 0)


def reached_goal(position: np.ndarray) -> np.ndarray:
    """Whether each position ``(..., 2)`` is inside the goal disc."""
    return np.linalg.norm(np.asarray(position, np.float64) - GOAL, axis=-1) <= GOAL_RADIUS


def episode_outcome(positions: np.ndarray) -> Outcome:
    """The :class:`Outcome` of a path of ``(T + 1, 2)`` positions, as the env reports it.

    Example:
        >>> episode_outcome(np.array([[-1.0, 0.0], [0.0, 0.5], [1.0, 0.0]]))
        Outcome(success=True, collision=False, route='left')
    """
    positions = np.asarray(positions, np.float64)
    if positions.ndim != 2 or positions.shape[1] < 2 or len(positions) < 2:
        raise ValueError(f"episode_outcome: expected positions of shape (T + 1 >= 2, 2), got {positions.shape}")
    start, end = positions[:-1, :2], positions[1:, :2]
    routes = crossing_route(start, end)
    crossed = np.flatnonzero(routes)
    return Outcome(
        success=bool(reached_goal(positions[-1, :2])),
        collision=bool(hits_obstacle(start, end).any()),
        route=ROUTES[int(routes[crossed[0]])] if len(crossed) else "none",
    )


def route_statistics(trajectories: Sequence[Trajectory]) -> dict[str, float]:
    """Success rate, collision rate and the fraction of episodes taking each route.

    Read from each trajectory's positions (the observation's first two coordinates) by
    :func:`episode_outcome`; a collision counts on whichever route it happened.

    Example:
        >>> route_statistics(rollout(experts.load("apprentice/TwoRoutes-v0"), "apprentice/TwoRoutes-v0", n_episodes=40))
        {'n_episodes': 40, 'success_rate': 1.0, 'collision_rate': 0.0, 'left_fraction': 0.525, 'right_fraction': 0.475}
    """
    if not trajectories:
        raise ValueError("route_statistics: expected at least one trajectory, got none")
    outcomes = [episode_outcome(np.asarray(t.observations)) for t in trajectories]
    mean = lambda values: float(np.mean(values))  # noqa: E731
    return {
        "n_episodes": len(outcomes),
        "success_rate": mean([o.success for o in outcomes]),
        "collision_rate": mean([o.collision for o in outcomes]),
        "left_fraction": mean([o.route == "left" for o in outcomes]),
        "right_fraction": mean([o.route == "right" for o in outcomes]),
    }


class TwoRoutes(gym.Env):
    """The env of the module docstring; ``switch_probability > 0`` is the switching variant."""

    metadata: dict[str, Any] = {"render_modes": []}

    def __init__(self, switch_probability: float = 0.0):
        if not 0.0 <= switch_probability <= 1.0:
            raise ValueError(f"TwoRoutes: expected switch_probability in [0, 1], got {switch_probability}")
        self.switch_probability = switch_probability
        self.observation_space = gym.spaces.Box(-ARENA, ARENA, (2,), np.float32)
        self.action_space = gym.spaces.Box(-1.0, 1.0, (2,), np.float32)
        self.state_space = gym.spaces.Box(
            np.array([-ARENA, -ARENA, -1.0], np.float32), np.array([ARENA, ARENA, 1.0], np.float32)
        )
        self._position = START.astype(np.float32)
        self._route = 1
        self._route_taken = 0

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        """A new episode; ``options`` may fix its ``"position"`` ``(x, y)`` and ``"route"`` (+1 or -1)."""
        super().reset(seed=seed)
        options = options or {}
        unknown = set(options) - {"position", "route"}
        if unknown:
            raise ValueError(f"TwoRoutes.reset options: expected 'position' and/or 'route', got {sorted(unknown)}")
        # Positions are kept in float32, the observation's dtype, so that episode_outcome on the
        # observations recomputes exactly what the env reported.
        start = START + self.np_random.uniform(-START_JITTER, START_JITTER, 2)
        self._position = np.asarray(options.get("position", start), np.float64).reshape(2).astype(np.float32)
        route = int(self.np_random.choice((1, -1)))
        self._route = int(options.get("route", route))
        if self._route not in (1, -1):
            raise ValueError(f"TwoRoutes.reset options: expected route +1 (left) or -1 (right), got {self._route}")
        self._route_taken = 0
        return self._observation(), {**self._outcome_info(False, False), "state": self._state()}

    def step(self, action):
        previous = self._position
        move = STEP * np.clip(np.asarray(action, np.float64).reshape(2), -1.0, 1.0)
        self._position = np.clip(previous + move, -ARENA, ARENA).astype(np.float32)
        collision = bool(hits_obstacle(previous, self._position))
        success = bool(reached_goal(self._position)) and not collision
        if self._route_taken == 0:
            self._route_taken = int(crossing_route(previous, self._position))
        if self._position[0] < FORK_X and self.np_random.random() < self.switch_probability:
            self._route = -self._route
        progress = np.linalg.norm(previous - GOAL) - np.linalg.norm(self._position - GOAL)  # float64
        reward = PROGRESS_SCALE * progress - STEP_COST + GOAL_BONUS * success - COLLISION_PENALTY * collision
        info = {**self._outcome_info(success, collision), "state": self._state()}
        return self._observation(), float(reward), success or collision, False, info

    def _observation(self) -> np.ndarray:
        return self._position.copy()

    def _state(self) -> np.ndarray:
        return np.array([*self._position, self._route], np.float32)

    def _outcome_info(self, success: bool, collision: bool) -> dict[str, Any]:
        return {"success": success, "collision": collision, "route": ROUTES[self._route_taken]}


def two_routes(**kwargs: Any) -> TwoRoutes:
    """The entry point of ``apprentice/TwoRoutes-v0`` and ``apprentice/TwoRoutes-Switching-v0``."""
    return TwoRoutes(**kwargs)
