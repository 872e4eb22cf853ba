"""Policy iteration, each step's improvement checked against the performance difference lemma.

Policy iteration (Howard 1960) on a discounted tabular MDP: evaluate ``pi_t`` exactly, then act
greedily on its advantage,

    pi_{t+1}(s) = argmax_a A^{pi_t}(s, a).

The PDL (``pdl.py``) with ``(pi, pi') = (pi_{t+1}, pi_t)`` says, for every start state s0
(deck 000, "An Application of PDL in Policy Iteration"),

    V^{pi_{t+1}}(s0) - V^{pi_t}(s0) = 1/(1 - gamma) E_{s ~ d^{pi_{t+1}}_{s0}} A^{pi_t}(s, pi_{t+1}(s))

and every term on the right is ``max_a A^{pi_t}(s, a) >= A^{pi_t}(s, pi_t(s)) = 0``, so the
improvement is never negative: policy iteration improves monotonically, in every state at once.
``policy_iteration`` records, for every step, both sides (the left from two exact policy
evaluations, the right from the new policy's occupancy and the old policy's advantage) and the
per-state advantages, until no state's greedy action improves on the current one by more than
``tie_tol``. The last policy is then optimal (its values satisfy the Bellman optimality equation
to ``tie_tol``). Exact float64 throughout (``evaluation.py``, ``pdl.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from jaxtyping import ArrayLike, Float, Int

from apprentice.envs.tabular.mdp import TabularMDP, deterministic_policy, validate_actions
from apprentice.theory.evaluation import evaluate_discounted
from apprentice.theory.pdl import pdl_discounted


@dataclass(frozen=True, eq=False)
class PolicyIterationTrace:
    """Every policy of a run of policy iteration and both sides of the PDL for every step (float64).

    ``T`` is the number of improvement steps; policies ``pi_0 .. pi_T``, ``pi_T`` optimal.
    """

    actions: Int[np.ndarray, "T+1 S"]
    """pi_t(s) for t = 0..T."""
    values: Float[np.ndarray, "T+1 S"]
    """V^{pi_t}(s0) for every start state s0."""
    improvement: Float[np.ndarray, "T S"]
    """The PDL's left side: V^{pi_{t+1}}(s0) - V^{pi_t}(s0), from two policy evaluations."""
    pdl: Float[np.ndarray, "T S"]
    """The PDL's right side: 1/(1-gamma) E_{s ~ d^{pi_{t+1}}_{s0}} A^{pi_t}(s, pi_{t+1}(s))."""
    greedy_advantage: Float[np.ndarray, "T S"]
    """A^{pi_t}(s, pi_{t+1}(s)) = max_a A^{pi_t}(s, a) in the states that switched, 0 elsewhere."""
    switched: Int[np.ndarray, " T"]
    """How many states changed action at each step."""
    initial: Float[np.ndarray, " S"]
    """The MDP's start distribution mu, for the averages below."""

    @property
    def n_steps(self) -> int:
        return int(self.improvement.shape[0])

    @property
    def values_under_initial(self) -> Float[np.ndarray, " T+1"]:
        """V^{pi_t}(mu) for t = 0..T."""
        return self.values @ self.initial

    @property
    def max_abs_gap(self) -> float:
        """``max |improvement - pdl|`` over steps and start states; the lemma says 0."""
        return float(np.max(np.abs(self.improvement - self.pdl))) if self.n_steps else 0.0

    @property
    def min_improvement(self) -> float:
        """The smallest improvement over steps and start states; monotonicity says >= 0."""
        return float(self.improvement.min()) if self.n_steps else 0.0


def policy_iteration(
    mdp: TabularMDP,
    initial_actions: Int[ArrayLike, " S"] | None = None,
    tie_tol: float = 1e-12,
    max_steps: int | None = None,
) -> PolicyIterationTrace:
    """Run policy iteration from ``initial_actions`` and record both sides of the PDL at each step.

    Args:
        mdp: the discounted MDP.
        initial_actions: pi_0 as integer actions ``[S]``; action 0 everywhere when None.
        tie_tol: a state switches to its greedy action only when that action's advantage exceeds
            ``tie_tol``; this keeps round-off from cycling between tied actions.
        max_steps: raise if policy iteration has not stopped after this many steps (default:
            ``10 S A + 10``; it stops after at most ``A^S`` steps and in practice after a few).

    Returns:
        A ``PolicyIterationTrace``.

    Example:
        >>> mdp = random_tabular_mdp(seed=0, n_states=5, n_actions=3, gamma=0.9)
        >>> trace = policy_iteration(mdp)
        >>> trace.max_abs_gap < 1e-9, trace.min_improvement >= -1e-12
        (True, True)
    """
    n_states, n_actions = mdp.n_states, mdp.n_actions
    start = np.zeros(n_states, dtype=np.int64) if initial_actions is None else initial_actions
    actions = validate_actions(start, n_states, n_actions)
    limit = 10 * n_states * n_actions + 10 if max_steps is None else max_steps
    policies, values = [actions], [evaluate_discounted(mdp, deterministic_policy(actions, n_actions))]
    greedy_advantages, switched, improvement, pdl = [], [], [], []
    states = np.arange(n_states)
    while True:
        advantages = values[-1].advantages
        improves = advantages.max(axis=-1) > tie_tol
        if not improves.any():
            break
        if len(policies) > limit:
            raise RuntimeError(f"policy iteration did not stop within {limit} steps (tie_tol={tie_tol})")
        new_actions = np.where(improves, advantages.argmax(axis=-1), policies[-1])
        policies.append(new_actions)
        values.append(evaluate_discounted(mdp, deterministic_policy(new_actions, n_actions)))
        greedy_advantages.append(np.where(improves, advantages[states, new_actions], 0.0))
        switched.append(int(improves.sum()))
        # pi = pi_{t+1} (its occupancy weighs), pi' = pi_t (its advantage is measured). One step at
        # a time, so every call has the shapes [S, A] (one compile per MDP size, not per run length).
        sides = pdl_discounted(
            mdp, deterministic_policy(new_actions, n_actions), deterministic_policy(policies[-2], n_actions)
        )
        improvement.append(sides.lhs)
        pdl.append(sides.rhs)
    n_steps = len(policies) - 1
    return PolicyIterationTrace(
        actions=np.stack(policies),
        values=np.stack([v.values for v in values]),
        improvement=np.asarray(improvement).reshape(n_steps, n_states),
        pdl=np.asarray(pdl).reshape(n_steps, n_states),
        greedy_advantage=np.asarray(greedy_advantages).reshape(n_steps, n_states),
        switched=np.asarray(switched, dtype=np.int64),
        initial=mdp.initial,
    )
