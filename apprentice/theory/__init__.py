"""Imitation-learning theory made measurable: exact evaluation of tabular MDPs, the PDL (and policy
iteration checked against it), BC/DAgger bounds (and BC's Range(Q) bound), the per-step
distribution shift, the exact math of compounding error (the studies: ``apprentice.bench``).

The MDPs themselves (``TabularMDP``, ``FiniteHorizonMDP``, seeded generators) are in
``apprentice.envs.tabular``. Exact computations run in float64 inside a scoped
``jax.enable_x64`` (JAX's global flag is never touched) and return numpy float64 arrays; see
docs/theory.md for each statement, its source and the code that checks it.
"""

from apprentice.theory.bounds import (
    BoundCheck,
    bc_bound_discounted,
    bc_bound_finite_horizon,
    dagger_bound_finite_horizon,
    mismatch,
    on_policy_bound_discounted,
)
from apprentice.theory.distribution_shift import ShiftProfile, shift_profile
from apprentice.theory.evaluation import (
    DiscountedEvaluation,
    OptimalSolution,
    discounted_occupancy,
    evaluate_discounted,
    occupancy_from_each_state,
    optimal_discounted,
    value_iteration,
)
from apprentice.theory.finite_horizon import (
    FiniteHorizonEvaluation,
    FiniteHorizonOptimum,
    evaluate_finite_horizon,
    expected_return,
    optimal_finite_horizon,
    repeat_over_time,
    state_distributions,
    state_distributions_from_each_state,
)
from apprentice.theory.learners import (
    behavior_cloning,
    behavior_cloning_from_demos,
    dagger,
    sample_states,
    tabular_learner,
)
from apprentice.theory.pdl import PerformanceDifference, pdl_discounted, pdl_finite_horizon
from apprentice.theory.policy_iteration import PolicyIterationTrace, policy_iteration
from apprentice.theory.power_law import PowerLawFit, fit_power_law
from apprentice.theory.range_q import RangeQBound, bc_bound_range_q, q_range
from apprentice.theory.tightrope import Tightrope, geometric_wind, tightrope
from apprentice.theory.worst_case import (
    bc_tight_discounted,
    bc_tight_finite_horizon,
    expected_mistakes_closed_form,
    expected_mistakes_exact,
    range_q_tight_finite_horizon,
    ross_bagnell_chain,
)

__all__ = [
    "BoundCheck",
    "DiscountedEvaluation",
    "FiniteHorizonEvaluation",
    "FiniteHorizonOptimum",
    "OptimalSolution",
    "PerformanceDifference",
    "PolicyIterationTrace",
    "PowerLawFit",
    "RangeQBound",
    "ShiftProfile",
    "Tightrope",
    "bc_bound_discounted",
    "bc_bound_finite_horizon",
    "bc_bound_range_q",
    "bc_tight_discounted",
    "bc_tight_finite_horizon",
    "behavior_cloning",
    "behavior_cloning_from_demos",
    "dagger",
    "dagger_bound_finite_horizon",
    "discounted_occupancy",
    "evaluate_discounted",
    "evaluate_finite_horizon",
    "expected_mistakes_closed_form",
    "expected_mistakes_exact",
    "expected_return",
    "fit_power_law",
    "geometric_wind",
    "mismatch",
    "occupancy_from_each_state",
    "on_policy_bound_discounted",
    "optimal_discounted",
    "optimal_finite_horizon",
    "pdl_discounted",
    "pdl_finite_horizon",
    "policy_iteration",
    "q_range",
    "range_q_tight_finite_horizon",
    "repeat_over_time",
    "ross_bagnell_chain",
    "sample_states",
    "shift_profile",
    "state_distributions",
    "state_distributions_from_each_state",
    "tabular_learner",
    "tightrope",
    "value_iteration",
]
