"""DAgger's mixing schedules: the probability beta_i that the expert acts in round i.

Ross, Gordon & Bagnell (2011) roll out ``pi_i = beta_i pi* + (1 - beta_i) pihat_i``. Their first
iteration is the expert alone (``beta_1 = 1``); here that is round 0, the initial
demonstrations, so round ``r >= 1`` is their iteration ``r + 1``.
"""

from __future__ import annotations

from apprentice.algorithms.configs.dagger import BetaSchedule


def beta_at(schedule: BetaSchedule, round_index: int, beta: float = 0.5, decay: float = 0.5) -> float:
    """``beta`` for ``round_index``: 1 in round 0; then ``beta`` (constant), ``decay ** r``
    (exponential, the paper's ``p^(i-1)``), or 0 (pure DAgger, the indicator ``I(i = 1)``).

    Example:
        >>> [beta_at("exponential", r, decay=0.5) for r in range(4)]
        [1.0, 0.5, 0.25, 0.125]
    """
    if round_index == 0:
        return 1.0
    if schedule == "constant":
        if not 0.0 <= beta <= 1.0:
            raise ValueError(f"beta: expected a probability in [0, 1], got {beta}")
        return float(beta)
    if schedule == "exponential":
        if not 0.0 <= decay <= 1.0:
            raise ValueError(f"beta_decay: expected a value in [0, 1], got {decay}")
        return float(decay**round_index)
    if schedule == "pure":
        return 0.0
    raise ValueError(f"beta_schedule: expected 'constant', 'exponential' or 'pure', got {schedule!r}")
