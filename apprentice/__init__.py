"""apprentice: imitation learning in JAX (behavior cloning, DAgger, inverse RL, preferences)."""

__version__ = "0.1.0"
