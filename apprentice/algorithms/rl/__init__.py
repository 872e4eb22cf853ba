"""Reinforcement learning: the inner loop of inverse RL and RLHF, and how experts are trained."""

from apprentice.algorithms.rl.common import (
    EpisodeTracker,
    RewardFn,
    RLResult,
    batch_rewards,
)
from apprentice.algorithms.rl.ppo import train as train_ppo
from apprentice.algorithms.rl.ppo_core import PPOConfig
from apprentice.algorithms.rl.sac import SACConfig
from apprentice.algorithms.rl.sac import train as train_sac

__all__ = [
    "EpisodeTracker",
    "PPOConfig",
    "RLResult",
    "RewardFn",
    "SACConfig",
    "batch_rewards",
    "train_ppo",
    "train_sac",
]
