"""Learning from preferences: the reward-model, DPO and IPO losses (``losses``), reward-model training (``reward_model.train``),
RLHF / DPO / IPO on a bandit where the optimum is known in closed form (``bandit``), and
preference-based RL for control from segment comparisons (``control.train``)."""

from apprentice.algorithms.preferences.bandit import (
    BanditPreferenceConfig,
    BanditPreferenceResult,
    BanditRLHFConfig,
    BanditRLHFResult,
    deterministic_preference_experiment,
    kl_regularized_objective,
    optimal_policy,
    plot_preference_margins,
    total_variation,
    train_preference_bandit,
    train_rlhf,
)
from apprentice.algorithms.preferences.control import PreferenceRLConfig, PreferenceRLResult
from apprentice.algorithms.preferences.losses import (
    bradley_terry_loss,
    dpo_loss,
    ipo_loss,
    log_ratio_margin,
    preference_accuracy,
)
from apprentice.algorithms.preferences.reward_model import (
    RewardMLP,
    RewardModelConfig,
    RewardModelResult,
    SegmentReturn,
    reward_model_loss,
    rewards_of,
    train,
)
from apprentice.data.preferences import (
    Preferences,
    bradley_terry_preferences,
    bradley_terry_probability,
    random_pairs,
    sample_bradley_terry_labels,
)

__all__ = [
    "BanditPreferenceConfig",
    "BanditPreferenceResult",
    "BanditRLHFConfig",
    "BanditRLHFResult",
    "PreferenceRLConfig",
    "PreferenceRLResult",
    "Preferences",
    "RewardMLP",
    "RewardModelConfig",
    "RewardModelResult",
    "SegmentReturn",
    "bradley_terry_loss",
    "bradley_terry_preferences",
    "bradley_terry_probability",
    "deterministic_preference_experiment",
    "dpo_loss",
    "ipo_loss",
    "kl_regularized_objective",
    "log_ratio_margin",
    "optimal_policy",
    "plot_preference_margins",
    "preference_accuracy",
    "random_pairs",
    "reward_model_loss",
    "rewards_of",
    "sample_bradley_terry_labels",
    "total_variation",
    "train",
    "train_preference_bandit",
    "train_rlhf",
]
