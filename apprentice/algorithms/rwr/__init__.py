"""Reward-weighted regression iterated into policy search (RWR), advantage-weighted regression
(AWR), and "PG = RWR" shown numerically.

- :mod:`~apprentice.algorithms.rwr.loop`: the shared iteration (iteration 0 on demonstrations or
  random episodes; then collect with the current policy's sampled actions, refit, evaluate);
- :mod:`~apprentice.algorithms.rwr.iterated`: iterated RWR (Peters & Schaal 2007);
- :mod:`~apprentice.algorithms.rwr.advantages`: AWR's value targets, value regression and weights;
- :mod:`~apprentice.algorithms.rwr.awr`: AWR (Peng et al. 2019), online and offline;
- :mod:`~apprentice.algorithms.rwr.pg_identity`: the RWR-loss gradient and the REINFORCE gradient.
"""

from apprentice.algorithms.configs.rwr import AWRConfig, RWRConfig
from apprentice.algorithms.rwr.loop import PolicySearchResult

__all__ = ["AWRConfig", "PolicySearchResult", "RWRConfig"]
