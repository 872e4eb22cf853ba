"""The TwoRoutes expert: track the intended route's reference path around the obstacle.

It acts on the simulator's state ``(x, y, route)`` (``view="state"``): the route, +1 (left, above
the obstacle) or -1 (right, below), is the demonstrator's intention that the env draws per episode
(:mod:`apprentice.envs.two_routes`). The reference path follows the straight line from the start
(x = -1) and forks at ``x = -HALF_LENGTH``:
``y_ref(x) = route * HALF_WIDTH * cos^2(pi x / (2 HALF_LENGTH))`` for ``|x| <= HALF_LENGTH``,
``HALF_WIDTH`` from the obstacle's centre at x = 0 (0.15 clear of its edge), back on the line at
``x = HALF_LENGTH`` and on to the goal (x = 1). The command is forward speed ``v_x`` and lateral
``v_y = y_ref'(x) v_x + LATERAL_GAIN e`` with ``e = y_ref - y``; before the obstacle ``v_x``
drops (to backing off) while the lateral error is large, and it slows into the goal. Beside or
past the obstacle the route is taken: the expert follows the side the point is on.

Both routes share the straight line up to the fork and move forward alike, so the mean of their
actions there is straight ahead, into the obstacle; the late fork leaves a squared-error learner
little room to fall to one side (docs/policies.md has the measured numbers). The expert does
not plan: from 300 uniformly drawn positions in ``[-1.3, 1.3]^2`` at least 0.35 from the
obstacle's centre (states a learner may visit) it reached the goal from 297; the other 3 start
just before the obstacle on the side away from the intended route (``tests/test_two_routes.py``
checks 100 such positions).
"""

from __future__ import annotations

import numpy as np

from apprentice.envs.two_routes import GOAL, OBSTACLE, OBSTACLE_RADIUS

HALF_WIDTH = 0.45
"""How far from the straight line the reference path passes the obstacle's centre."""
HALF_LENGTH = 0.7
"""The reference path leaves the straight line at ``x = -HALF_LENGTH`` and rejoins it at ``+HALF_LENGTH``."""
LATERAL_GAIN = 5.0
SLOWDOWN = 2.0
"""Forward speed ``1 - SLOWDOWN * |e|``: zero at a lateral error of 0.5, backwards beyond."""
GOAL_GAIN = 10.0
"""Forward speed at most ``GOAL_GAIN * (x_goal - x)``, so the point stops at the goal."""


def act(states: np.ndarray) -> np.ndarray:
    """``(n, 3)`` states ``(x, y, route)`` -> ``(n, 2)`` velocity commands in ``[-1, 1]^2``.

    Example:
        >>> act(np.array([[-0.5, 0.0, 1.0], [-0.5, 0.0, -1.0]])).round(2)  # at the fork: left up, right down
        array([[ 0.83,  1.  ],
               [ 0.83, -1.  ]], dtype=float32)
    """
    states = np.asarray(states, np.float64)
    if states.ndim != 2 or states.shape[1] != 3:
        raise ValueError(f"TwoRoutes expert: expected states of shape (n, 3) (x, y, route), got {states.shape}")
    x, y = states[:, 0], states[:, 1]
    passed = x >= OBSTACLE[0]
    beside = (x >= OBSTACLE[0] - OBSTACLE_RADIUS) & (np.abs(y - OBSTACLE[1]) >= OBSTACLE_RADIUS)
    # Beside or past the obstacle the route is taken: follow the side the point is on (crossing
    # in front of the obstacle to the intended side is where a path tracker hits it).
    route = np.where(passed | beside, np.where(y >= OBSTACLE[1], 1.0, -1.0), np.sign(states[:, 2]))
    inside = np.abs(x) <= HALF_LENGTH
    y_ref = np.where(inside, route * HALF_WIDTH * np.cos(np.pi * x / (2 * HALF_LENGTH)) ** 2, 0.0)
    slope = np.where(inside, -route * HALF_WIDTH * np.pi / (2 * HALF_LENGTH) * np.sin(np.pi * x / HALF_LENGTH), 0.0)
    error = y_ref - y
    # Slow (or back off) for a lateral correction only before the obstacle, where one could hit it.
    cruise = 1.0 - np.where(passed, 0.0, SLOWDOWN * np.abs(error))
    forward = np.clip(np.minimum(cruise, GOAL_GAIN * (GOAL[0] - x)), -1.0, 1.0)
    lateral = np.clip(slope * forward + LATERAL_GAIN * error, -1.0, 1.0)
    return np.stack([forward, lateral], axis=1).astype(np.float32)
