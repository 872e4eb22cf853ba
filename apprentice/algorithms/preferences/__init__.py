"""Learning from preferences: the reward-model, DPO and IPO losses (``losses``), reward-model training (``reward_model.train``),
RLHF / DPO / IPO on a bandit where the optimum is known in closed form (``bandit``),
preference-based RL for control from segment comparisons (``control.train``), and, on a character
transformer, next-token prediction as behavior cloning (``next_token``), DPO / IPO (``text_dpo``),
RLHF (``text_rlhf``), an explicit text reward model (``text_reward_model``), the reward-against-KL
frontier (``text_frontier``) and explicit against implicit reward models (``reward_generalization``)."""

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
from apprentice.algorithms.preferences.next_token import NextTokenConfig, NextTokenResult
from apprentice.algorithms.preferences.pair_training import PairTrainingConfig
from apprentice.algorithms.preferences.reward_generalization import RewardGeneralizationConfig, explicit_vs_implicit
from apprentice.algorithms.preferences.reward_model import (
    RewardMLP,
    RewardModelConfig,
    RewardModelResult,
    SegmentReturn,
    reward_model_loss,
    rewards_of,
    train,
)
from apprentice.algorithms.preferences.text_dpo import TextPreferenceConfig, implicit_rewards, train_text_preferences
from apprentice.algorithms.preferences.text_frontier import (
    FrontierConfig,
    optimal_frontier,
    plot_frontier,
    reward_kl_frontier,
)
from apprentice.algorithms.preferences.text_policy import (
    TextTask,
    evaluate_text_policy,
    sample_responses,
    sentiment_task,
    text_preferences,
)
from apprentice.algorithms.preferences.text_reward import sentiment_reward
from apprentice.algorithms.preferences.text_reward_model import TextRewardModel, train_text_reward_model
from apprentice.algorithms.preferences.text_rlhf import TextRLHFConfig, train_text_rlhf
from apprentice.data.preferences import (
    Preferences,
    bradley_terry_preferences,
    bradley_terry_probability,
    random_pairs,
    sample_bradley_terry_labels,
)

__all__ = [
    "FrontierConfig",
    "NextTokenConfig",
    "NextTokenResult",
    "PairTrainingConfig",
    "RewardGeneralizationConfig",
    "TextPreferenceConfig",
    "TextRLHFConfig",
    "TextRewardModel",
    "TextTask",
    "evaluate_text_policy",
    "explicit_vs_implicit",
    "implicit_rewards",
    "optimal_frontier",
    "plot_frontier",
    "reward_kl_frontier",
    "sample_responses",
    "sentiment_reward",
    "sentiment_task",
    "text_preferences",
    "train_text_preferences",
    "train_text_reward_model",
    "train_text_rlhf",
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
