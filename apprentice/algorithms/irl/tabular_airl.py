"""Exact tabular AIRL (Fu, Luo & Levine 2018) on a discounted ``TabularMDP``.

The discriminator is ``D(s, a, s') = exp(f) / (exp(f) + pi(a|s))``, so its logit is

    l(s, a, s') = f(s, a, s') - log pi(a|s),    f = g(s) [or g(s, a)] + gamma h(s') - h(s),

and it minimizes the logistic loss, expert transitions labelled 1 and the learner's 0,

    L_D = -E_{q_E(s,a) P(s'|s,a)}[log sigmoid(l)] - E_{q_pi(s,a) P(s'|s,a)}[log sigmoid(-l)],

where ``q(s, a) = (1 - gamma) rho(s, a)`` is a normalized discounted state-action occupancy
(``visitation.py``). Both expectations are exact sums over ``S x A x S``. The policy maximizes
``E[f - log pi]``: it is the soft-optimal (maximum-causal-entropy) policy for the reward ``f``,
and since ``gamma h(s') - h(s)`` is a potential shaping, that is the soft-optimal policy for
``g`` alone (``soft_bellman.py``): ``Q_f = Q_g - h(s)``, ``V_f = V_g - h``, same policy.

One outer iteration: ``disc_steps`` Adam steps on ``L_D`` (the policy held fixed), then
``log pi <- normalize((1 - policy_step) log pi + policy_step log pi_g)``, with ``pi_g`` the exact
soft-optimal policy of the current ``g`` (warm-started soft value iteration). The whole run is
one jitted ``lax.scan`` in float64 (scoped ``jax.enable_x64``).

Convergence (measured; random MDPs of 16 states, 4 actions, gamma 0.9, N(0, 1) state reward,
expert soft-optimal for it; ``disc_steps=20``, Adam 0.05):

- ``policy_step = 1`` (the exact soft-optimal policy of ``g`` every iteration) converged on
  Dirichlet(1) stochastic dynamics but stalled on deterministic ones (L-inf gap of ``rho``
  0.2-0.8 after 400-1000 iterations, discriminator loss below chance: the classic GAN cycle);
  more discriminator steps (200) made it worse.
- ``policy_step = 0.5`` converged on 7 of 10 deterministic MDPs; ``policy_step = 0.2`` (the
  default) on 10 of 10, to a gap <= 1.5e-3 within 1000 iterations, and on every stochastic MDP
  tried (gap ~1e-4 or less where the fixed point is the expert, see below).

What is recovered: at the fixed point the discriminator cannot tell the learner from the expert
(``pi = pi_E``, loss ``2 log 2``) and ``f`` is the expert's soft advantage ``log pi_E(a|s)``
where the model can express it. With a state-action ``g`` it can (``h`` constant,
``g = log pi_E``: the shaped, dynamics-entangled reward). With a state-only ``g`` and
deterministic dynamics, ``g = r + c, h = V*_soft + c'`` gives
``f = r + gamma V*(s') - V*(s) = log pi_E`` (the paper's disentanglement result; Pearson(g, r)
>= 0.998 on 10 random deterministic MDPs). With stochastic dynamics ``f`` changes with the
sampled ``s'`` while ``log pi_E`` does not, so ``l = 0`` is out of reach, the game's fixed point
is NOT the expert (measured gap 0.05-0.12) and ``g`` is only correlated with ``r`` (Pearson
0.81-0.97 on 10 Dirichlet(1) MDPs; 0.73 on the slippery gridworld of ``apprentice.envs.tabular.transfer_mdps``).
``shaping='expected'`` replaces ``gamma h(s')`` by ``gamma E[h(s')|s, a]`` (possible because the
model is known): then ``f = log pi_E`` forces ``u = V* - h`` to satisfy
``sum_s' P(s'|s, a) u(s')`` independent of ``a``, which for generic ``P`` leaves only constant
``u``, so ``g = r + c`` exactly (Pearson 1.0000 and gap <= 6e-5 on all 10 stochastic MDPs).

Example:
    >>> mdp = random_tabular_mdp(seed=0, n_states=5, n_actions=3, gamma=0.9)
    >>> expert = policy_visitation(mdp, soft_value_iteration_discounted(mdp).policy)
    >>> result = train(jax.random.key(0), TabularAIRLConfig(n_iterations=50), mdp, expert)
    >>> result.state_rewards.shape
    (5,)
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial
from typing import cast

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jaxtyping import Array, ArrayLike, Float, PRNGKeyArray

from apprentice.algorithms.configs.irl import RewardShape, Shaping, TabularAIRLConfig  # noqa: F401 (RewardShape: re-exported)
from apprentice.algorithms.irl.expert import (
    Expert,
    check_expert_occupancy,
    expert_target,
)
from apprentice.algorithms.irl.soft_bellman import soft_fixed_point_kernel
from apprentice.algorithms.irl.visitation import (
    Visitation,
    discounted_visitation,
    discounted_visitation_kernel,
)
from apprentice.envs.tabular.mdp import TabularMDP, validate_policy
from apprentice.theory.precision import exact_scope, f64, to_numpy

# --- pure kernels -------------------------------------------------------------------------------


def airl_f_kernel(
    g: Float[Array, " S *A"],
    h: Float[Array, " S"],
    transitions: Float[Array, "S A S"],
    discount: Float[Array, ""] | float,
    shaping: Shaping = "next_state",
) -> Float[Array, "S A S"]:
    """``f(s, a, s') = g(s[, a]) + gamma h(s') - h(s)`` as a table (pure).

    ``shaping='expected'`` uses ``gamma sum_s'' P(s''|s, a) h(s'')`` in place of
    ``gamma h(s')`` (the same for every ``s'``).
    """
    n_states, n_actions = transitions.shape[:2]
    g_table = jnp.broadcast_to(g[:, None] if g.ndim == 1 else g, (n_states, n_actions))
    if shaping == "expected":
        next_term = jnp.broadcast_to(jnp.einsum("sat,t->sa", transitions, h)[:, :, None], transitions.shape)
    else:
        next_term = jnp.broadcast_to(h[None, None, :], transitions.shape)
    return g_table[:, :, None] + discount * next_term - h[:, None, None]


def airl_logits_kernel(
    g: Float[Array, " S *A"],
    h: Float[Array, " S"],
    log_policy: Float[Array, "S A"],
    transitions: Float[Array, "S A S"],
    discount: Float[Array, ""] | float,
    shaping: Shaping = "next_state",
) -> Float[Array, "S A S"]:
    """``l(s, a, s') = f(s, a, s') - log pi(a|s)``, the logit of ``D = exp(f)/(exp(f) + pi)``."""
    return airl_f_kernel(g, h, transitions, discount, shaping) - log_policy[:, :, None]


def airl_loss_kernel(
    params: tuple[Float[Array, " S *A"], Float[Array, " S"]],
    log_policy: Float[Array, "S A"],
    transitions: Float[Array, "S A S"],
    expert_distribution: Float[Array, "S A"],
    learner_distribution: Float[Array, "S A"],
    discount: Float[Array, ""] | float,
    shaping: Shaping = "next_state",
) -> tuple[Float[Array, ""], dict[str, Float[Array, ""]]]:
    """``L_D`` summed exactly over ``(s, a, s')``; returns ``(loss, aux)`` (pure).

    ``expert_distribution`` and ``learner_distribution`` are normalized occupancies ``q(s, a)``
    (each sums to 1); the transition weights are ``q(s, a) P(s'|s, a)``. ``aux`` holds
    ``expert_accuracy = P_E(l > 0)`` and ``learner_accuracy = P_pi(l < 0)`` (ties count 1/2).
    """
    g, h = params
    logits = airl_logits_kernel(g, h, log_policy, transitions, discount, shaping)
    expert_weights = expert_distribution[:, :, None] * transitions
    learner_weights = learner_distribution[:, :, None] * transitions
    loss = -jnp.sum(expert_weights * jax.nn.log_sigmoid(logits)) - jnp.sum(
        learner_weights * jax.nn.log_sigmoid(-logits)
    )
    says_expert = jnp.where(logits > 0, 1.0, jnp.where(logits < 0, 0.0, 0.5))
    aux = {
        "expert_accuracy": jnp.sum(expert_weights * says_expert),
        "learner_accuracy": jnp.sum(learner_weights * (1.0 - says_expert)),
    }
    return loss, aux


# --- config, log, result ------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TabularAIRLLog:
    """One entry per outer iteration: the discriminator after its steps, the policy before its
    update (so entry k measures the policy that discriminator was trained against)."""

    disc_loss: Float[np.ndarray, " n"]
    """``L_D`` after the iteration's discriminator steps (2 log 2 ~ 1.386 = chance)."""
    expert_accuracy: Float[np.ndarray, " n"]
    """``P_E(l > 0)``: expert transitions the discriminator calls expert."""
    learner_accuracy: Float[np.ndarray, " n"]
    """``P_pi(l < 0)``: learner transitions it calls learner."""
    occupancy_linf: Float[np.ndarray, " n"]
    """``max |rho_pi(s, a) - rho_E(s, a)|`` (discounted visit counts, summing to 1/(1-gamma))."""
    learner_return: Float[np.ndarray, " n"]
    """The learner's true discounted return ``sum rho_pi r`` under ``mdp.rewards``."""
    soft_vi_sweeps: Float[np.ndarray, " n"]
    """Soft Bellman sweeps spent on the iteration's policy update."""
    expert_return: float
    """The expert's true return (from its occupancy)."""


@dataclass(frozen=True, eq=False)
class TabularAIRLResult:
    """The learned ``g`` and ``h``, the learner's policy and occupancy, and the training log."""

    g: Float[np.ndarray, " S *A"]
    """The learned reward: ``[S]`` (state-only) or ``[S, A]``."""
    h: Float[np.ndarray, " S"]
    """The learned shaping potential."""
    policy: Float[np.ndarray, "S A"]
    """The final learner policy (the one the last log entry measured, updated once more)."""
    visitation: Visitation
    """The occupancy of ``policy``."""
    expert_occupancy: Float[np.ndarray, "S A"]
    """The expert's ``rho_E(s, a)`` that was imitated."""
    log: TabularAIRLLog
    """Per-iteration losses, accuracies, gaps and returns."""
    gamma: float
    """The MDP's discount, used in ``f``."""
    shaping: Shaping
    """How ``f`` was shaped (``config.shaping``)."""
    seconds: float
    """Wall time of ``train``, compilation included."""

    @property
    def state_rewards(self) -> Float[np.ndarray, " S"]:
        """``g(s)``; for a state-action ``g``, its expert-policy average is NOT taken: raises."""
        if self.g.ndim != 1:
            raise ValueError("a state-action AIRL result has no state reward; use reward_table")
        return self.g

    @property
    def reward_table(self) -> Float[np.ndarray, "S A"]:
        """``g`` as ``[S, A]`` (a state reward repeated over actions): what to re-solve elsewhere."""
        n_actions = self.policy.shape[1]
        return np.repeat(self.g[:, None], n_actions, 1) if self.g.ndim == 1 else self.g

    def f(self, mdp: TabularMDP) -> Float[np.ndarray, "S A S"]:
        """``f(s, a, s') = g(s[, a]) + gamma h(s') - h(s)`` in ``mdp`` (the training MDP)."""
        with exact_scope():
            f = airl_f_kernel(
                f64(self.g),
                f64(self.h),
                f64(mdp.transitions),
                f64(self.gamma),
                self.shaping,
            )
            return to_numpy(f)

    def expected_f(self, mdp: TabularMDP) -> Float[np.ndarray, "S A"]:
        """``E_{s' ~ P(.|s, a)} f(s, a, s')``: the shaped reward the policy is soft-optimal for;
        at the fixed point it approaches the expert's soft advantage ``log pi_E(a|s)``."""
        return np.einsum("sat,sat->sa", mdp.transitions, self.f(mdp))


# --- training -----------------------------------------------------------------------------------


@partial(
    jax.jit,
    static_argnames=(
        "n_iterations",
        "disc_steps",
        "soft_vi_max_sweeps",
        "learning_rate",
        "shaping",
    ),
)
def _airl_loop(
    g,
    h,
    transitions,
    initial,
    true_rewards,
    expert_occupancy,
    discount,
    policy_step,
    soft_vi_tol,
    *,
    n_iterations,
    disc_steps,
    soft_vi_max_sweeps,
    learning_rate,
    shaping,
):
    """The training loop: ``lax.scan`` over outer iterations, an inner scan over disc steps."""
    n_states, n_actions = transitions.shape[:2]
    optimizer = optax.adam(learning_rate)
    expert_distribution = expert_occupancy * (1.0 - discount)
    grad_loss = jax.value_and_grad(airl_loss_kernel, has_aux=True)

    def soft_optimal_log_policy(g, warm_values):
        rewards = jnp.broadcast_to(g[:, None] if g.ndim == 1 else g, (n_states, n_actions))
        values, q_values, sweeps = soft_fixed_point_kernel(
            transitions, rewards, discount, warm_values, soft_vi_tol, soft_vi_max_sweeps
        )
        return q_values - values[:, None], values, sweeps

    def iteration(carry, _):
        params, opt_state, log_policy, warm_values = carry
        policy = jnp.exp(log_policy)
        rho = discounted_visitation_kernel(transitions, policy, initial, discount)
        learner_distribution = rho * (1.0 - discount)

        def disc_step(state, _):
            params, opt_state = state
            _, grads = grad_loss(
                params,
                log_policy,
                transitions,
                expert_distribution,
                learner_distribution,
                discount,
                shaping,
            )
            updates, opt_state = optimizer.update(grads, opt_state, params)
            return (optax.apply_updates(params, updates), opt_state), None

        (params, opt_state), _ = jax.lax.scan(disc_step, (params, opt_state), None, disc_steps)
        loss, aux = airl_loss_kernel(
            params,
            log_policy,
            transitions,
            expert_distribution,
            learner_distribution,
            discount,
            shaping,
        )
        target_log_policy, warm_values, sweeps = soft_optimal_log_policy(params[0], warm_values)
        mixed = (1.0 - policy_step) * log_policy + policy_step * target_log_policy
        new_log_policy = mixed - jax.nn.logsumexp(mixed, axis=1, keepdims=True)
        entry = jnp.stack(
            [
                loss,
                aux["expert_accuracy"],
                aux["learner_accuracy"],
                jnp.max(jnp.abs(rho - expert_occupancy)),
                jnp.sum(rho * true_rewards),
                sweeps.astype(loss.dtype),
            ]
        )
        return (params, opt_state, new_log_policy, warm_values), entry

    params = (g, h)
    log_policy, warm_values, _ = soft_optimal_log_policy(g, jnp.zeros(n_states, g.dtype))
    start = (params, optimizer.init(params), log_policy, warm_values)
    (params, _, log_policy, _), logs = jax.lax.scan(iteration, start, None, n_iterations)
    return params[0], params[1], jnp.exp(log_policy), logs.T


def train(
    key: PRNGKeyArray,
    config: TabularAIRLConfig,
    mdp: TabularMDP,
    expert: Expert,
) -> TabularAIRLResult:
    """Exact tabular AIRL: learn ``g``, ``h`` and a soft-optimal policy that imitates the expert.

    Args:
        key: draws the initial ``g`` and ``h`` when ``config.init_scale > 0`` (else unused).
        config: the run's settings.
        mdp: a discounted ``TabularMDP``; its ``gamma`` is the discount in ``f`` and its reward
            is only used to report true returns.
        expert: a ``Visitation`` (``policy_visitation(mdp, expert_policy)``), a
            ``Demonstrations`` (or list of ``Trajectory`` with state-index observations; the
            empirical occupancy of truncated episodes, rescaled, see ``demonstrations.py``), or
            a state-action occupancy array ``[S, A]`` summing to ``1 / (1 - gamma)``.

    Returns:
        ``TabularAIRLResult`` with ``g`` (``[S]`` or ``[S, A]``), ``h``, the policy, its
        ``Visitation`` and the per-iteration log.

    Example:
        >>> mdp = random_tabular_mdp(seed=0, n_states=5, n_actions=3, gamma=0.9)
        >>> expert = policy_visitation(mdp, soft_value_iteration_discounted(mdp).policy)
        >>> config = TabularAIRLConfig(reward_shape="state_action", n_iterations=50)
        >>> train(jax.random.key(0), config, mdp, expert).g.shape
        (5, 3)
    """
    started = time.perf_counter()
    if not isinstance(mdp, TabularMDP):
        raise TypeError(f"mdp must be a discounted TabularMDP (tabular AIRL needs gamma < 1); got {type(mdp).__name__}")
    if not isinstance(config, TabularAIRLConfig):
        raise TypeError(f"config must be a TabularAIRLConfig; got {type(config).__name__}")
    n_states, n_actions = mdp.n_states, mdp.n_actions
    occupancy, expert_return = expert_target(expert, mdp, mdp.gamma, None, "state_action")
    g_shape = (n_states,) if config.reward_shape == "state" else (n_states, n_actions)
    g_key, h_key = jax.random.split(key)
    with exact_scope():
        g = config.init_scale * jax.random.normal(g_key, g_shape, dtype=jnp.float64)
        h = config.init_scale * jax.random.normal(h_key, (n_states,), dtype=jnp.float64)
        g, h, policy, logs = _airl_loop(
            g,
            h,
            f64(mdp.transitions),
            f64(mdp.initial),
            f64(mdp.rewards),
            f64(occupancy),
            f64(mdp.gamma),
            f64(config.policy_step),
            f64(config.soft_vi_tol),
            n_iterations=int(config.n_iterations),
            disc_steps=int(config.disc_steps),
            soft_vi_max_sweeps=int(config.soft_vi_max_sweeps),
            learning_rate=float(config.learning_rate),
            shaping=config.shaping,
        )
        g, h, policy, logs = to_numpy(g), to_numpy(h), to_numpy(policy), to_numpy(logs)
    if np.any(logs[5] >= config.soft_vi_max_sweeps):
        raise RuntimeError(
            f"soft value iteration hit soft_vi_max_sweeps={config.soft_vi_max_sweeps} during "
            f"training (gamma={mdp.gamma}); raise it or soft_vi_tol"
        )
    policy = policy / policy.sum(-1, keepdims=True)  # round-off only
    return TabularAIRLResult(
        g=g,
        h=h,
        policy=policy,
        visitation=discounted_visitation(mdp, policy),
        expert_occupancy=occupancy,
        log=TabularAIRLLog(*logs, expert_return=expert_return),  # type: ignore[misc]  # *logs has no length for mypy
        gamma=mdp.gamma,
        shaping=config.shaping,
        seconds=time.perf_counter() - started,
    )


# --- validated helpers --------------------------------------------------------------------------


def airl_discriminator_loss(
    g: Float[ArrayLike, " S *A"],
    h: Float[ArrayLike, " S"],
    policy: Float[ArrayLike, "S A"],
    mdp: TabularMDP,
    expert_occupancy: Float[ArrayLike, "S A"],
    learner_occupancy: Float[ArrayLike, "S A"],
    shaping: Shaping = "next_state",
) -> tuple[float, dict[str, float]]:
    """``L_D`` at given ``g``, ``h``, ``pi`` and occupancies (float64, validated).

    ``L_D = -sum q_E(s,a) P(s'|s,a) log sigmoid(l) - sum q_pi(s,a) P(s'|s,a) log sigmoid(-l)``
    with ``l = g + gamma h(s') - h(s) - log pi(a|s)`` and ``q = (1 - gamma) rho``; the
    occupancies ``rho`` are discounted visit counts summing to ``1 / (1 - gamma)``.

    Example:
        >>> mdp = random_tabular_mdp(seed=0, n_states=3, n_actions=2, gamma=0.9)
        >>> uniform = np.full((3, 2), 0.5)
        >>> rho = discounted_visitation(mdp, uniform).state_action_occupancy
        >>> loss, _ = airl_discriminator_loss(np.zeros(3), np.zeros(3), uniform, mdp, rho, rho)
        >>> round(loss, 6)  # l = log 2 everywhere
        1.474077
    """
    g, h, policy = _check_tables(g, h, policy, mdp)
    occupancies = []
    for name, occupancy in (
        ("expert", expert_occupancy),
        ("learner", learner_occupancy),
    ):
        array = np.asarray(occupancy, dtype=np.float64)
        if array.shape != (mdp.n_states, mdp.n_actions):
            raise ValueError(
                f"{name}_occupancy must have shape (S, A) = ({mdp.n_states}, {mdp.n_actions}); got {array.shape}"
            )
        occupancies.append(check_expert_occupancy(array, mdp.n_states, mdp.n_actions, mdp.gamma, None))
    with exact_scope():
        loss, aux = airl_loss_kernel(
            (f64(g), f64(h)),
            jnp.log(f64(policy)),
            f64(mdp.transitions),
            f64(occupancies[0] * (1.0 - mdp.gamma)),
            f64(occupancies[1] * (1.0 - mdp.gamma)),
            f64(mdp.gamma),
            _check_shaping(shaping),
        )
        return float(loss), {name: float(value) for name, value in aux.items()}


def airl_logits(
    g: Float[ArrayLike, " S *A"],
    h: Float[ArrayLike, " S"],
    policy: Float[ArrayLike, "S A"],
    mdp: TabularMDP,
    shaping: Shaping = "next_state",
) -> Float[np.ndarray, "S A S"]:
    """The discriminator's logit table ``l(s, a, s') = f(s, a, s') - log pi(a|s)`` (float64)."""
    g, h, policy = _check_tables(g, h, policy, mdp)
    with exact_scope():
        logits = airl_logits_kernel(
            f64(g),
            f64(h),
            jnp.log(f64(policy)),
            f64(mdp.transitions),
            f64(mdp.gamma),
            _check_shaping(shaping),
        )
        return to_numpy(logits)


def _check_shaping(shaping: str) -> Shaping:
    if shaping not in ("next_state", "expected"):
        raise ValueError(f"shaping must be 'next_state' or 'expected'; got {shaping!r}")
    return cast(Shaping, shaping)


def _check_tables(g, h, policy, mdp: TabularMDP):
    if not isinstance(mdp, TabularMDP):
        raise TypeError(f"mdp must be a discounted TabularMDP; got {type(mdp).__name__}")
    n_states, n_actions = mdp.n_states, mdp.n_actions
    g, h = np.asarray(g, dtype=np.float64), np.asarray(h, dtype=np.float64)
    if g.shape not in ((n_states,), (n_states, n_actions)):
        raise ValueError(f"g must have shape (S,) = ({n_states},) or (S, A) = ({n_states}, {n_actions}); got {g.shape}")
    if h.shape != (n_states,):
        raise ValueError(f"h must have shape (S,) = ({n_states},); got {h.shape}")
    if not (np.all(np.isfinite(g)) and np.all(np.isfinite(h))):
        raise ValueError("g and h must be finite; they contain NaN or inf")
    policy = validate_policy(policy, n_states, n_actions)
    if policy.ndim != 2:
        raise ValueError(f"policy must have shape (S, A) = ({n_states}, {n_actions}); got {policy.shape}")
    return g, h, policy
