"""Pure-JAX classic-control envs (gymnax) that step like their Gymnasium ids, inside ``jit``/``scan``.

A :class:`JaxEnv` is one env as pure functions, ``reset(key)`` and ``step(key, state, action)``;
callers ``vmap`` it. ``step`` splits Gymnasium's two endings, ``terminated`` (a true terminal
state: the pole fell, the goal was reached) and ``truncated`` (the time limit, without
termination), and auto-resets in the same step as Gymnasium's ``SAME_STEP`` vector mode:
``obs`` is then the next episode's first observation and ``final_obs`` the ended episode's
last one. :func:`scan_rollout` runs a JAX policy in ``n_envs`` envs for ``n_steps`` steps in
one ``lax.scan``.

How these differ from Gymnasium (``tests/test_jax_envs.py`` checks the dynamics step by step):

- MountainCarContinuous-v0: gymnax zeroes a negative velocity at the goal instead of at the
  left wall, so its car sticks to the wall; we use gymnax's env with Gymnasium's rule.
- All: gymnax computes in float32, Gymnasium in float64 (except MountainCarContinuous, which
  stores float32). One step agrees to ~1e-7 relative and 50 steps to better than 1e-5, but
  CartPole and Acrobot are unstable or chaotic, so long trajectories from the same start drift
  apart; returns agree in distribution.
- All: the random numbers differ (JAX keys against NumPy generators), so the same seed gives
  other initial states than on the Gymnasium backend.
- All: when the last allowed step is also terminal, Gymnasium reports both ``terminated`` and
  ``truncated``; we report ``terminated`` only (the time limit did not end that episode).
- Acrobot-v1: an angle of exactly pi wraps to -pi (Gymnasium keeps pi): same observation.

Checked and equal: CartPole's reward on the terminal step (1; gymnax's ``1 - prev_terminal``
differs only when stepping past a terminal state, which the auto-reset never does), Pendulum's
observation ``(cos, sin, theta_dot)`` and reward on the clipped torque, MountainCarContinuous's
reward on the unclipped action, Acrobot's integrator (one RK4 step of ``dt = 0.2`` in both,
"book" dynamics), reset distributions.

Episode lengths are Gymnasium's: 500 (CartPole, Acrobot), 200 (Pendulum, MountainCar), 999
(MountainCarContinuous). gymnax is an optional extra, imported only when an env is made.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Bool, Float, PRNGKeyArray

from apprentice.envs.spaces import ArraySpace
from apprentice.envs.spec import EnvSpec, executed_actions

JAX_ENV_IDS = ("CartPole-v1", "Pendulum-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1")
"""Gymnasium ids with a pure-JAX twin (gymnax) that matches them; see the module docstring."""

INSTALL_HINT = "pip install 'apprentice[jax-envs]'"

ActFn = Callable[[PRNGKeyArray, Array], Array]
"""``act_fn(key, obs_batch) -> action_batch``, a JAX function (traced inside the scan)."""


class JaxStep(NamedTuple):
    """One env step, auto-reset included (``obs`` starts a new episode when one ended)."""

    obs: Float[Array, " *obs_shape"]
    state: Any
    reward: Float[Array, ""]
    terminated: Bool[Array, ""]
    truncated: Bool[Array, ""]
    final_obs: Float[Array, " *obs_shape"]
    """The observation the action led to (the ended episode's last one); bootstrap from it.

    Where the episode goes on it equals ``obs`` up to the last bit: XLA may compute the two in
    separate fusions (seen on CPU, one float32 ulp)."""


@dataclass(frozen=True)
class JaxEnv:
    """One pure-JAX env, hashable (equal when ``env_id``, ``spec`` and length are), so it can be a
    static argument of ``jax.jit``. Batch it with ``jax.vmap``.

    Example:
        >>> env = make_jax_env("CartPole-v1")
        >>> obs, state = env.reset(jax.random.key(0))
        >>> out = env.step(jax.random.key(1), state, jnp.int32(1))
        >>> out.reward, out.terminated, out.truncated
        (Array(1., dtype=float32), Array(False, dtype=bool), Array(False, dtype=bool))
    """

    env_id: str
    """The Gymnasium id this env reproduces."""
    spec: EnvSpec
    """Spaces, identical to ``env_spec(env_id)`` of the Gymnasium env."""
    max_episode_steps: int
    """Time limit: an episode still running after this many steps is truncated."""
    gymnax_env: Any = field(compare=False, repr=False)
    """The gymnax environment (its ``reset_env``/``step_env`` are used; never its ``step``)."""
    params: Any = field(compare=False, repr=False)
    """The gymnax env parameters (Gymnasium's constants)."""

    def reset(self, key: PRNGKeyArray) -> tuple[Float[Array, " *obs_shape"], Any]:
        """First observation and state of a new episode."""
        obs, state = self.gymnax_env.reset_env(key, self.params)
        # Strong dtypes (gymnax leaves some weakly typed), so the state is a stable scan carry.
        state = jax.tree.map(lambda leaf: jnp.asarray(leaf, jnp.asarray(leaf).dtype), state)
        return jnp.asarray(obs, jnp.float32), state

    def step(self, key: PRNGKeyArray, state: Any, action: Array) -> JaxStep:
        """Apply ``action`` (int for discrete envs, ``action_shape`` floats for continuous ones)."""
        key_step, key_reset = jax.random.split(key)
        next_obs, next_state, reward, terminated, _ = self.gymnax_env.step_env(
            key_step, state, self._gymnax_action(action), self.params
        )
        terminated = jnp.asarray(terminated, bool)
        truncated = (next_state.time >= self.max_episode_steps) & ~terminated
        ended = terminated | truncated
        reset_obs, reset_state = self.reset(key_reset)
        next_obs = jnp.asarray(next_obs, jnp.float32)
        return JaxStep(
            obs=jnp.where(ended, reset_obs, next_obs),
            state=jax.tree.map(lambda new, old: jnp.where(ended, new, old), reset_state, next_state),
            reward=jnp.asarray(reward, jnp.float32).reshape(()),
            terminated=terminated,
            truncated=truncated,
            final_obs=next_obs,
        )

    def _gymnax_action(self, action: Array) -> Array:
        if self.spec.action_kind == "discrete":
            return jnp.asarray(action, jnp.int32).reshape(())
        return jnp.asarray(action, jnp.float32).reshape(self.spec.action_shape)


def has_jax_env(env_id: str) -> bool:
    """Whether ``env_id`` has a pure-JAX twin here and gymnax is installed.

    Example:
        >>> has_jax_env("CartPole-v1"), has_jax_env("LunarLander-v3")
        (True, False)
    """
    return env_id in JAX_ENV_IDS and _gymnax_importable()


@functools.cache
def _gymnax_importable() -> bool:
    try:
        import gymnax  # noqa: F401
    except ImportError:
        return False
    return True


def make_jax_env(env_id: str) -> JaxEnv:
    """The pure-JAX twin of the Gymnasium env ``env_id``.

    Example:
        >>> env = make_jax_env("Pendulum-v1")
        >>> env.spec.action_shape, env.max_episode_steps
        ((1,), 200)
    """
    if env_id not in JAX_ENV_IDS:
        raise ValueError(f"jax env id: expected one of {', '.join(JAX_ENV_IDS)}, got {env_id!r}")
    try:
        import gymnax
    except ImportError as error:
        raise ImportError(f"the jax env backend needs gymnax, which is not installed: {INSTALL_HINT}") from error
    gymnax_env, params = gymnax.make(env_id)
    if env_id == "MountainCarContinuous-v0":
        gymnax_env = _gymnasium_continuous_mountain_car()
    spec = _spec_of(env_id, gymnax_env, params)
    return JaxEnv(env_id, spec, int(params.max_steps_in_episode), gymnax_env, params)


class RolloutCarry(NamedTuple):
    """Where a batched rollout stands: pass it back to :func:`scan_rollout_from` to continue."""

    key: PRNGKeyArray
    """Key chain of the rollout (acting and env steps)."""
    obs: Float[Array, " n_envs *obs_shape"]
    """Current observations."""
    state: Any
    """Batched env states."""


def init_carry(env: JaxEnv, key: PRNGKeyArray, n_envs: int) -> RolloutCarry:
    """Reset ``n_envs`` envs from ``key``: the start of :func:`scan_rollout_from`."""
    key, reset_key = jax.random.split(key)
    obs, states = jax.vmap(env.reset)(jax.random.split(reset_key, n_envs))
    return RolloutCarry(key, obs, states)


def scan_rollout_from(
    act_fn: ActFn, env: JaxEnv, carry: RolloutCarry, n_steps: int
) -> tuple[RolloutCarry, dict[str, Array]]:
    """Run ``act_fn`` for ``n_steps`` steps from ``carry`` in one ``lax.scan``; pure and jittable.

    Returns the carry to continue from and time-major arrays: ``obs`` ``(T, N, *obs_shape)`` (the
    observation acted on), ``actions`` (the executed ones, see
    :func:`~apprentice.envs.spec.executed_actions`), ``rewards``, ``terminated``, ``truncated`` ``(T, N)`` and
    ``final_obs`` ``(T, N, *obs_shape)``, the observation each action led to (to bootstrap from
    on truncation; the next row of ``obs`` is a reset observation where an episode ended).

    Example:
        >>> carry = init_carry(env, jax.random.key(0), 8)
        >>> carry, batch = jax.jit(scan_rollout_from, static_argnums=(0, 1, 3))(act_fn, env, carry, 128)
    """

    def one_step(carry: RolloutCarry, _: None) -> tuple[RolloutCarry, dict[str, Array]]:
        # One key chain for all envs: per-env chains measured ~20% slower on CartPole.
        key, act_key, env_key = jax.random.split(carry.key, 3)
        actions = executed_actions(env.spec, act_fn(act_key, carry.obs))
        out = jax.vmap(env.step)(jax.random.split(env_key, len(carry.obs)), carry.state, actions)
        transition = {
            "obs": carry.obs,
            "actions": actions,
            "rewards": out.reward,
            "terminated": out.terminated,
            "truncated": out.truncated,
            "final_obs": out.final_obs,
        }
        return RolloutCarry(key, out.obs, out.state), transition

    return jax.lax.scan(one_step, carry, None, length=n_steps)


def scan_rollout(
    act_fn: ActFn, env: JaxEnv, key: PRNGKeyArray, n_envs: int, n_steps: int
) -> tuple[RolloutCarry, dict[str, Array]]:
    """:func:`scan_rollout_from` a fresh reset of ``n_envs`` envs; pure and jittable.

    Example:
        >>> env = make_jax_env("CartPole-v1")
        >>> act_fn = lambda key, obs: jax.random.bernoulli(key, shape=obs.shape[:1]).astype(jnp.int32)
        >>> run = jax.jit(scan_rollout, static_argnums=(0, 1, 3, 4))
        >>> carry, batch = run(act_fn, env, jax.random.key(0), 1024, 1000)
        >>> batch["obs"].shape
        (1000, 1024, 4)
    """
    return scan_rollout_from(act_fn, env, init_carry(env, key, n_envs), n_steps)


class JaxVectorEnv:
    """``n_envs`` copies of a :class:`JaxEnv` for a host (numpy) actor: one jitted call per step.

    Copy ``i`` draws from its own key chain ``jax.random.key(seed + i)``, so a copy's episodes do
    not depend on how many copies run beside it. ``step`` returns numpy arrays ``(next_obs,
    rewards, terminated, truncated, final_obs)``, resetting ended copies in the same step.

    Example:
        >>> envs = JaxVectorEnv(make_jax_env("CartPole-v1"), n_envs=4, seed=0)
        >>> obs = envs.reset()
        >>> next_obs, rewards, terminated, truncated, final_obs = envs.step(np.ones(4, np.int32))
    """

    def __init__(self, env: JaxEnv, n_envs: int, seed: int):
        if n_envs < 1:
            raise ValueError(f"n_envs: expected a positive integer, got {n_envs}")
        self.env = env
        self.spec = env.spec
        self.num_envs = n_envs
        self._key_chains = jax.vmap(jax.random.key)(seed + jnp.arange(n_envs))
        self._states = None

    def reset(self) -> np.ndarray:
        """First observations of all copies, shape ``(n_envs, *obs_shape)``."""
        self._key_chains, obs, self._states = _reset_chains(self.env, self._key_chains)
        return np.asarray(obs)

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, ...]:
        """Step every copy with its action; see the class docstring for what comes back."""
        if self._states is None:
            raise RuntimeError("JaxVectorEnv.step: expected reset() to be called first")
        self._key_chains, out = _step_chains(self.env, self._key_chains, self._states, np.asarray(actions))
        self._states = out.state
        return jax.device_get((out.obs, out.reward, out.terminated, out.truncated, out.final_obs))

    def close(self) -> None:
        """Nothing to release (for symmetry with Gymnasium's vector envs)."""


@functools.partial(jax.jit, static_argnums=0)
def _reset_chains(env: JaxEnv, key_chains: PRNGKeyArray):
    keys = jax.vmap(jax.random.split)(key_chains)
    return (keys[:, 0], *jax.vmap(env.reset)(keys[:, 1]))


@functools.partial(jax.jit, static_argnums=0)
def _step_chains(env: JaxEnv, key_chains: PRNGKeyArray, states: Any, actions: Array):
    keys = jax.vmap(jax.random.split)(key_chains)
    return keys[:, 0], jax.vmap(env.step)(keys[:, 1], states, actions)


def _spec_of(env_id: str, gymnax_env: Any, params: Any) -> EnvSpec:
    from gymnax.environments import spaces

    obs_space, act_space = gymnax_env.observation_space(params), gymnax_env.action_space(params)
    common: dict[str, Any] = {
        "observation": ArraySpace(tuple(obs_space.shape), np.dtype(obs_space.dtype).name),
        "env_id": env_id,
    }
    if isinstance(act_space, spaces.Discrete):
        return EnvSpec(**common, action_kind="discrete", n_actions=int(act_space.n))
    shape = tuple(act_space.shape)
    low, high = (
        tuple(float(x) for x in np.broadcast_to(np.float32(bound), shape).ravel())
        for bound in (act_space.low, act_space.high)
    )
    return EnvSpec(**common, action_kind="continuous", action_shape=shape, action_low=low, action_high=high)


def _gymnasium_continuous_mountain_car() -> Any:
    from gymnax.environments.classic_control.continuous_mountain_car import ContinuousMountainCar, EnvState

    class GymnasiumContinuousMountainCar(ContinuousMountainCar):
        """gymnax's MountainCarContinuous with Gymnasium's step (the left wall stops the car)."""

        def step_env(self, key, state, action, params):
            action = jnp.reshape(action, ())
            force = jnp.clip(action, params.min_action, params.max_action)
            velocity = state.velocity + force * params.power - jnp.cos(3 * state.position) * params.gravity
            velocity = jnp.clip(velocity, -params.max_speed, params.max_speed)
            position = jnp.clip(state.position + velocity, params.min_position, params.max_position)
            velocity = jnp.where((position == params.min_position) & (velocity < 0), 0.0, velocity)
            state = EnvState(position=position, velocity=velocity, time=state.time + 1)
            terminated = self.is_terminated(state, params)
            reward = 100.0 * terminated - 0.1 * action**2  # the unclipped action, as Gymnasium
            return self.get_obs(state), state, reward, terminated, {}

    return GymnasiumContinuousMountainCar()
