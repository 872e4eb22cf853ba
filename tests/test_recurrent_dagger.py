"""Stateful learners in the interactive loop: whole episodes kept, loss only on labeled steps."""

from __future__ import annotations

import dataclasses

import equinox as eqx
import jax
import numpy as np
import pytest

from apprentice import experts
from apprentice.algorithms import bc
from apprentice.algorithms.dagger import DAggerConfig, InteractiveConfig, dagger
from apprentice.algorithms.dagger.loop import labeled_trajectories, labeled_transitions, n_labels
from apprentice.data.sequences import sequence_chunks
from apprentice.envs import env_spec
from apprentice.policies.architecture import Network
from apprentice.rollout import rollout

NO_VELOCITY = "apprentice/CartPole-NoVelocity-v1"


def half_labeled(seed: int = 0, n_episodes: int = 4):
    """Expert episodes where every other step is labeled; the unlabeled steps' labels are garbage."""
    trajectories = rollout(experts.load(NO_VELOCITY), NO_VELOCITY, n_episodes=n_episodes, seed=seed)
    out = []
    for traj in trajectories[:n_episodes]:
        traj = dataclasses.replace(
            traj,
            actions=traj.actions[:60],
            rewards=traj.rewards[:60],
            observations=traj.observations[:61],
            states=traj.states[:61],
            infos={},
            terminated=False,
            truncated=True,
        )
        labeled = np.arange(60) % 2 == 0
        out.append(dataclasses.replace(traj, infos={"labeled": labeled, "expert_action": traj.actions.copy()}))
    return out


def with_garbage(trajectories, seed):
    """The same episodes with the unlabeled steps' actions replaced at random."""
    rng = np.random.default_rng(seed)
    out = []
    for traj in trajectories:
        actions = traj.actions.copy()
        unlabeled = ~traj.infos["labeled"]
        actions[unlabeled] = rng.integers(0, 2, unlabeled.sum())
        out.append(dataclasses.replace(traj, actions=actions))
    return out


def test_labeled_episodes_keep_the_same_labels_as_labeled_steps_under_a_budget():
    trajectories = half_labeled()
    for limit in (None, 1, 45, 70):
        steps = labeled_transitions(trajectories, limit)
        episodes = labeled_trajectories(trajectories, limit)
        assert n_labels(episodes) == len(steps) == (120 if limit is None else min(limit, 120))
        kept_obs = np.concatenate([t.observations[:-1][t.infos["labeled"]] for t in episodes])
        kept_labels = np.concatenate([t.actions[t.infos["labeled"]] for t in episodes])
        np.testing.assert_array_equal(kept_obs, steps.obs)
        np.testing.assert_array_equal(kept_labels, steps.acts)


def test_unlabeled_steps_carry_no_loss_in_a_sequence_chunk():
    trajectories = half_labeled()
    chunks = sequence_chunks(trajectories, length=25, burn_in=5, labeled=[t.infos["labeled"] for t in trajectories])
    assert chunks.n_steps == 120
    assert float(chunks.weights.sum()) == 120.0


@pytest.mark.parametrize("memory", [{}, {"core": "gru", "core_size": 16}])
def test_behavior_cloning_ignores_the_actions_of_unlabeled_steps(memory):
    """Two datasets that differ only in the unlabeled steps' actions train to the same parameters,
    memoryless (those steps dropped) or recurrent (those steps read, without loss)."""
    config = bc.BCConfig(
        n_epochs=3,
        network=Network(hidden_sizes=(16,), **memory),
        batch_size=60,
        sequence_length=20,
        burn_in=4,
        validation_fraction=0.0,
        patience=0,
    )
    spec = env_spec(NO_VELOCITY)
    trajectories = half_labeled()
    params = []
    for seed in (1, 2):
        result = bc.train(jax.random.key(0), config, with_garbage(trajectories, seed), spec, progress=False)
        params.append(jax.tree.leaves(eqx.filter(result.policy, eqx.is_array)))
    for a, b in zip(*params):
        np.testing.assert_array_equal(a, b)


def test_dagger_with_a_recurrent_learner_aggregates_labeled_episodes():
    config = DAggerConfig(
        bc=bc.BCConfig(
            network=Network(hidden_sizes=(16,), core="gru", core_size=16),
            n_epochs=2,
            batch_size=200,
            sequence_length=40,
            burn_in=4,
            validation_fraction=0.0,
            patience=0,
        ),
        interactive=InteractiveConfig(n_rounds=2, initial_labels=300, steps_per_round=200, eval_episodes=1),
    )
    result = dagger.train(jax.random.key(0), config, experts.load(NO_VELOCITY), NO_VELOCITY, progress=False)
    assert result.policy.recurrent
    assert [row["labels"] for row in result.metrics] == [300, 500, 700]
    assert isinstance(result.dataset, list) and n_labels(result.dataset) == 700
    # Every kept episode is a whole stretch of the rollout with the expert's labels as its actions.
    assert all(len(t.observations) == len(t.actions) + 1 for t in result.dataset)
