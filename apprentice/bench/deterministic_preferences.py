"""DPO against IPO on a bandit where one arm always wins: Azar et al. 2023's point, measured.

With deterministic preferences (a Bradley-Terry rater at temperature 0), IPO's log-ratio margin
settles at ``1 / (2 tau)``, while DPO's loss has no minimum at a finite margin and its margin
keeps growing: DPO's KL regularization toward the reference has no effect. Built on the bandit
trainers of :mod:`apprentice.algorithms.preferences.bandit`; the figure is
:func:`apprentice.report.preference_plots.plot_preference_margins`. Numbers in docs/preferences.md.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import PRNGKeyArray

from apprentice.algorithms.preferences.bandit import BanditPreferenceConfig, train_preference_bandit
from apprentice.data.preferences import bradley_terry_preferences


def deterministic_preference_experiment(
    key: PRNGKeyArray,
    *,
    n_arms: int = 2,
    tau: float = 0.1,
    n_pairs: int = 64,
    n_steps: int = 2000,
    batch_size: int = 32,
    learning_rate: float = 0.01,
) -> dict:
    """DPO against IPO when arm 0 always wins (Azar et al. 2023's example), with ``beta = tau``.

    Pairs compare arm 0 with a uniformly drawn other arm, labelled by a Bradley-Terry rater at
    temperature 0 from the rewards ``r = (1, 0, ..., 0)`` (so arm 0 is always chosen); the reference
    is uniform. IPO's optimum puts every margin at ``h = 1/(2 tau)``; DPO's loss has no minimum at
    finite ``h`` and its margin grows for as long as it trains. Measured (defaults, key 0): IPO's
    margin 4.87 / 4.99992 / 4.99999 after 500 / 1000 / 2000 steps, DPO's 8.9 / 15.6 / 25.4, with
    DPO's ``pi(arm 1)`` down to 1e-11 against IPO's 0.0067 (``= 1 / (1 + e^5)``). Adam's normalized
    steps keep DPO's margin growing almost linearly; plain gradient descent would slow it to about
    ``log t``, but never stop it.

    Returns:
        ``steps`` (1..n_steps), ``dpo_margin`` and ``ipo_margin`` (mean ``h`` over the pairs after
        each step), ``target_margin`` ``= 1/(2 tau)``, ``tau``, and the final ``dpo_policy`` and
        ``ipo_policy`` (``(K,)``).

    Example:
        >>> out = deterministic_preference_experiment(jax.random.key(0))
        >>> out["ipo_margin"][-1], out["target_margin"], out["dpo_margin"][-1]
    """
    if n_arms < 2:
        raise ValueError(f"n_arms: expected at least 2 arms, got {n_arms}")
    pair_key, order_key, label_key, train_key = jax.random.split(key, 4)
    other = jax.random.randint(pair_key, (n_pairs,), 1, n_arms)
    first_is_best = jax.random.bernoulli(order_key, 0.5, (n_pairs,))
    first, second = jnp.where(first_is_best, 0, other), jnp.where(first_is_best, other, 0)
    rewards = jnp.zeros(n_arms).at[0].set(1.0)
    data = bradley_terry_preferences(label_key, lambda arm: rewards[arm], first, second, temperature=0.0)
    reference = jnp.full(n_arms, 1.0 / n_arms)
    out = {"steps": np.arange(1, n_steps + 1), "target_margin": 1.0 / (2.0 * tau), "tau": tau}
    for loss in ("dpo", "ipo"):
        config = BanditPreferenceConfig(
            loss=loss, beta=tau, n_steps=n_steps, batch_size=batch_size, learning_rate=learning_rate
        )
        result = train_preference_bandit(train_key, config, data, reference)
        out[f"{loss}_margin"], out[f"{loss}_policy"] = result.margins, result.policy[0]
    return out
