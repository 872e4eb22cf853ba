"""AWR's critic: value targets of episodes, the value regression, and the advantage weights.

Value targets, per episode ``s_0 .. s_T`` with rewards ``r_0 .. r_{T-1}`` (Sutton & Barto, ch. 12):

- ``monte_carlo``: ``G_t = sum_{k >= t} gamma^(k - t) r_k`` (no bootstrap, even where a time limit
  cut the episode);
- ``td_lambda``: ``G_t = r_t + gamma ((1 - lambda) V(s_{t+1}) + lambda G_{t+1})``, ending in
  ``r_{T-1} + gamma V(s_T)`` where the episode was cut short and in ``r_{T-1}`` past a terminal
  state; ``lambda = 1`` is Monte Carlo bootstrapped at the cut.

Both are PPO's reverse scan (:func:`~apprentice.algorithms.rl.ppo_core.gae`, whose targets are
``A + V``), run on one episode as a batch of one env. The advantage of a step is
``A(s_t, a_t) = G_t - V(s_t)`` under the value network refit to the targets, and its weight
``min(exp(A / beta), max_weight)`` (Peng et al. 2019, eq. 13 and the clip of its section 5).
"""

from __future__ import annotations

import functools

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jaxtyping import Array, Float, PRNGKeyArray

from apprentice.algorithms.configs.rwr import ValueTarget
from apprentice.algorithms.rl.ppo_core import gae
from apprentice.data import trees
from apprentice.data.trajectory import Trajectory
from apprentice.policies.value import ValueNetwork


def advantage_weights(advantages: np.ndarray, beta: float, max_weight: float, normalize: bool = False) -> np.ndarray:
    """``min(exp(A / beta), max_weight)`` per step; with ``normalize``, A is first divided by its
    standard deviation (so beta counts standard deviations).

    Example:
        >>> advantage_weights(np.array([-1.0, 0.0, 1.0, 5.0]), beta=1.0, max_weight=20.0)
        array([ 0.36787944,  1.        ,  2.71828183, 20.        ])
    """
    advantages = np.asarray(advantages, np.float64)
    if advantages.ndim != 1 or advantages.size == 0:
        raise ValueError(f"advantages: expected a non-empty 1-D array, got shape {advantages.shape}")
    if beta <= 0 or max_weight <= 0:
        raise ValueError(f"beta and max_weight: expected positive numbers, got beta={beta}, max_weight={max_weight}")
    if normalize:
        advantages = advantages / max(float(np.std(advantages)), 1e-8)
    # exp(min(A / beta, log max_weight)) == min(exp(A / beta), max_weight) without overflow
    return np.exp(np.minimum(advantages / beta, np.log(max_weight)))


def episode_values(value: ValueNetwork, trajectories: list[Trajectory]) -> list[np.ndarray]:
    """``V(s_0) .. V(s_T)`` of each trajectory (``T + 1`` numbers each), from one jitted call over
    all their observations, padded to a power of two so that a growing buffer compiles rarely."""
    observations = trees.concatenate([t.observations for t in trajectories])
    n = trees.leading_size(observations)
    padded = 1 << max(n - 1, 1).bit_length()
    observations = trees.tree_map(
        lambda x: np.concatenate([x, np.repeat(x[-1:], padded - n, axis=0)]).astype(np.float32), observations
    )
    flat = np.asarray(_values(value, observations))[:n]
    ends = np.cumsum([len(t) + 1 for t in trajectories])
    return np.split(flat, ends[:-1])


@eqx.filter_jit
def _values(value: ValueNetwork, observations) -> Float[Array, " n"]:
    return jax.vmap(value)(observations)[:, 0]


def value_targets(
    trajectory: Trajectory, values: np.ndarray, gamma: float, lam: float, kind: ValueTarget
) -> np.ndarray:
    """The ``T`` value targets of ``trajectory`` (see the module docstring); ``values`` are
    ``V(s_0) .. V(s_T)`` (:func:`episode_values`), unused by ``monte_carlo``.

    Example:
        >>> traj = Trajectory(np.zeros((3, 1)), np.zeros((2, 1)), np.array([1.0, 2.0]), truncated=True)
        >>> value_targets(traj, np.array([0.0, 0.0, 10.0]), gamma=0.5, lam=1.0, kind="td_lambda")
        array([4.5, 7. ], dtype=float32)
    """
    n = len(trajectory)
    values = np.asarray(values, np.float32)
    if values.shape != (n + 1,):
        raise ValueError(f"values: expected V of the {n + 1} observations, got shape {values.shape}")
    if kind == "monte_carlo":
        values, lam, terminated = np.zeros_like(values), 1.0, np.zeros(n, np.float32)
        terminated[-1] = 1.0  # no bootstrap at the end, whatever ended the episode
    elif kind == "td_lambda":
        terminated = np.zeros(n, np.float32)
        terminated[-1] = float(trajectory.terminated)
    else:
        raise ValueError(f"value_target: expected 'td_lambda' or 'monte_carlo', got {kind!r}")
    ended = np.zeros(n, np.float32)
    ended[-1] = 1.0
    column = lambda x: jnp.asarray(x, jnp.float32)[:, None]  # noqa: E731  (time-major, one env)
    _, targets = gae(
        column(trajectory.rewards),
        column(values[:-1]),
        column(values[1:]),
        column(terminated),
        column(ended),
        gamma,
        lam,
    )
    return np.asarray(targets[:, 0])


def fit_value(
    key: PRNGKeyArray,
    value: ValueNetwork,
    obs,
    targets: np.ndarray,
    steps: int,
    batch_size: int,
    learning_rate: float,
    capacity: int = 0,
) -> tuple[ValueNetwork, float]:
    """``steps`` Adam steps of ``mean (V(s) - G)^2`` on minibatches drawn uniformly from
    ``(obs, targets)``, in one jitted scan: ``(value, last minibatch loss)``. The data is padded to
    ``capacity`` rows (never drawn), so a buffer that grows up to it compiles once."""
    n = len(targets)
    rows = max(capacity, n)
    pad = lambda x: np.concatenate([x, np.zeros((rows - n, *x.shape[1:]), x.dtype)]).astype(np.float32)  # noqa: E731
    data = (trees.tree_map(lambda x: jnp.asarray(pad(np.asarray(x))), obs), jnp.asarray(pad(np.asarray(targets))))
    params, static = eqx.partition(value, eqx.is_array)
    params, loss = _fit_value(params, static, data, jnp.int32(n), key, steps, min(batch_size, n), learning_rate)
    return eqx.combine(params, static), float(loss)


@functools.partial(jax.jit, static_argnames=("static", "steps", "batch_size", "learning_rate"))
def _fit_value(params, static, data, n_real, key, steps: int, batch_size: int, learning_rate: float):
    optimizer = optax.adam(learning_rate)
    obs, targets = data

    def loss_fn(p, rows):
        predicted = jax.vmap(eqx.combine(p, static))(jax.tree.map(lambda x: x[rows], obs))[:, 0]
        return jnp.mean((predicted - targets[rows]) ** 2)

    def step(carry, step_key):
        p, state = carry
        rows = jax.random.randint(step_key, (batch_size,), 0, n_real)
        loss, grads = jax.value_and_grad(loss_fn)(p, rows)
        updates, state = optimizer.update(grads, state, p)
        return (optax.apply_updates(p, updates), state), loss

    (params, _), losses = jax.lax.scan(step, (params, optimizer.init(params)), jax.random.split(key, steps))
    return params, losses[-1]
