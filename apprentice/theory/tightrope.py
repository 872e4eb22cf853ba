"""The tightrope: a family of finite-horizon MDPs where one mistake takes you off the expert's states.

A walker crosses a rope with ``n_positions`` places to stand. Below each place hang
``max_depth`` recoverable levels. State ``(p, d)``: position p, depth d (d = 0 is on the rope).

- On the rope, ``(p, 0)``: the one right action ``step(p)`` earns reward 1 and the wind then
  puts the walker at position ``p' ~ wind`` (a fixed distribution, so which positions the
  expert visits, and how often, is set by ``wind``). Any other action earns 0 and drops the
  walker to ``(p, 1)``.
- Below the rope, ``(p, d >= 1)``: reward 0 whatever you do. The one right action
  ``climb(p, d)`` lifts you to ``(p, d - 1)`` with probability ``q(p, d)`` (else you stay);
  any other action drops you one level further, to ``(p, min(d + 1, max_depth))``.
- Episodes start on the rope at ``p ~ wind``.

``step``, ``climb`` and ``q`` are drawn from the seed. The expert plays ``step`` on the rope and
``climb`` below it; it never falls, so it earns ``H``, the most possible (it is optimal), and
it never visits a state below the rope. A learner that has only seen the expert therefore
knows nothing below the rope: once it falls, it acts blindly, drops deeper with probability
``1 - 1/A`` per step, and rarely comes back within the episode, so a fall at step h costs
about ``H - h``. A learner that was also taught below the rope (DAgger) climbs back in a few
steps, so a fall costs O(1). That difference is what makes behavior cloning's cost grow like
``epsilon H^2`` and DAgger's like ``epsilon H`` (see ``apprentice.bench.compounding`` and docs/theory.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from jaxtyping import ArrayLike, Float, Int

from apprentice.envs.tabular.mdp import FiniteHorizonMDP, check_distribution


@dataclass(frozen=True, eq=False)
class Tightrope:
    """One tightrope MDP with its expert and the meaning of each state index."""

    mdp: FiniteHorizonMDP
    """The finite-horizon MDP; state index ``s = p * (max_depth + 1) + d``."""
    expert_actions: Int[np.ndarray, " S"]
    """The expert's (stationary, deterministic) action in every state."""
    position: Int[np.ndarray, " S"]
    """p(s): where along the rope state s is."""
    depth: Int[np.ndarray, " S"]
    """d(s): 0 on the rope, 1..max_depth below it."""

    @property
    def on_rope(self) -> np.ndarray:
        """Boolean mask of the states on the rope (the only states the expert visits)."""
        return self.depth == 0


def geometric_wind(n_positions: int, decay: float) -> Float[np.ndarray, " P"]:
    """``wind[p] proportional to decay**p``: a few common positions and ever rarer ones.

    Geometric masses are what make behavior cloning's missing mass, and so its cost, fall like
    1/N over a wide range of N (a uniform wind makes it fall exponentially once N >> P).
    """
    if not 0.0 < decay <= 1.0:
        raise ValueError(f"decay must be in (0, 1]; got {decay}")
    weights = decay ** np.arange(n_positions, dtype=np.float64)
    return weights / weights.sum()


def tightrope(
    seed: int,
    horizon: int,
    n_positions: int = 4,
    max_depth: int = 6,
    n_actions: int = 5,
    wind: Float[ArrayLike, " P"] | None = None,
    climb_success: tuple[float, float] = (0.5, 0.9),
) -> Tightrope:
    """Draw a tightrope MDP (see the module docstring).

    Args:
        seed: seeds the right actions and the climb success probabilities.
        horizon: H, the episode length.
        n_positions: places on the rope.
        max_depth: levels below each place.
        n_actions: A >= 2; a blind learner picks the right climb with probability 1/A.
        wind: distribution of the next position after a right step (uniform when None).
        climb_success: ``q(p, d)`` is drawn uniformly from this interval.

    Example:
        >>> rope = tightrope(seed=0, horizon=10)
        >>> rope.mdp.n_states, int(rope.on_rope.sum())
        (28, 4)
    """
    if n_actions < 2 or n_positions < 1 or max_depth < 1:
        raise ValueError(
            "need n_actions >= 2, n_positions >= 1 and max_depth >= 1; got "
            f"n_actions={n_actions}, n_positions={n_positions}, max_depth={max_depth}"
        )
    low, high = climb_success
    if not 0.0 < low <= high <= 1.0:
        raise ValueError(f"climb_success must satisfy 0 < low <= high <= 1; got {climb_success}")
    wind = np.full(n_positions, 1.0 / n_positions) if wind is None else np.asarray(wind, float)
    if wind.shape != (n_positions,):
        raise ValueError(f"wind must have shape ({n_positions},); got {wind.shape}")
    check_distribution("wind", wind)

    rng = np.random.default_rng(seed)
    levels = max_depth + 1
    n_states = n_positions * levels

    def index(p, d):  # the state numbering, in one place
        return p * levels + d

    step_action = rng.integers(0, n_actions, size=n_positions)
    climb_action = rng.integers(0, n_actions, size=(n_positions, levels))
    climb_prob = rng.uniform(low, high, size=(n_positions, levels))

    transitions = np.zeros((n_states, n_actions, n_states))
    rewards = np.zeros((n_states, n_actions))
    expert_actions = np.zeros(n_states, dtype=np.int64)
    rope_states = index(np.arange(n_positions), 0)
    for p in range(n_positions):
        here = index(p, 0)
        expert_actions[here] = step_action[p]
        for a in range(n_actions):
            if a == step_action[p]:
                transitions[here, a, rope_states] = wind
                rewards[here, a] = 1.0
            else:
                transitions[here, a, index(p, 1)] = 1.0
        for d in range(1, levels):
            here = index(p, d)
            expert_actions[here] = climb_action[p, d]
            for a in range(n_actions):
                if a == climb_action[p, d]:
                    transitions[here, a, index(p, d - 1)] += climb_prob[p, d]
                    transitions[here, a, here] += 1.0 - climb_prob[p, d]
                else:
                    transitions[here, a, index(p, min(d + 1, max_depth))] = 1.0
    initial = np.zeros(n_states)
    initial[rope_states] = wind
    mdp = FiniteHorizonMDP(transitions, rewards, horizon, initial)
    states = np.arange(n_states)
    return Tightrope(mdp, expert_actions, position=states // levels, depth=states % levels)
