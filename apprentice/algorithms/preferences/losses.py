"""Losses for learning from pairwise preferences, as written in the literature.

Every loss is a pure function of per-pair scalars (rewards or log-probabilities), so it serves a
reward MLP on trajectory segments, a tabular bandit policy and a language model alike. Each
takes an optional ``mask`` (1 for a real pair, 0 for padding) and returns the masked mean over
pairs, ``sum_i mask_i l_i / sum_i mask_i``.

Reward model (Bradley-Terry, Bradley & Terry 1952; Christiano et al. 2017; Ouyang et al. 2022):

    L_BT = -log sigmoid(r(x, y_w) - r(x, y_l))

DPO (Rafailov et al. 2023, eq. 7), with the log-ratio margin

    h = [log pi(y_w|x) - log pi_ref(y_w|x)] - [log pi(y_l|x) - log pi_ref(y_l|x)]
    L_DPO = -log sigmoid(beta h)

IPO (Azar et al. 2023, "A General Theoretical Paradigm to Understand Learning from Human
Preferences", arXiv:2310.12036v2, eq. 17), with the same ``h`` and regularization ``tau``:

    L_IPO = (h - 1 / (2 tau))^2
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Float


def _masked_mean(values: Float[Array, " n"], mask: Float[ArrayLike, " n"] | None) -> Float[Array, ""]:
    if mask is None:
        return jnp.mean(values)
    mask = jnp.asarray(mask, values.dtype)
    return jnp.sum(mask * values) / jnp.maximum(jnp.sum(mask), 1.0)


def _require_same_shape(**arrays: ArrayLike | None) -> None:
    shapes = {name: jnp.shape(value) for name, value in arrays.items() if value is not None}
    first_name, first_shape = next(iter(shapes.items()))
    for name, shape in shapes.items():
        if shape != first_shape:
            raise ValueError(
                f"{name}: expected the shape of {first_name} {first_shape} (one value per pair), got {shape}"
            )


def bradley_terry_loss(
    chosen_rewards: Float[ArrayLike, " n"],
    rejected_rewards: Float[ArrayLike, " n"],
    *,
    margin: Float[ArrayLike, " n"] | float = 0.0,
    probability: Float[ArrayLike, " n"] | None = None,
    centering_coef: float = 0.0,
    mask: Float[ArrayLike, " n"] | None = None,
) -> Float[Array, ""]:
    """The Bradley-Terry negative log-likelihood of the preferences, with its common variants.

    With ``d = r(x, y_w) - r(x, y_l) - m`` and the soft label ``p = P(y_w > y_l)``:

        l = p * -log sigmoid(d) + (1 - p) * -log sigmoid(-d) + c * (r(x, y_w) + r(x, y_l))^2

    * ``p = 1`` (``probability=None``), ``m = 0``, ``c = 0``: the reward-model loss of Christiano
      et al. 2017 and InstructGPT (Ouyang et al. 2022), ``-log sigmoid(r_w - r_l)``.
    * ``margin`` ``m`` (a scalar or one per pair): Llama 2's margin loss (Touvron et al. 2023),
      ``-log sigmoid(r_w - r_l - m)``, asks for a gap of at least about ``m``. With soft labels the
      margin shifts the logit of both terms (``p`` is the probability that ``r_w - r_l > m``).
    * ``probability`` ``p``: the binary cross-entropy against a soft label; it is minimized at
      ``sigmoid(d) = p`` rather than pushing ``d`` to infinity (Christiano et al. 2017 mix 10%
      uniform labels in the same spirit).
    * ``centering_coef`` ``c``: the auxiliary ``c (r_w + r_l)^2`` of Eisenstein et al. 2023
      ("Helping or Herding?"; they use ``c = 0.01``), which pins the reward's free additive
      constant to about zero.

    Example:
        >>> float(bradley_terry_loss(jnp.array([1.0]), jnp.array([0.0])))  # -log sigmoid(1)
        0.3132616877555847
    """
    chosen_rewards, rejected_rewards = (
        jnp.asarray(chosen_rewards, jnp.float32),
        jnp.asarray(rejected_rewards, jnp.float32),
    )
    _require_same_shape(
        chosen_rewards=chosen_rewards, rejected_rewards=rejected_rewards, probability=probability, mask=mask
    )
    logit = chosen_rewards - rejected_rewards - margin
    per_pair = -jax.nn.log_sigmoid(logit)
    if probability is not None:
        probability = jnp.asarray(probability, jnp.float32)
        per_pair = probability * per_pair + (1.0 - probability) * -jax.nn.log_sigmoid(-logit)
    if centering_coef:
        per_pair = per_pair + centering_coef * (chosen_rewards + rejected_rewards) ** 2
    return _masked_mean(per_pair, mask)


def log_ratio_margin(
    policy_chosen_logps: Float[ArrayLike, " n"],
    policy_rejected_logps: Float[ArrayLike, " n"],
    reference_chosen_logps: Float[ArrayLike, " n"],
    reference_rejected_logps: Float[ArrayLike, " n"],
) -> Float[Array, " n"]:
    """``h = [log pi(y_w|x) - log pi_ref(y_w|x)] - [log pi(y_l|x) - log pi_ref(y_l|x)]``, per pair.

    ``h`` is what DPO and IPO act on (Azar et al.'s ``h_pi(y_w, y_l, x)``); ``beta h`` is DPO's
    implicit reward gap. For sequences the log-probabilities are sums over tokens.
    """
    arrays = [
        jnp.asarray(a, jnp.float32)
        for a in (policy_chosen_logps, policy_rejected_logps, reference_chosen_logps, reference_rejected_logps)
    ]
    _require_same_shape(
        policy_chosen_logps=arrays[0],
        policy_rejected_logps=arrays[1],
        reference_chosen_logps=arrays[2],
        reference_rejected_logps=arrays[3],
    )
    return (arrays[0] - arrays[2]) - (arrays[1] - arrays[3])


def dpo_loss(
    policy_chosen_logps: Float[ArrayLike, " n"],
    policy_rejected_logps: Float[ArrayLike, " n"],
    reference_chosen_logps: Float[ArrayLike, " n"],
    reference_rejected_logps: Float[ArrayLike, " n"],
    beta: float,
    *,
    mask: Float[ArrayLike, " n"] | None = None,
) -> Float[Array, ""]:
    """Direct Preference Optimization (Rafailov et al. 2023, eq. 7): ``-log sigmoid(beta h)``.

        L_DPO = -log sigmoid(beta [(log pi(y_w|x) - log pi_ref(y_w|x)) - (log pi(y_l|x) - log pi_ref(y_l|x))])

    It is the Bradley-Terry loss of the implicit reward ``r(x, y) = beta log(pi(y|x) / pi_ref(y|x))``;
    its gradient in ``log pi(y_w|x)`` is ``-beta sigmoid(-beta h) / n`` and in ``log pi(y_l|x)``
    ``+beta sigmoid(-beta h) / n`` (``n`` pairs), which never vanishes at finite ``h``: with
    deterministic preferences ``h`` grows without bound (Azar et al. 2023, on DPO's weak
    regularisation; see :func:`apprentice.bench.deterministic_preferences.deterministic_preference_experiment`).

    Example:
        >>> float(dpo_loss(jnp.array([-1.0]), jnp.array([-2.0]), jnp.array([-1.5]), jnp.array([-1.5]), beta=1.0))
        0.3132616877555847
    """
    if not beta > 0:
        raise ValueError(f"beta: expected a positive KL coefficient, got {beta}")
    h = log_ratio_margin(policy_chosen_logps, policy_rejected_logps, reference_chosen_logps, reference_rejected_logps)
    _require_same_shape(h=h, mask=mask)
    return _masked_mean(-jax.nn.log_sigmoid(beta * h), mask)


def ipo_loss(
    policy_chosen_logps: Float[ArrayLike, " n"],
    policy_rejected_logps: Float[ArrayLike, " n"],
    reference_chosen_logps: Float[ArrayLike, " n"],
    reference_rejected_logps: Float[ArrayLike, " n"],
    tau: float,
    *,
    mask: Float[ArrayLike, " n"] | None = None,
) -> Float[Array, ""]:
    """Identity Preference Optimization (Azar et al. 2023, arXiv:2310.12036v2, eq. 17): ``(h - 1/(2 tau))^2``.

        L_IPO = ( log[ pi(y_w|x) pi_ref(y_l|x) / (pi(y_l|x) pi_ref(y_w|x)) ] - tau^{-1} / 2 )^2

    ``tau`` is the KL coefficient of ``max_pi E[p*(y > mu)] - tau KL(pi || pi_ref)`` (the ``beta``
    of DPO; TRL passes its ``beta`` here). The normalization is the paper's: ``h`` uses the full
    log-probabilities (for sequences, sums over tokens; TRL's ``ipo`` instead averages over
    tokens, which changes the scale of ``h``). A square regresses ``h`` onto the finite target
    ``1 / (2 tau)``, so, unlike DPO, the margin stays bounded when one item always wins.

    Example:
        >>> float(ipo_loss(jnp.array([0.0]), jnp.array([0.0]), jnp.array([0.0]), jnp.array([0.0]), tau=0.5))  # (0 - 1)^2
        1.0
    """
    if not tau > 0:
        raise ValueError(f"tau: expected a positive regularization coefficient, got {tau}")
    h = log_ratio_margin(policy_chosen_logps, policy_rejected_logps, reference_chosen_logps, reference_rejected_logps)
    _require_same_shape(h=h, mask=mask)
    return _masked_mean((h - 1.0 / (2.0 * tau)) ** 2, mask)


def preference_accuracy(
    chosen_scores: Float[ArrayLike, " n"],
    rejected_scores: Float[ArrayLike, " n"],
    *,
    mask: Float[ArrayLike, " n"] | None = None,
) -> Float[Array, ""]:
    """The fraction of pairs ordered correctly, ``mean 1[s_w > s_l]``, a tie counting 1/2.

    Ties count half so that a constant model scores exactly chance (0.5), not 0. The scores can
    be rewards or DPO's implicit rewards ``beta log(pi / pi_ref)``.

    Example:
        >>> float(preference_accuracy(jnp.array([1.0, 0.0, 2.0]), jnp.array([0.0, 1.0, 2.0])))  # (1 + 0 + 1/2) / 3
        0.5
    """
    chosen_scores, rejected_scores = jnp.asarray(chosen_scores), jnp.asarray(rejected_scores)
    _require_same_shape(chosen_scores=chosen_scores, rejected_scores=rejected_scores, mask=mask)
    correct = jnp.where(chosen_scores > rejected_scores, 1.0, jnp.where(chosen_scores == rejected_scores, 0.5, 0.0))
    return _masked_mean(correct, mask)
