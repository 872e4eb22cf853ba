"""Reinforcement learning: the inner loop of inverse RL and RLHF, and how experts are trained."""

from apprentice.algorithms.rl.common import EpisodeTracker, RewardFn, RLResult, batch_rewards
from apprentice.algorithms.rl.sac import SACConfig
from apprentice.algorithms.rl.sac import train as train_sac

__all__ = ["EpisodeTracker", "RLResult", "RewardFn", "SACConfig", "batch_rewards", "train_sac"]
