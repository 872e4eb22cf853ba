"""Experts by env id: scripted controllers now, trained policies later."""

from apprentice.experts.base import Expert, ExpertStats
from apprentice.experts.registry import available, load, read_stats, register, write_stats

__all__ = ["Expert", "ExpertStats", "available", "load", "read_stats", "register", "write_stats"]
