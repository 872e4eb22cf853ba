"""Experts by env id: scripted controllers, and policies trained by our SAC shipped in the package."""

from apprentice.experts.base import Expert, ExpertStats
from apprentice.experts.registry import available, load, read_stats, register, write_stats

__all__ = ["Expert", "ExpertStats", "available", "load", "read_stats", "register", "write_stats"]
