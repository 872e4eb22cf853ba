"""DART (Laskey et al. 2017): the expert demonstrates with noise injected into its actions, so
the demonstrations visit the states a slightly wrong learner would reach; every state is
labeled with the expert's clean action.

Noise is epsilon-random for discrete actions (with probability epsilon a uniformly random action
is executed) and Gaussian for continuous ones (``a = clip(a* + sigma * h * N(0, I))`` with ``h``
the half-width of each action coordinate's range). Its level is fixed, or, as in the paper, set
after each round to the learner's current error on the expert's data: the disagreement rate for
discrete actions, the root-mean-square action error (in half-widths) for continuous ones. The
paper fits a full covariance; this uses one isotropic level, a simplification.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import jax
import numpy as np
from jaxtyping import PRNGKeyArray

from apprentice.algorithms.configs.dagger import DARTConfig
from apprentice.algorithms.dagger.loop import InteractiveResult, run_rounds
from apprentice.data.trajectory import Trajectory, Transitions
from apprentice.envs.make import env_spec
from apprentice.envs.spec import EnvSpec, executed_actions
from apprentice.experts.base import Expert
from apprentice.policies.actor import PolicyActor
from apprentice.policies.base import Policy
from apprentice.rollout import Actor, rollout


class NoisyExpertActor:
    """The expert's action with noise executed; the clean action is the label."""

    def __init__(self, expert: Actor, spec: EnvSpec, noise: float, seed: int):
        self.expert, self.spec, self.noise = expert, spec, noise
        self.rng = np.random.default_rng(seed)

    @property
    def view(self) -> str:
        return getattr(self.expert, "view", "observation")

    def __call__(self, obs: np.ndarray):
        clean = np.asarray(self.expert(obs))
        n = len(clean)
        labels = {"expert_action": clean, "labeled": np.ones(n, bool)}
        if self.noise <= 0:
            return clean, labels
        if self.spec.action_kind == "discrete":
            random_actions = self.rng.integers(0, self.spec.n_actions, size=n)
            return np.where(self.rng.random(n) < self.noise, random_actions, clean).astype(clean.dtype), labels
        low, high = _bounds(self.spec)
        noisy = clean + self.noise * (high - low) / 2.0 * self.rng.standard_normal(clean.shape)
        return executed_actions(self.spec, noisy.astype(clean.dtype)), labels


def noise_injected_demonstrations(
    expert: Actor, env_id: str, noise: float, n_episodes: int, seed: int
) -> list[Trajectory]:
    """``n_episodes`` of ``expert`` with ``noise`` executed (DART's data at a fixed level), each
    step's stored action the expert's clean label, not the action the env received.

    Example:
        >>> demos = noise_injected_demonstrations(experts.load(env_id), env_id, 0.3, 40, seed=0)
    """
    actor = NoisyExpertActor(expert, env_spec(env_id), noise, seed)
    trajectories = rollout(actor, env_id, n_episodes=n_episodes, seed=seed)
    return [dataclasses.replace(t, actions=np.asarray(t.infos["expert_action"])) for t in trajectories]


def fitted_noise(policy: Policy, data: Transitions, spec: EnvSpec) -> float:
    """The learner's error on the expert's data: the disagreement rate (discrete) or the
    root-mean-square error of its deterministic (executed) action in action half-widths (continuous)."""
    if not isinstance(data, Transitions):
        raise ValueError(
            f"DART's fitted noise: expected labeled steps for a memoryless learner, got a stateful one "
            f"({policy.architecture.core} core, frame_stack {policy.architecture.frame_stack}); "
            "use a fixed noise (fit_noise=False)"
        )
    actions = PolicyActor(policy, jax.random.key(0), deterministic=True, spec=spec)(data.obs)
    if spec.action_kind == "discrete":
        return float(np.mean(actions.reshape(len(data)) != data.acts.reshape(len(data))))
    low, high = _bounds(spec)
    scaled = (actions.reshape(data.acts.shape) - data.acts) / ((high - low) / 2.0)
    return float(np.sqrt(np.mean(scaled**2)))


def train(
    key: PRNGKeyArray,
    config: DARTConfig,
    expert: Expert,
    env_id: str,
    *,
    progress: bool = True,
    on_round: Callable[[InteractiveResult], None] | None = None,
) -> InteractiveResult:
    """Run DART: each round the expert demonstrates with the current noise level.

    Example:
        >>> result = train(jax.random.key(0), DARTConfig(noise=0.1), experts.load("CartPole-v1"), "CartPole-v1")
    """
    spec = env_spec(env_id)
    if config.noise < 0 or (spec.action_kind == "discrete" and config.noise > 1):
        raise ValueError(f"noise: expected epsilon in [0, 1] or a non-negative sigma, got {config.noise}")

    def collect(round_index, policy, dataset, n_steps, seed):
        noise = config.noise
        if policy is not None and config.fit_noise:
            noise = config.noise_scale * fitted_noise(policy, dataset, spec)
        actor = NoisyExpertActor(expert, spec, noise, seed)
        trajectories = rollout(actor, env_id, n_steps=n_steps, seed=seed, n_envs=config.interactive.n_envs)
        return trajectories, {"noise": noise}

    return run_rounds(key, config.interactive, config.bc, env_id, expert, collect, progress, "DART", on_round)


def _bounds(spec: EnvSpec) -> tuple[np.ndarray, np.ndarray]:
    shape = spec.action_shape
    return (
        np.asarray(spec.action_low, np.float32).reshape(shape),
        np.asarray(spec.action_high, np.float32).reshape(shape),
    )
