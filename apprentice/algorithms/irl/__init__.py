"""Inverse RL: maximum-causal-entropy IRL on tabular MDPs (soft value iteration, visitation, ``train``),
exact tabular AIRL (``tabular_airl.train``), and GAIL / AIRL on Gymnasium envs (``adversarial.train``)."""

from apprentice.algorithms.irl.demonstrations import Demonstrations, empirical_visitation
from apprentice.algorithms.irl.expert import Expert, check_expert_occupancy, expert_target
from apprentice.algorithms.irl.mce import MCEIRLConfig, MCEIRLLog, MCEIRLResult, train
from apprentice.algorithms.irl.objective import (
    expected_log_likelihood_discounted,
    expected_log_likelihood_finite,
    linear_reward_gradient,
    occupancy_matching_loss,
)
from apprentice.algorithms.irl.reference_mdps import (
    IMITATION_RETURN_THRESHOLD,
    imitation_five_state_mdp,
    imitation_five_state_observations,
)
from apprentice.algorithms.irl.rewards import (
    LinearReward,
    MLPReward,
    RewardModel,
    one_hot_features,
    reward_on_features,
)
from apprentice.algorithms.irl.soft_bellman import (
    SoftSolution,
    soft_backward_kernel,
    soft_bellman_sweep,
    soft_fixed_point_kernel,
    soft_value_iteration_discounted,
    soft_value_iteration_finite,
)
from apprentice.algorithms.irl.tabular_airl import TabularAIRLConfig, TabularAIRLResult
from apprentice.algorithms.irl.visitation import (
    Visitation,
    discounted_visitation,
    finite_horizon_visitation,
    occupancy_total,
    policy_visitation,
)

__all__ = [
    "IMITATION_RETURN_THRESHOLD",
    "Demonstrations",
    "Expert",
    "LinearReward",
    "MCEIRLConfig",
    "MCEIRLLog",
    "MCEIRLResult",
    "MLPReward",
    "RewardModel",
    "SoftSolution",
    "TabularAIRLConfig",
    "TabularAIRLResult",
    "Visitation",
    "check_expert_occupancy",
    "discounted_visitation",
    "empirical_visitation",
    "expected_log_likelihood_discounted",
    "expected_log_likelihood_finite",
    "expert_target",
    "finite_horizon_visitation",
    "imitation_five_state_mdp",
    "imitation_five_state_observations",
    "linear_reward_gradient",
    "occupancy_matching_loss",
    "occupancy_total",
    "one_hot_features",
    "policy_visitation",
    "reward_on_features",
    "soft_backward_kernel",
    "soft_bellman_sweep",
    "soft_fixed_point_kernel",
    "soft_value_iteration_discounted",
    "soft_value_iteration_finite",
    "train",
]
