"""Gridworlds for reward transfer (AIRL, Fu, Luo & Levine 2018, section 7.2 / Table 1 in shape):
two MDPs with the same state reward and different dynamics, and a demonstration sampler.

The grid is ``size x size`` cells (state ``row * size + col``, row 0 at the top) with five
actions: up, down, left, right, stay. A move succeeds with probability ``1 - slip``; with
probability ``slip`` one of the four moves is taken uniformly at random instead. A move into
the outer boundary or through a wall leaves the agent where it is. Walls are blocked *edges*
between cells, never blocked cells, so every state exists and can be visited in both versions
(a cell that only opens in the test MDP would otherwise have a learned reward no data ever
touched).

- ``shifting_maze(..., version)``: a wall across the grid between rows ``wall_row - 1`` and
  ``wall_row``, with a one-cell gap at the left edge (``"train"``) or at the right edge
  (``"test"``). The agent starts bottom-centre, the goal is top-centre; the expert's route in
  the training maze is blocked in the test maze.
- ``swapped_maze(..., version)``: an open grid where in ``"test"`` the ``up`` and ``down``
  actions swap their effects (one action's effect changed, as in the paper's disabled-ant
  task, but keeping the goal reachable: disabling a direction of a 4-connected grid cuts it).

The reward is state-only in both: ``goal_reward`` in the goal cell (which the agent can stay
in), 0 elsewhere, so the ground truth satisfies what AIRL's disentanglement result needs.
Demonstrations in these mazes come from ``apprentice.algorithms.irl.sample_demonstrations``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from apprentice.envs.tabular.mdp import TabularMDP

MOVES = ((-1, 0), (1, 0), (0, -1), (0, 1), (0, 0))
"""(d_row, d_col) of the actions up, down, left, right, stay."""
ACTION_NAMES = ("up", "down", "left", "right", "stay")
Version = Literal["train", "test"]


def gridworld(
    size: int,
    blocked_edges: set[tuple[int, int]],
    start: tuple[int, int],
    goal: tuple[int, int],
    slip: float,
    gamma: float,
    goal_reward: float,
    action_moves: tuple[int, ...] = (0, 1, 2, 3, 4),
) -> TabularMDP:
    """A slippery gridworld with walls on ``blocked_edges`` (pairs of state indices, both ways).

    Action ``a`` makes the move ``MOVES[action_moves[a]]`` (the identity by default; a
    permutation changes what the controls do). Slips are uniform over the four moves.

    Example:
        >>> mdp = gridworld(3, set(), (2, 1), (0, 1), slip=0.1, gamma=0.9, goal_reward=5.0)
        >>> mdp.n_states, mdp.n_actions
        (9, 5)
    """
    if int(size) != size or size < 2:
        raise ValueError(f"size must be an integer >= 2; got {size!r}")
    if not 0.0 <= slip <= 1.0:
        raise ValueError(f"slip must be in [0, 1]; got {slip}")
    for name, (row, col) in (("start", start), ("goal", goal)):
        if not (0 <= row < size and 0 <= col < size):
            raise ValueError(f"{name} {(row, col)} is outside the {size}x{size} grid")
    n_states, n_actions = size * size, len(MOVES)
    blocked = blocked_edges | {(b, a) for a, b in blocked_edges}

    if sorted(action_moves) != list(range(len(MOVES))):
        raise ValueError(f"action_moves must be a permutation of 0..4; got {action_moves}")

    def target(state: int, move: int) -> int:
        row, col = divmod(state, size)
        d_row, d_col = MOVES[move]
        new_row, new_col = row + d_row, col + d_col
        if not (0 <= new_row < size and 0 <= new_col < size):
            return state
        new_state = new_row * size + new_col
        return state if (state, new_state) in blocked else new_state

    transitions = np.zeros((n_states, n_actions, n_states))
    for state in range(n_states):
        for action in range(n_actions):
            transitions[state, action, target(state, action_moves[action])] += 1.0 - slip
            for move in range(4):
                transitions[state, action, target(state, move)] += slip / 4
    rewards = np.zeros((n_states, n_actions))
    rewards[goal[0] * size + goal[1]] = goal_reward
    initial = np.zeros(n_states)
    initial[start[0] * size + start[1]] = 1.0
    return TabularMDP(transitions, rewards, gamma, initial)


def shifting_maze(
    version: Version,
    size: int = 6,
    slip: float = 0.1,
    gamma: float = 0.9,
    goal_reward: float = 5.0,
    wall_row: int | None = None,
) -> TabularMDP:
    """The shifting maze: the wall's gap is at the left edge for ``train``, the right for ``test``.

    The wall blocks every move between row ``wall_row - 1`` and row ``wall_row`` (default
    ``size // 2``) except in the gap column. Start: bottom row, centre; goal: top row, centre.

    Example:
        >>> train, test = shifting_maze("train"), shifting_maze("test")
        >>> bool(np.array_equal(train.rewards, test.rewards))
        True
    """
    if version not in ("train", "test"):
        raise ValueError(f"version must be 'train' or 'test'; got {version!r}")
    wall_row = size // 2 if wall_row is None else wall_row
    if not 1 <= wall_row < size:
        raise ValueError(f"wall_row must be in [1, {size}); got {wall_row}")
    gap = 0 if version == "train" else size - 1
    blocked = {((wall_row - 1) * size + col, wall_row * size + col) for col in range(size) if col != gap}
    return gridworld(size, blocked, (size - 1, size // 2), (0, size // 2), slip, gamma, goal_reward)


def swapped_maze(
    version: Version,
    size: int = 6,
    slip: float = 0.1,
    gamma: float = 0.9,
    goal_reward: float = 5.0,
) -> TabularMDP:
    """An open grid whose ``up`` and ``down`` actions swap effects in the ``test`` version.

    Start: bottom-left corner; goal: top-right corner.
    """
    if version not in ("train", "test"):
        raise ValueError(f"version must be 'train' or 'test'; got {version!r}")
    moves = (0, 1, 2, 3, 4) if version == "train" else (1, 0, 2, 3, 4)
    return gridworld(size, set(), (size - 1, 0), (0, size - 1), slip, gamma, goal_reward, moves)
