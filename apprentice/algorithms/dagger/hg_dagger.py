"""HG-DAgger (Kelly et al. 2019): the learner drives, a gate hands control to the expert when
it must, and only the expert's takeover steps are labeled and aggregated.

A gate is any callable ``gate(obs, learner_action, expert_action) -> bool array`` over a batch:
true where the expert has (or keeps) control in this step, false where the learner has it back.
It does not care where the expert's actions come from: a scripted controller, a trained
policy, or a person at a joystick whose actions arrive through the same expert callable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jax
import numpy as np
from jaxtyping import PRNGKeyArray

from apprentice.algorithms.configs.dagger import HGDAggerConfig
from apprentice.algorithms.dagger.loop import InteractiveResult, LabelingExpert, run_rounds
from apprentice.data import trees
from apprentice.envs.make import env_spec
from apprentice.envs.spec import EnvSpec
from apprentice.experts.base import Expert
from apprentice.policies.actor import PolicyActor
from apprentice.rollout import Actor, Observed, act_on, rollout

Gate = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class ActionDiscrepancyGate:
    """Take over where the learner's action is far from the expert's; hand back where it is close.

    Discrete actions: any mismatch (``threshold`` is ignored). Continuous: the Euclidean distance
    ``||a_learner - a_expert|| > threshold``.
    """

    threshold: float = 0.5

    def __call__(self, obs: np.ndarray, learner_action: np.ndarray, expert_action: np.ndarray) -> np.ndarray:
        if np.issubdtype(np.asarray(expert_action).dtype, np.integer):
            return np.asarray(learner_action).reshape(len(obs)) != np.asarray(expert_action).reshape(len(obs))
        gap = np.asarray(learner_action, np.float64) - np.asarray(expert_action, np.float64)
        return np.linalg.norm(gap.reshape(len(obs), -1), axis=1) > self.threshold


@dataclass(frozen=True)
class StateRiskGate:
    """Take over in risky states: ``risk(obs) > threshold``, whatever the actions are.

    Example (CartPole: the pole leans more than 0.1 rad):
        >>> gate = StateRiskGate(risk=lambda obs: np.abs(obs[:, 2]), threshold=0.1)
    """

    risk: Callable[[np.ndarray], np.ndarray]
    threshold: float

    def __call__(self, obs: np.ndarray, learner_action: np.ndarray, expert_action: np.ndarray) -> np.ndarray:
        return np.asarray(self.risk(obs)).reshape(len(obs)) > self.threshold


class GatedActor:
    """The learner acts unless the gate hands the step to the expert; those steps are labeled.

    The gate compares the actions as the actors give them: give it executed ones (a
    ``PolicyActor`` with ``spec``), or a learner out of the box looks far from an expert it matches."""

    def __init__(self, expert: Actor, learner: Actor, gate: Gate):
        self.expert, self.learner, self.gate = expert, learner, gate

    def __call__(self, obs: Any):
        return self.observe(Observed(obs, np.zeros(trees.leading_size(obs), bool)))

    def observe(self, observed: Observed):
        """Act on one rollout step: the gate sees the learner's observations and both actions."""
        expert_actions = np.asarray(act_on(self.expert, observed))
        learner_actions = np.asarray(act_on(self.learner, observed)).astype(expert_actions.dtype)
        takeover = np.asarray(self.gate(observed.obs, learner_actions, expert_actions), bool)
        pick = takeover.reshape(len(expert_actions), *([1] * (expert_actions.ndim - 1)))
        actions = np.where(pick, expert_actions, learner_actions)
        return actions, {"expert_action": expert_actions, "labeled": takeover}


def count_interventions(trajectories) -> int:
    """Number of times control passed from the learner to the expert (rising edges of ``labeled``)."""
    total = 0
    for traj in trajectories:
        labeled = np.asarray(traj.infos["labeled"], bool)
        total += int(labeled[0]) + int(np.sum(labeled[1:] & ~labeled[:-1]))
    return total


BUILT_IN_GATE_FIELDS = ("gate", "discrepancy_threshold", "risk_feature", "risk_threshold")
"""The fields of ``HGDAggerConfig`` that set up its built-in gate."""


def gate_for(config: HGDAggerConfig, spec: EnvSpec, given: Gate | None = None) -> Gate:
    """``given``, or the config's built-in gate; raises when both are set or the risk feature
    is not a feature of the observation vector."""
    changed = [name for name in BUILT_IN_GATE_FIELDS if getattr(config, name) != getattr(HGDAggerConfig, name)]
    if given is not None:
        if changed:
            raise ValueError(
                f"{', '.join(changed)} set the built-in gate, but a gate was passed to train; expected one of them"
            )
        return given
    if config.gate == "action-discrepancy":
        return ActionDiscrepancyGate(config.discrepancy_threshold)
    shape = getattr(spec.observation, "shape", None)
    if shape is None or len(shape) != 1 or not config.risk_feature < shape[0]:
        raise ValueError(
            f"--risk-feature {config.risk_feature}: expected the index of a feature of a vector observation, "
            f"got the observation {spec.observation}"
        )
    feature = config.risk_feature
    return StateRiskGate(risk=lambda obs: np.abs(np.asarray(obs)[:, feature]), threshold=config.risk_threshold)


def train(
    key: PRNGKeyArray,
    config: HGDAggerConfig,
    expert: Expert,
    env_id: str,
    *,
    gate: Gate | None = None,
    progress: bool = True,
    on_round: Callable[[InteractiveResult], None] | None = None,
) -> InteractiveResult:
    """Run HG-DAgger: round 0 is expert demonstrations; in later rounds the learner drives and
    ``gate`` (default: the action-discrepancy gate) decides when the expert takes over.

    Example:
        >>> gate = StateRiskGate(risk=lambda obs: np.abs(obs[:, 2]), threshold=0.05)
        >>> result = train(jax.random.key(0), HGDAggerConfig(), experts.load("CartPole-v1"), "CartPole-v1", gate=gate)
    """
    spec = env_spec(env_id)
    gate = gate_for(config, spec, given=gate)
    key, actor_key = jax.random.split(key)

    def collect(round_index, policy, dataset, n_steps, seed):
        if policy is None:
            actor = LabelingExpert(expert)
        else:
            learner = PolicyActor(policy, jax.random.fold_in(actor_key, round_index), True, spec=spec)
            actor = GatedActor(expert, learner, gate)
        trajectories = rollout(actor, env_id, n_steps=n_steps, seed=seed, n_envs=config.interactive.n_envs)
        takeover_steps = int(sum(np.sum(t.infos["labeled"]) for t in trajectories))
        return trajectories, {"interventions": count_interventions(trajectories), "takeover_steps": takeover_steps}

    return run_rounds(key, config.interactive, config.bc, env_id, expert, collect, progress, "HG-DAgger", on_round)
