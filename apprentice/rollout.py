"""Run any batched actor (a policy, an expert, a mixture) in vectorized envs -> ``Trajectory``s.

An actor is a callable ``actor(obs_batch) -> action_batch`` over numpy arrays (pytrees of them
for Dict observations), as experts and :class:`~apprentice.policies.PolicyActor` are. It may
instead return ``(actions, infos)`` with ``infos`` a dict of per-env arrays; those are stored per
step in ``Trajectory.infos`` (DAgger variants use this to mark which steps the expert took).

Each step is offered to the actor as an :class:`Observed`: the learner's observations, which
env copies start an episode, and the privileged view (the simulator's state) where the env
exposes one in ``info["state"]``. :func:`act_on` hands an actor what it asks for: an actor with
an ``observe(observed)`` method gets the whole step (stateful policies need the episode starts,
DAgger's mixtures need both views); an actor whose ``view`` is ``"state"`` (a privileged
expert) is called on the states; any other on the observations. Trajectories keep the states
beside the observations (``Trajectory.states``), so the expert can label a learner's steps later.

Two backends sit behind the same call: ``"gymnasium"`` (its vector API, any env id) and
``"jax"`` (the pure-JAX twins of :mod:`apprentice.envs.jax_envs`, stepped by one jitted call per
step); ``"auto"`` takes ``"jax"`` where a twin exists and no ``env_kwargs`` are given. Both yield
the same vector-env steps ``(next_obs, rewards, terminated, truncated, final_obs)``, and one loop
turns them into episodes.

Whatever an actor returns, the env is sent, and the ``Trajectory`` records, the executed action
(:func:`~apprentice.envs.spec.executed_actions`: continuous actions clipped into the box).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol, get_args

import numpy as np

from apprentice.data import trees
from apprentice.data.trajectory import Trajectory
from apprentice.envs.jax_envs import JaxVectorEnv, has_jax_env, make_jax_env
from apprentice.envs.make import make_vector_env
from apprentice.envs.spec import EnvSpec, executed_actions
from apprentice.progress import progress_bar

Actor = Callable[[np.ndarray], Any]
Backend = Literal["gymnasium", "jax", "auto"]
BACKENDS: tuple[str, ...] = get_args(Backend)


DEFAULT_EPISODE_ENVS = 8
"""Env copies that step together for an episode budget unless told otherwise."""


def rollout(
    actor: Actor,
    env_id: str,
    *,
    n_episodes: int | None = None,
    n_steps: int | None = None,
    seed: int = 0,
    n_envs: int | None = None,
    backend: Backend = "gymnasium",
    progress: bool = False,
    env_kwargs: dict[str, Any] | None = None,
) -> list[Trajectory]:
    """Collect episodes of ``actor`` in ``env_id``: exactly ``n_episodes``, or ``n_steps`` steps.

    With ``n_episodes``, env copy ``i`` runs a fixed quota of episodes, so the set collected
    does not favour short episodes (the bias of taking whichever finish first). With
    ``n_steps``, collection stops once that many steps are recorded; episodes still running
    are returned cut short with ``truncated=True``. ``n_envs`` env copies step together; by
    default ``min(8, n_episodes)``, and one for a step budget, so that ``n_steps=1000`` gives whole
    episodes one after another rather than eight of 125 steps. Env copy ``i`` is seeded with ``seed + i``
    (on ``backend="jax"``, through the key chain ``jax.random.key(seed + i)``: same seed, same
    episodes, but not the same ones as on Gymnasium). ``backend`` is ``"gymnasium"``, ``"jax"``
    (only the ids in ``JAX_ENV_IDS``, no ``env_kwargs``) or ``"auto"`` (see the module docstring).

    Example:
        >>> trajs = rollout(experts.load("CartPole-v1"), "CartPole-v1", n_episodes=10, seed=0)
        >>> trajs = rollout(experts.load("CartPole-v1"), "CartPole-v1", n_episodes=10, backend="jax")
    """
    if (n_episodes is None) == (n_steps is None):
        raise ValueError(f"rollout: expected exactly one of n_episodes and n_steps, got {n_episodes=} and {n_steps=}")
    budget = n_episodes if n_episodes is not None else n_steps
    if budget is None or budget < 1:
        raise ValueError(f"rollout: expected a positive budget, got {budget}")
    if n_envs is not None and n_envs < 1:
        raise ValueError(f"rollout: expected n_envs >= 1, got {n_envs}")
    if n_episodes is not None:
        n_envs = min(DEFAULT_EPISODE_ENVS if n_envs is None else n_envs, n_episodes)
    elif n_envs is None:
        n_envs = 1
    quotas = _episode_quotas(n_episodes, n_envs) if n_episodes is not None else None
    envs = make_vector_steps(resolve_backend(backend, env_id, env_kwargs), env_id, n_envs, seed, env_kwargs)
    try:
        with progress_bar(budget, f"rollout {env_id}", enabled=progress) as bar:
            return _collect(actor, envs, quotas, n_steps, bar)
    finally:
        envs.close()


@dataclass(frozen=True)
class Observed:
    """One vector-env step as an actor may see it."""

    obs: Any
    """The learner's observations, batched (a pytree for Dict observations)."""
    starts: np.ndarray
    """``(n_envs,)`` true where the observation is an episode's first."""
    states: Any = None
    """The privileged view beside each observation, where the env exposes one (else ``None``)."""


def act_on(actor: Any, observed: Observed) -> Any:
    """The actor's output for one step, given what it asks for (see the module docstring)."""
    observe = getattr(actor, "observe", None)
    if observe is not None:
        return observe(observed)
    if getattr(actor, "view", "observation") == "state":
        if observed.states is None:
            raise ValueError(
                f"{type(actor).__name__} acts on the simulator's state, but this env exposes none "
                "(expected info['state'], as the apprentice/ envs provide)"
            )
        return actor(observed.states)
    return actor(observed.obs)


def expert_input(expert: Any, obs: Any, states: Any) -> Any:
    """What ``expert`` labels from: ``states`` for a privileged expert (``view == "state"``), else ``obs``."""
    if getattr(expert, "view", "observation") == "state":
        if states is None:
            raise ValueError(f"{type(expert).__name__} labels from the simulator's state, but the data holds no states")
        return states
    return obs


class VectorSteps(Protocol):
    """What :func:`_collect` needs of a backend: numpy batches, ended copies reset in the same step."""

    num_envs: int
    spec: EnvSpec

    def reset(self) -> np.ndarray: ...

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, ...]:
        """``(next_obs, rewards, terminated, truncated, final_obs)``; ``final_obs[i]`` is the
        observation copy ``i``'s action led to (``_collect`` reads it where an episode ended)."""
        ...

    def close(self) -> None: ...


class GymnasiumSteps:
    """A Gymnasium vector env seen as :class:`VectorSteps` (``final_obs`` as a dense array or tree).

    Where the env puts its simulator state in ``info["state"]``, ``states`` holds it beside the
    latest observations and ``final_states`` beside ``final_obs`` (else both are ``None``).
    """

    def __init__(self, env_id: str, n_envs: int, seed: int, env_kwargs: dict[str, Any]):
        self.envs = make_vector_env(env_id, n_envs, **env_kwargs)
        self.num_envs = n_envs
        self.spec = EnvSpec.from_env(self.envs.envs[0], env_id)
        self.seed = seed
        self.states: Any = None
        self.final_states: Any = None

    def reset(self) -> Any:
        obs, infos = self.envs.reset(seed=self.seed)  # type: ignore[var-annotated]
        self.states = self.final_states = infos.get("state")
        return obs

    def step(self, actions: np.ndarray) -> tuple[Any, ...]:
        next_obs, rewards, terminated, truncated, infos = self.envs.step(actions)  # type: ignore[var-annotated]
        ended = np.flatnonzero(terminated | truncated)
        final_obs = _replace_rows(next_obs, ended, infos.get("final_obs"))
        self.states = infos.get("state")
        if self.states is not None:
            final_infos = infos.get("final_info", {})
            self.final_states = _replace_rows(self.states, ended, final_infos.get("state"))
        return next_obs, rewards, terminated, truncated, final_obs

    def close(self) -> None:
        self.envs.close()


def resolve_backend(backend: str, env_id: str, env_kwargs: dict[str, Any] | None = None) -> str:
    """``"gymnasium"`` or ``"jax"`` for a requested backend (see the module docstring for ``"auto"``)."""
    if backend not in BACKENDS:
        raise ValueError(f"rollout backend: expected one of {', '.join(map(repr, BACKENDS))}, got {backend!r}")
    if backend == "auto":
        return "jax" if has_jax_env(env_id) and not env_kwargs else "gymnasium"
    if backend == "jax" and env_kwargs:
        raise ValueError(
            f"rollout backend 'jax': env_kwargs are not supported (the jax envs take none), got {env_kwargs}; "
            "use backend='gymnasium'"
        )
    return backend


def make_vector_steps(
    backend: str, env_id: str, n_envs: int, seed: int, env_kwargs: dict[str, Any] | None = None
) -> VectorSteps:
    """``n_envs`` copies of ``env_id`` on a resolved backend, copy ``i`` seeded ``seed + i``."""
    if backend == "jax":
        return JaxVectorEnv(make_jax_env(env_id), n_envs, seed)
    return GymnasiumSteps(env_id, n_envs, seed, env_kwargs or {})


def _replace_rows(batch: Any, rows: np.ndarray, replacements: Any) -> Any:
    """A copy of ``batch`` (array or tree) whose ``rows`` come from the per-env ``replacements``."""
    out = trees.tree_map(np.array, batch)
    for i in rows:
        trees.tree_map(lambda leaf, new: leaf.__setitem__(i, new), out, replacements[i])  # noqa: B023 (called in this iteration)
    return out


def _collect(actor: Actor, envs: VectorSteps, quotas, n_steps, bar) -> list[Trajectory]:
    n_envs = envs.num_envs
    obs = envs.reset()
    states = getattr(envs, "states", None)
    row = lambda tree, i: None if tree is None else trees.take(tree, i)  # noqa: E731
    buffers = [_EpisodeBuffer(row(obs, i), row(states, i)) for i in range(n_envs)]
    finished: list[Trajectory] = []
    done_counts = np.zeros(n_envs, int)
    starts = np.ones(n_envs, bool)
    steps = 0
    while True:
        actions, step_infos = _split_actor_output(act_on(actor, Observed(obs, starts, states)))
        actions = executed_actions(envs.spec, actions)
        next_obs, rewards, terminated, truncated, final_obs = envs.step(actions)
        next_states, final_states = getattr(envs, "states", None), getattr(envs, "final_states", None)
        for i in range(n_envs):
            if quotas is not None and done_counts[i] >= quotas[i]:
                continue
            ended = bool(terminated[i] or truncated[i])
            # Mid-episode, record the observation the actor acts on next (bit for bit).
            stored_obs, stored_state = (final_obs, final_states) if ended else (next_obs, next_states)
            buffers[i].add(
                actions[i],
                rewards[i],
                row(stored_obs, i),
                row(stored_state, i),
                {k: v[i] for k, v in step_infos.items()},
            )
            steps += 1
            if n_steps is not None:
                bar.advance(1)
            if ended:
                finished.append(buffers[i].close(bool(terminated[i]), bool(truncated[i])))
                buffers[i] = _EpisodeBuffer(row(next_obs, i), row(next_states, i))
                done_counts[i] += 1
                if quotas is not None:
                    bar.advance(1, last_return=finished[-1].episode_return)
            if n_steps is not None and steps >= n_steps:
                partial = [b.close(False, True) for b in buffers if b.actions]
                return finished + partial
        if quotas is not None and (done_counts >= quotas).all():
            return finished
        obs, states, starts = next_obs, next_states, np.asarray(terminated | truncated, bool)


def _episode_quotas(n_episodes: int, n_envs: int) -> np.ndarray:
    return np.array([n_episodes // n_envs + (i < n_episodes % n_envs) for i in range(n_envs)])


def _split_actor_output(output: Any) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    if isinstance(output, tuple):
        actions, infos = output
        return np.asarray(actions), {k: np.asarray(v) for k, v in infos.items()}
    return np.asarray(output), {}


class _EpisodeBuffer:
    def __init__(self, first_obs: Any, first_state: Any = None):
        self.observations = [trees.tree_map(np.array, first_obs)]
        self.states = None if first_state is None else [trees.tree_map(np.array, first_state)]
        self.actions: list[np.ndarray] = []
        self.rewards: list[float] = []
        self.infos: dict[str, list] = {}

    def add(self, action, reward, next_obs, next_state, infos: dict[str, Any]) -> None:
        self.actions.append(np.array(action))
        self.rewards.append(float(reward))
        self.observations.append(trees.tree_map(np.array, next_obs))
        if self.states is not None:
            self.states.append(trees.tree_map(np.array, next_state))
        for key, value in infos.items():
            self.infos.setdefault(key, []).append(value)

    def close(self, terminated: bool, truncated: bool) -> Trajectory:
        return Trajectory(
            observations=trees.stack(self.observations),
            states=None if self.states is None else trees.stack(self.states),
            actions=np.stack(self.actions),
            rewards=np.array(self.rewards, np.float32),
            terminated=terminated,
            truncated=truncated,
            infos={k: np.stack(v) for k, v in self.infos.items()},
        )


class RandomActor:
    """Uniformly random actions for ``spec`` (the anchor 0 of the expert-normalized score)."""

    def __init__(self, spec: EnvSpec, seed: int = 0):
        self.spec = spec
        self.rng = np.random.default_rng(seed)

    def __call__(self, observations: Any) -> np.ndarray:
        n = trees.leading_size(observations)
        if self.spec.action_kind == "discrete":
            return self.rng.integers(0, self.spec.n_actions, size=n)
        low = np.asarray(self.spec.action_low, np.float32).reshape(self.spec.action_shape)
        high = np.asarray(self.spec.action_high, np.float32).reshape(self.spec.action_shape)
        return self.rng.uniform(low, high, size=(n, *self.spec.action_shape)).astype(np.float32)
