"""BCO and BCO(alpha): behavior cloning from observations whose actions an inverse dynamics model infers.

Torabi, Warnell & Stone (2018), "Behavioral cloning from observation", Algorithm 1:

1. pre-demonstration: a random policy acts for ``I_pre`` steps; the inverse dynamics model
   ``p(a | s, s')`` (:mod:`~apprentice.algorithms.observations_only.inverse_dynamics`) learns
   its actions from its state pairs;
2. the model labels each expert pair ``(s, s')`` with its most likely action;
3. behavior cloning (BC's own training) on the labeled expert states gives the policy;
4. BCO(alpha): repeat, each round adding ``alpha * I_pre`` steps of the current policy to the
   model's data, so the model is trained where the imitator goes, then relabel and retrain.

Interaction uses the collection stream ``INTERACTIVE`` of the seed scheme (round ``r`` the
``r``-th block drawn from the key), never an evaluation seed. The model and the policy are
retrained from scratch every round (on all interaction so far, and on the fresh labels).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import jax
import numpy as np
from jaxtyping import PRNGKeyArray

from apprentice.algorithms.bc.train import train as bc_train
from apprentice.algorithms.configs.observations_only import BCOConfig
from apprentice.algorithms.observations_only.inverse_dynamics import InverseDynamicsModel, train_inverse_dynamics
from apprentice.data.trajectory import Trajectory, Transitions, flatten
from apprentice.envs.make import env_spec
from apprentice.envs.seeds import Stream, drawn_collection_seed
from apprentice.envs.spec import EnvSpec, require_data_matches
from apprentice.policies.actor import PolicyActor
from apprentice.policies.architecture import PolicyArchitecture
from apprentice.policies.base import Policy
from apprentice.progress import progress_bar
from apprentice.rollout import RandomActor, rollout


@dataclass(frozen=True)
class BCOResult:
    """The imitating policy, the inverse dynamics model that labeled its data, and one row per round."""

    policy: Policy
    architecture: PolicyArchitecture
    spec: EnvSpec
    inverse_dynamics: InverseDynamicsModel
    metrics: list[dict[str, Any]] = field(default_factory=list)
    """One row per round (0: pre-demonstration): ``interaction_steps``, the model's and BC's
    ``*_train_loss`` and ``*_val_score``, and where the demonstrations do hold actions (a
    benchmark's check, never used to train) ``label_accuracy`` (discrete) or ``label_mse``."""
    labeled: list[Trajectory] = field(default_factory=list)
    """The expert's trajectories with the last round's inferred actions."""


def train(
    key: PRNGKeyArray,
    config: BCOConfig,
    env_id: str,
    demos: Sequence[Trajectory],
    *,
    progress: bool = True,
) -> BCOResult:
    """BCO(alpha) on ``env_id`` from expert ``demos`` (observation-only, or with actions, which are ignored).

    Example:
        >>> demos = load_trajectories("cartpole_observations.npz")[0]    # apprentice collect --no-actions
        >>> result = train(jax.random.key(0), BCOConfig(), "CartPole-v1", demos)
    """
    if isinstance(demos, Transitions):
        raise ValueError("bco: expected expert trajectories (BC holds out whole episodes), got Transitions")
    demos = list(demos)
    if not demos:
        raise ValueError("bco: expected at least one expert trajectory, got none")
    spec = env_spec(env_id)
    require_data_matches(spec, flatten(demos), "bco demonstrations", actions=False)
    seed_key, key = jax.random.split(key)
    draw = int(jax.random.randint(seed_key, (), 0, 2**31 - 1))
    interaction: list[Trajectory] = []
    metrics: list[dict[str, Any]] = []
    policy: Policy | None = None
    start = time.perf_counter()
    n_rounds = 1 + config.n_iterations
    capacity = config.pre_demonstration_steps + config.n_iterations * config.steps_per_iteration
    with progress_bar(n_rounds, "BCO", enabled=progress) as bar:
        for round_index in range(n_rounds):
            key, actor_key, model_key, bc_key = jax.random.split(key, 4)
            seed = drawn_collection_seed(draw + round_index, Stream.INTERACTIVE)
            if policy is None:
                actor: Any = RandomActor(spec, seed)
                n_steps = config.pre_demonstration_steps
            else:
                actor = PolicyActor(policy, actor_key, deterministic=not config.stochastic_interaction, spec=spec)
                n_steps = config.steps_per_iteration
            interaction += rollout(actor, env_id, n_steps=n_steps, seed=seed)
            model = train_inverse_dynamics(model_key, config.inverse_dynamics, interaction, spec, capacity=capacity)
            labeled = model.label(demos)
            trained = bc_train(bc_key, config.bc, labeled, spec, progress=False)
            policy = trained.policy
            row = {
                "round": round_index,
                "interaction_steps": sum(len(t) for t in interaction),
                **_last_losses("inverse_dynamics", model.training.metrics),
                **_last_losses("bc", trained.metrics),
                **label_quality(demos, labeled, spec),
                "seconds": time.perf_counter() - start,
            }
            metrics.append(row)
            bar.advance(1, **{k: row[k] for k in ("interaction_steps", "inverse_dynamics_train_loss") if k in row})
    assert policy is not None  # at least one round ran
    return BCOResult(policy, policy.architecture, spec, model, metrics, labeled)


def _last_losses(prefix: str, metrics: list[dict]) -> dict[str, float]:
    last = metrics[-1]
    return {f"{prefix}_{name}": float(last[name]) for name in ("train_loss", "val_score") if name in last}


def label_quality(demos: Sequence[Trajectory], labeled: Sequence[Trajectory], spec: EnvSpec) -> dict[str, float]:
    """How the inferred actions compare with the recorded ones, where the demonstrations hold them
    (an empty dict for observation-only demonstrations): ``label_accuracy`` for discrete actions,
    ``label_mse`` (mean squared error per coordinate) for continuous ones."""
    if any(t.actions is None for t in demos):
        return {}
    true = np.concatenate([np.asarray(t.actions) for t in demos])
    inferred = np.concatenate([np.asarray(t.actions) for t in labeled])
    if spec.action_kind == "discrete":
        if true.ndim > 1:  # soft labels: compare with the expert's most likely action
            true = true.argmax(-1)
        return {"label_accuracy": float(np.mean(true == inferred))}
    return {"label_mse": float(np.mean((true.reshape(inferred.shape) - inferred) ** 2))}
