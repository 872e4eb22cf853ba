"""Experts by env id: scripted controllers, and policies trained by our SAC shipped in the package."""

from apprentice.experts.base import Expert, ExpertStats, normalized_score
from apprentice.experts.registry import available, load, read_stats, register, user_stats_path, write_stats

__all__ = [
    "Expert",
    "ExpertStats",
    "available",
    "load",
    "normalized_score",
    "read_stats",
    "register",
    "user_stats_path",
    "write_stats",
]
