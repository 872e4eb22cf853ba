"""Learning from observations alone: demonstrations of states without the expert's actions.

- ``inverse_dynamics.py``: ``p(a | s, s')`` learned from the agent's own interaction by BC over
  observation pairs, and the labeling of the expert's state pairs with it.
- ``bco.py``: BCO and BCO(alpha) (Torabi, Warnell & Stone 2018): label, then behavior cloning.

GAIfO (Torabi et al. 2018) is GAIL's loop (``algorithms/irl/adversarial.py``) with the
discriminator on ``(s, s')``: its config, ``GAIfOConfig``, is in ``configs/observations_only.py``,
and ``irl.adversarial.train`` runs it. The observation pair itself is ``envs/pairs.py``.
"""
