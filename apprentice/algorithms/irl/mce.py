"""Maximum-causal-entropy inverse RL on tabular MDPs (Ziebart et al. 2008; Ziebart 2010).

Learn reward parameters theta so that the soft-optimal policy of ``r_theta`` visits states (or
state-action pairs) as often as the expert does. Each iteration:

    1. soft value iteration on r_theta -> pi_theta          (``soft_bellman.py``)
    2. forward pass -> rho_theta = sum_t gamma^t Pr(s_t, a_t) (``visitation.py``)
    3. theta <- optax step on -grad L = E_theta[grad r] - E_E[grad r]   (``objective.py``)

until ``||rho_theta - rho_E||_inf <= occupancy_tol``. The whole loop is one jitted
``lax.while_loop`` in float64 (scoped ``jax.enable_x64``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jaxtyping import ArrayLike, Float, PRNGKeyArray

from apprentice.algorithms.configs.irl import MCEIRLConfig
from apprentice.algorithms.irl.expert import Expert, expert_target
from apprentice.algorithms.irl.objective import occupancy_matching_loss
from apprentice.algorithms.irl.rewards import (
    LinearReward,
    MLPReward,
    RewardModel,
    as_state_action,
    check_features,
    one_hot_features,
    reward_on_features,
)
from apprentice.algorithms.irl.soft_bellman import (
    SoftSolution,
    soft_backward_kernel,
    soft_fixed_point_kernel,
    soft_policy,
    soft_value_iteration_discounted,
    soft_value_iteration_finite,
)
from apprentice.algorithms.irl.visitation import (
    Visitation,
    discounted_visitation_kernel,
    finite_occupancy_kernel,
    finite_visitation_kernel,
    policy_visitation,
)
from apprentice.envs.tabular.mdp import FiniteHorizonMDP, TabularMDP
from apprentice.theory.precision import exact_scope, f64, to_numpy


@dataclass(frozen=True, eq=False)
class MCEIRLLog:
    """One entry per iteration, measured before that iteration's parameter update."""

    occupancy_linf: Float[np.ndarray, " n"]
    """max |learner occupancy - expert occupancy| (state or state-action, per ``reward_input``)."""
    occupancy_l1: Float[np.ndarray, " n"]
    """sum |learner occupancy - expert occupancy|."""
    gradient_norm: Float[np.ndarray, " n"]
    """L2 norm of the gradient over all reward parameters."""
    learner_return: Float[np.ndarray, " n"]
    """The learner's true return under the MDP's reward (see ``Visitation.expected_return``)."""
    soft_vi_sweeps: Float[np.ndarray, " n"]
    """Soft Bellman backups spent on the iteration's policy (H for a finite horizon)."""
    expert_return: float
    """The expert's true return, the same for every iteration; NaN when the expert was given as a
    bare occupancy that does not determine it (a finite horizon with gamma < 1)."""


@dataclass(frozen=True, eq=False)
class MCEIRLResult:
    """The learned reward, its soft-optimal policy and occupancy, and the training log."""

    reward_model: RewardModel
    """The learned model (parameters as numpy float64)."""
    rewards: Float[np.ndarray, "S A"]
    """The learned reward table r(s, a) (repeated over actions for a state reward)."""
    soft: SoftSolution
    """Soft values and the soft-optimal policy of ``rewards``."""
    visitation: Visitation
    """The learner's occupancy (``Visitation`` of ``soft.policy``)."""
    expert_occupancy: Float[np.ndarray, " S *A"]
    """The expert occupancy that was matched: ``[S]`` for state rewards, ``[S, A]`` otherwise."""
    log: MCEIRLLog
    """Per-iteration gaps and returns."""
    converged: bool
    """A stopping tolerance was met before ``max_iterations``."""
    seconds: float
    """Wall time of ``train``, compilation included."""

    @property
    def policy(self) -> Float[np.ndarray, "*H S A"]:
        """pi_t(a|s) (finite horizon, ``[H, S, A]``) or pi(a|s) (``[S, A]``)."""
        return self.soft.policy

    @property
    def n_iterations(self) -> int:
        return int(self.log.occupancy_linf.shape[0])


def _check_problem(config: MCEIRLConfig, mdp: FiniteHorizonMDP | TabularMDP) -> None:
    if config.horizon is None:
        if not isinstance(mdp, TabularMDP):
            raise ValueError(
                f"config.horizon=None (infinite horizon) needs a discounted TabularMDP; got "
                f"{type(mdp).__name__}" + (f" with horizon {mdp.horizon}" if hasattr(mdp, "horizon") else "")
            )
        if mdp.gamma != config.discount:
            raise ValueError(f"config.discount={config.discount} differs from mdp.gamma={mdp.gamma}")
    else:
        if not isinstance(mdp, FiniteHorizonMDP):
            raise ValueError(f"config.horizon={config.horizon} needs a FiniteHorizonMDP; got {type(mdp).__name__}")
        if mdp.horizon != config.horizon:
            raise ValueError(f"config.horizon={config.horizon} differs from mdp.horizon={mdp.horizon}")


@eqx.filter_jit
def _optimize(
    model,
    features,
    transitions,
    initial,
    true_rewards,
    target,
    discount,
    learning_rate,
    occupancy_tol,
    gradient_tol,
    soft_vi_tol,
    *,
    horizon,
    max_iterations,
    soft_vi_max_sweeps,
):
    """The training loop: a ``lax.while_loop`` over iterations, logs in preallocated buffers."""
    n_states, n_actions = transitions.shape[:2]
    params, static = eqx.partition(model, eqx.is_inexact_array)
    optimizer = optax.adam(learning_rate)

    def soft_optimal(rewards, warm_values):
        rewards = as_state_action(rewards, n_actions)
        if horizon is None:
            values, q_values, sweeps = soft_fixed_point_kernel(
                transitions, rewards, discount, warm_values, soft_vi_tol, soft_vi_max_sweeps
            )
            return soft_policy(q_values, values), values, sweeps
        values, q_values = soft_backward_kernel(transitions, rewards, discount, horizon)
        return soft_policy(q_values, values), warm_values, jnp.asarray(horizon)

    def occupancy_and_return(policy):
        if horizon is None:
            rho = discounted_visitation_kernel(transitions, policy, initial, discount)
            return rho, jnp.sum(rho * true_rewards)
        per_step, final = finite_visitation_kernel(transitions, policy, initial)
        rho, _ = finite_occupancy_kernel(per_step, final, discount)
        return rho, jnp.einsum("hsa,sa->", per_step, true_rewards)

    def loss(params, learner_occupancy):
        model = eqx.combine(params, static)
        return occupancy_matching_loss(model, features, learner_occupancy, target)

    def step(carry):
        iteration, params, opt_state, warm_values, _, logs = carry
        rewards = reward_on_features(eqx.combine(params, static), features)
        policy, warm_values, sweeps = soft_optimal(rewards, warm_values)
        rho, learner_return = occupancy_and_return(policy)
        learner = rho.sum(-1) if target.ndim == 1 else rho
        grads = jax.grad(loss)(params, learner)
        gap = jnp.abs(learner - target)
        gradient_norm = jnp.sqrt(sum(jnp.sum(g**2) for g in jax.tree.leaves(grads)))
        converged = (gap.max() <= occupancy_tol) | (gradient_norm <= gradient_tol)
        entry = jnp.stack([gap.max(), gap.sum(), gradient_norm, learner_return, sweeps.astype(gap.dtype)])
        logs = logs.at[:, iteration].set(entry)
        updates, new_opt_state = optimizer.update(grads, opt_state, params)
        new_params = optax.apply_updates(params, updates)

        def keep(old, new):  # a converged run keeps the parameters it was measured at
            return jnp.where(converged, old, new)

        params = jax.tree.map(keep, params, new_params)
        opt_state = jax.tree.map(keep, opt_state, new_opt_state)
        return iteration + 1, params, opt_state, warm_values, converged, logs

    def not_done(carry):
        iteration, *_, converged, _ = carry
        return (iteration < max_iterations) & ~converged

    logs = jnp.full((5, max_iterations), jnp.nan, dtype=transitions.dtype)
    start = (
        jnp.asarray(0),
        params,
        optimizer.init(params),
        jnp.zeros(n_states, transitions.dtype),
        jnp.asarray(False),
        logs,
    )
    iterations, params, _, _, converged, logs = jax.lax.while_loop(not_done, step, start)
    return eqx.combine(params, static), iterations, converged, logs


def train(
    key: PRNGKeyArray,
    config: MCEIRLConfig,
    mdp: FiniteHorizonMDP | TabularMDP,
    expert: Expert,
    features: Float[ArrayLike, "S *A K"] | None = None,
) -> MCEIRLResult:
    """Maximum-causal-entropy IRL: learn a reward whose soft-optimal policy matches the expert.

    Maximizes ``L(theta) = sum_t gamma^t E_E[log pi^theta_t(a_t|s_t)]`` by Adam on its gradient
    ``E_E[grad r_theta] - E_theta[grad r_theta]`` (expert minus learner feature expectations).

    Args:
        key: initializes the MLP reward (the linear reward starts at 0 and does not use it).
        config: the run's settings; ``config.horizon``/``discount`` must agree with ``mdp``.
        mdp: a ``FiniteHorizonMDP`` (``config.horizon`` = its horizon) or a discounted
            ``TabularMDP`` (``config.horizon=None``, ``config.discount`` = its gamma). Its reward
            is only used to report true returns.
        expert: a ``Visitation`` (e.g. ``policy_visitation`` of an expert policy), a
            ``Demonstrations`` (or list of ``Trajectory`` with state-index observations), or an
            occupancy array ``[S]`` / ``[S, A]`` summing to ``sum_{t<H} gamma^t``.
        features: ``[S, K]`` (state rewards) or ``[S, A, K]`` (state-action rewards); one-hot
            when None.

    Returns:
        ``MCEIRLResult``: learned reward table and model, soft policy, its ``Visitation``, log.

    Example:
        >>> mdp = imitation_five_state_mdp()
        >>> expert = policy_visitation(mdp, soft_value_iteration_finite(mdp).policy)
        >>> result = train(jax.random.key(0), MCEIRLConfig(horizon=20, discount=1.0), mdp, expert)
        >>> bool(result.converged)
        True
    """
    started = time.perf_counter()
    _check_problem(config, mdp)
    n_states, n_actions = mdp.n_states, mdp.n_actions
    target, expert_return = expert_target(expert, mdp, config.discount, config.horizon, config.reward_input)
    if features is None:
        features = one_hot_features(n_states, n_actions, config.reward_input)
    features = check_features(features, n_states, n_actions, config.reward_input)
    with exact_scope():
        if config.reward_model == "linear":
            model = LinearReward(jnp.zeros(features.shape[-1], dtype=jnp.float64))
        else:
            model = MLPReward.init(key, features.shape[-1], config.hidden_sizes)
            model = jax.tree.map(lambda x: x.astype(jnp.float64) if eqx.is_inexact_array(x) else x, model)
        model, iterations, converged, logs = _optimize(
            model,
            f64(features),
            f64(mdp.transitions),
            f64(mdp.initial),
            f64(mdp.rewards),
            f64(target),
            f64(config.discount),
            f64(config.learning_rate),
            f64(config.occupancy_tol),
            f64(config.gradient_tol),
            f64(config.soft_vi_tol),
            horizon=config.horizon,
            max_iterations=config.max_iterations,
            soft_vi_max_sweeps=config.soft_vi_max_sweeps,
        )
        iterations, logs = int(iterations), to_numpy(logs)
        rewards = to_numpy(as_state_action(reward_on_features(model, f64(features)), n_actions))
        model = jax.tree.map(lambda x: to_numpy(x) if eqx.is_inexact_array(x) else x, model)
    if config.horizon is None:
        assert isinstance(mdp, TabularMDP)  # _check_problem
        soft = soft_value_iteration_discounted(
            mdp, rewards, tol=config.soft_vi_tol, max_sweeps=config.soft_vi_max_sweeps
        )
    else:
        assert isinstance(mdp, FiniteHorizonMDP)  # _check_problem
        soft = soft_value_iteration_finite(mdp, rewards, config.discount)
    log = MCEIRLLog(*logs[:, :iterations], expert_return=expert_return)  # type: ignore[misc]  # *logs has no length for mypy
    if config.horizon is None and np.any(log.soft_vi_sweeps >= config.soft_vi_max_sweeps):
        raise RuntimeError(
            f"soft value iteration hit soft_vi_max_sweeps={config.soft_vi_max_sweeps} during "
            f"training (discount={config.discount}); raise it or soft_vi_tol"
        )
    return MCEIRLResult(
        reward_model=model,
        rewards=rewards,
        soft=soft,
        visitation=policy_visitation(mdp, soft.policy, config.discount),
        expert_occupancy=target,
        log=log,
        converged=bool(converged),
        seconds=time.perf_counter() - started,
    )
