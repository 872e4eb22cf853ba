"""The inverse dynamics model ``p(a | s, s')``: learned from the agent's own interaction, it labels
the expert's state pairs with actions.

It is a policy of the factory (``policies/build.py``) whose observation is the pair ``(s, s')``
(:mod:`apprentice.envs.pairs`), trained by behavior cloning's own training on the agent's
``((s, s'), a)`` samples, so every head works: categorical (cross-entropy) for discrete actions,
Gaussian (NLL) or deterministic (squared error) for continuous ones. Torabi, Warnell & Stone
(2018), "Behavioral cloning from observation", eq. (2): ``theta* = argmax_theta prod_i
p_theta(a_i | s_i, s_{i+1})`` over the agent's transitions; the expert's missing actions are then
``argmax_a p_theta*(a | s, s')`` (the head's mode; clipped into the action box).

Example:
    >>> model = train_inverse_dynamics(jax.random.key(0), BCConfig(), random_episodes, spec)
    >>> labeled = model.label(expert_demos)       # the expert's trajectories, with inferred actions
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import jax
import numpy as np
from jaxtyping import PRNGKeyArray

from apprentice.algorithms.bc.train import BCResult
from apprentice.algorithms.bc.train import train as bc_train
from apprentice.algorithms.configs.bc import BCConfig
from apprentice.data.trajectory import Trajectory, Transitions, flatten, split_episodes
from apprentice.data.validation import require_actions
from apprentice.envs.pairs import pair_observations, pair_spec
from apprentice.envs.spec import EnvSpec
from apprentice.policies.actor import PolicyActor
from apprentice.policies.base import Policy


def pair_transitions(trajectories: Sequence[Trajectory] | Transitions) -> Transitions:
    """The samples ``((s, s'), a)`` of ``trajectories`` (``a`` absent for observation-only ones)."""
    data = trajectories if isinstance(trajectories, Transitions) else flatten(trajectories)
    pairs = pair_observations(data.obs, data.next_obs)
    return Transitions(obs=pairs, acts=data.acts, next_obs=pairs, dones=data.dones, weights=data.weights)


@dataclass(frozen=True)
class InverseDynamicsModel:
    """``p(a | s, s')`` as a policy over observation pairs, and what its training logged."""

    policy: Policy
    """Acts on the pair ``(s, s')`` (``envs.pairs.pair_observations``)."""
    spec: EnvSpec
    """The env's spec; the policy's own is ``pair_spec(spec)``."""
    training: BCResult

    def predict(self, obs, next_obs) -> np.ndarray:
        """The most likely action of each ``(s, s')`` (batched), clipped into the action box."""
        return self._most_likely(pair_observations(obs, next_obs))

    def _most_likely(self, pairs) -> np.ndarray:
        return PolicyActor(self.policy, jax.random.key(0), deterministic=True, spec=self.spec)(pairs)

    def label(self, demos: Sequence[Trajectory]) -> list[Trajectory]:
        """``demos`` with their actions replaced by the model's (observation-only ones get them)."""
        demos = list(demos)
        data = pair_transitions(demos)
        actions = self._most_likely(data.obs)  # one call over all pairs, cut back into episodes
        ends = np.cumsum([len(t) for t in demos])
        return [dataclasses.replace(traj, actions=actions[end - len(traj) : end]) for traj, end in zip(demos, ends)]


def train_inverse_dynamics(
    key: PRNGKeyArray,
    config: BCConfig,
    interaction: Sequence[Trajectory],
    spec: EnvSpec,
    *,
    progress: bool = False,
    capacity: int | None = None,
) -> InverseDynamicsModel:
    """Fit ``p(a | s, s')`` to the agent's own ``interaction`` (trajectories with actions) by
    behavior cloning over observation pairs; ``config.validation_fraction`` holds out whole
    episodes for early stopping, as in BC.

    Args:
        config: BC's config of the model (its head, body and optimization); ``weighting`` must be ``none``.
        capacity: pad the model's training data to this many samples (BC's ``capacity``), so
            that the rounds of BCO(alpha), whose interaction grows up to it, share one compiled epoch.
    """
    require_actions(interaction, "BCO's inverse dynamics model (the agent's own interaction)")
    if config.weighting != "none":
        raise ValueError(
            f"inverse dynamics: expected weighting='none' (the agent's steps weigh the same), got {config.weighting!r}"
        )
    split_key, train_key = jax.random.split(key)
    seed = int(jax.random.randint(split_key, (), 0, 2**31 - 1))
    train_episodes, val_episodes = split_episodes(list(interaction), config.validation_fraction, seed)
    validation = pair_transitions(val_episodes) if val_episodes else None
    trained = bc_train(
        train_key,
        dataclasses.replace(config, validation_fraction=0.0),
        pair_transitions(train_episodes),
        pair_spec(spec),
        validation=validation,
        progress=progress,
        capacity=capacity,
    )
    return InverseDynamicsModel(trained.policy, spec, trained)
