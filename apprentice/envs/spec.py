"""``EnvSpec``: what a dataset, a policy and an env must agree on, and the checks that they do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import gymnasium as gym
import jax
import jax.numpy as jnp
import numpy as np

from apprentice.data.trajectory import Transitions
from apprentice.data.validation import require_actions
from apprentice.envs.spaces import (
    ArraySpace,
    Space,
    describe,
    map_space,
    require_observations,
    space_from_gym,
    space_from_json,
    space_to_json,
)

ActionKind = Literal["discrete", "continuous"]


@dataclass(frozen=True, kw_only=True)
class EnvSpec:
    """Observation and action spaces reduced to what imitation needs.

    The observation is a tree of arrays (:mod:`apprentice.envs.spaces`): one array for a Box
    (vectors, ``uint8`` images), a dict or tuple of them for Gymnasium's ``Dict``/``Tuple``.

    Example:
        >>> spec = EnvSpec.from_env(gym.make("Pendulum-v1"))
        >>> spec.action_kind, spec.action_shape, spec.action_low
        ('continuous', (1,), (-2.0,))
    """

    observation: Space
    """The tree of one observation's arrays."""
    action_kind: ActionKind
    """``"discrete"`` (integer actions) or ``"continuous"`` (real vectors)."""
    n_actions: int | None = None
    """Number of discrete actions (``None`` for continuous)."""
    action_shape: tuple[int, ...] = ()
    """Shape of one continuous action (``()`` for discrete)."""
    action_low: tuple[float, ...] | None = None
    """Lower bounds of a continuous action, flattened."""
    action_high: tuple[float, ...] | None = None
    """Upper bounds of a continuous action, flattened."""
    env_id: str | None = None
    """The Gymnasium id the spec was read from, when known."""

    @staticmethod
    def from_env(env: gym.Env, env_id: str | None = None) -> EnvSpec:
        """Read the spec of a single (not vectorized) Gymnasium env."""
        obs_space, act_space = env.observation_space, env.action_space
        common: dict[str, Any] = dict(observation=space_from_gym(obs_space))
        env_id = env_id or (env.spec.id if env.spec is not None else None)
        if isinstance(act_space, gym.spaces.Discrete):
            if int(act_space.start) != 0:
                raise ValueError(f"action space: expected Discrete starting at 0, got start={act_space.start}")
            return EnvSpec(**common, action_kind="discrete", n_actions=int(act_space.n), env_id=env_id)
        if isinstance(act_space, gym.spaces.Box):
            return EnvSpec(
                **common,
                action_kind="continuous",
                action_shape=tuple(act_space.shape),
                action_low=tuple(float(x) for x in np.ravel(act_space.low)),
                action_high=tuple(float(x) for x in np.ravel(act_space.high)),
                env_id=env_id,
            )
        raise ValueError(f"action space: expected Discrete or Box, got {act_space}")

    @staticmethod
    def for_box(obs_shape: tuple[int, ...], obs_dtype: str = "float32", **fields) -> EnvSpec:
        """A spec whose observation is one array (the common case), e.g. ``for_box((4,), action_kind=...)``."""
        return EnvSpec(observation=ArraySpace(tuple(obs_shape), obs_dtype), **fields)

    @property
    def obs_array(self) -> ArraySpace:
        """The observation's single array; a clear error for Dict and Tuple observations."""
        if not isinstance(self.observation, ArraySpace):
            raise ValueError(
                f"{self.env_id or 'this env'} has {describe(self.observation)} observations, but this needs a single "
                "array (a Box); use a policy with the dict encoder (--encoder dict)"
            )
        return self.observation

    @property
    def obs_shape(self) -> tuple[int, ...]:
        """Shape of one observation (single-array observations only)."""
        return self.obs_array.shape

    @property
    def obs_dtype(self) -> str:
        """NumPy dtype name of observations (single-array observations only)."""
        return self.obs_array.dtype

    @property
    def obs_dim(self) -> int:
        """Number of observation features (the flattened observation; single-array observations only)."""
        return self.obs_array.size

    @property
    def action_dim(self) -> int:
        """Number of discrete actions, or the flattened size of a continuous action."""
        if self.action_kind == "discrete":
            assert self.n_actions is not None  # every discrete spec carries its number of actions
            return int(self.n_actions)
        return int(np.prod(self.action_shape))

    def to_dict(self) -> dict:
        """JSON-able form (round-trips through :meth:`from_dict`)."""
        fields = {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items() if k != "observation"}
        return {"observation": space_to_json(self.observation), **fields}

    @staticmethod
    def from_dict(fields: dict) -> EnvSpec:
        """Inverse of :meth:`to_dict`; also reads the older form with ``obs_shape`` and ``obs_dtype``."""
        fields = dict(fields)
        if "observation" in fields:
            observation = space_from_json(fields.pop("observation"))
        else:
            observation = ArraySpace(tuple(fields.pop("obs_shape")), fields.pop("obs_dtype"))
        tuples = ("action_shape", "action_low", "action_high")
        rest: dict[str, Any] = {k: (tuple(v) if k in tuples and v is not None else v) for k, v in fields.items()}
        return EnvSpec(observation=observation, **rest)

    def require_same_spaces(self, other: EnvSpec, what: str, other_what: str) -> None:
        """Raise ``ValueError`` unless ``other`` has the same observation and action spaces."""
        if map_space(lambda leaf: leaf.shape, self.observation) != map_space(
            lambda leaf: leaf.shape, other.observation
        ):
            raise ValueError(
                f"{other_what} has observations {describe(other.observation)}, but {what} expects "
                f"{describe(self.observation)}"
            )
        for name in ("action_kind", "n_actions", "action_shape"):
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine != theirs:
                raise ValueError(f"{other_what} has {name}={theirs}, but {what} expects {name}={mine}")


def executed_actions(spec: EnvSpec, actions: Any) -> Any:
    """The actions the env executes, and so the ones every path sends and records: continuous
    actions clipped into the box ``[action_low, action_high]`` (per coordinate), discrete ones as
    they are.

    Every continuous policy goes through this one rule: training (PPO's samples, on both
    backends), evaluation, rollouts and the actors that mix a learner in. Why it matters: some
    envs charge for the action they are sent, not the one they execute (MountainCarContinuous-v0
    pays ``0.1 a^2`` on the unclipped ``a``, so a policy whose mean is 3.0 scores -899.1 where the
    executed action, 1.0, scores -99.9), and a discriminator that sees unclipped learner actions
    tells them from the expert's recorded ones by the box alone.

    ``actions`` is a batch ``(..., *action_shape)`` or one action: a NumPy array comes back as a
    NumPy array of the same dtype, a JAX array (traced too) as a JAX array.

    Example:
        >>> spec = EnvSpec.from_env(gym.make("MountainCarContinuous-v0"))
        >>> executed_actions(spec, np.array([[3.0], [-0.5]], np.float32))
        array([[ 1. ],
               [-0.5]], dtype=float32)
    """
    if spec.action_kind == "discrete":
        return actions
    if isinstance(actions, jax.Array):
        actions = actions if jnp.issubdtype(actions.dtype, jnp.floating) else actions.astype(jnp.float32)
        low = jnp.asarray(spec.action_low, actions.dtype).reshape(spec.action_shape)
        high = jnp.asarray(spec.action_high, actions.dtype).reshape(spec.action_shape)
        return jnp.clip(actions, low, high)
    actions = np.asarray(actions)
    actions = actions if np.issubdtype(actions.dtype, np.floating) else actions.astype(np.float32)
    low = np.asarray(spec.action_low, actions.dtype).reshape(spec.action_shape)
    high = np.asarray(spec.action_high, actions.dtype).reshape(spec.action_shape)
    return np.clip(actions, low, high)


def require_data_matches(spec: EnvSpec, data: Transitions, data_name: str = "dataset", *, actions: bool = True) -> None:
    """Raise ``ValueError`` unless ``data``'s observations and actions fit ``spec`` (data without
    actions are refused with :func:`~apprentice.data.validation.require_actions`'s error);
    ``actions=False`` checks the observations alone (learning from observations, where actions
    are ignored or absent)."""
    if actions:
        require_actions(data, data_name)
    where = spec.env_id or "the env"
    if isinstance(spec.observation, ArraySpace) and isinstance(data.obs, np.ndarray):
        obs_shape = tuple(data.obs.shape[1:])
        if obs_shape != spec.obs_shape:
            raise ValueError(f"{data_name} observations have shape {obs_shape}, but {where} expects {spec.obs_shape}")
    else:
        try:
            require_observations(spec.observation, data.obs, 1, f"{data_name} observations")
        except ValueError as error:
            raise ValueError(f"{error} (for {where}, whose observations are {describe(spec.observation)})") from None
    acts = data.acts
    if not actions:
        return
    assert acts is not None  # require_actions refused data without them
    if spec.action_kind == "discrete":
        soft = np.issubdtype(acts.dtype, np.floating) and acts.ndim == 2 and acts.shape[1] == spec.n_actions
        if soft:
            return
        if not np.issubdtype(acts.dtype, np.integer) or acts.ndim != 1:
            raise ValueError(
                f"{data_name} actions are {acts.dtype} with per-step shape {acts.shape[1:]}, but {where} expects "
                f"discrete integer actions in [0, {spec.n_actions}) (or probability vectors of length {spec.n_actions})"
            )
        if acts.min() < 0 or acts.max() >= spec.n_actions:
            raise ValueError(
                f"{data_name} actions range over [{acts.min()}, {acts.max()}], but {where} expects [0, {spec.n_actions})"
            )
        return
    if not np.issubdtype(acts.dtype, np.floating):
        raise ValueError(
            f"{data_name} actions are {acts.dtype} (discrete), but {where} expects continuous float actions "
            f"of shape {spec.action_shape}"
        )
    if tuple(acts.shape[1:]) != spec.action_shape:
        raise ValueError(
            f"{data_name} actions have shape {tuple(acts.shape[1:])}, but {where} expects {spec.action_shape}"
        )
