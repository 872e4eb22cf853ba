"""DAgger, HG-DAgger, DART: label accounting, reductions to BC and plain collection, learning."""

from __future__ import annotations

from dataclasses import replace

import jax
import numpy as np
import pytest

from apprentice import experts
from apprentice.algorithms.bc import BCConfig
from apprentice.algorithms.dagger import (
    DAggerConfig,
    DARTConfig,
    HGDAggerConfig,
    InteractiveConfig,
    NoisyExpertActor,
    StateRiskGate,
    beta_at,
    dagger,
    dart,
    hg_dagger,
)
from apprentice.algorithms.dagger.loop import round_seed
from apprentice.envs import env_spec, evaluation_seed
from apprentice.policies.architecture import Network
from apprentice.rollout import rollout

SMALL_BC = BCConfig(network=Network((32,)), n_epochs=5, validation_fraction=0.0)
TWO_ROUNDS = InteractiveConfig(initial_labels=150, steps_per_round=120, n_rounds=2, eval_episodes=2)


def test_beta_schedules():
    assert [beta_at("pure", r) for r in range(3)] == [1.0, 0.0, 0.0]
    assert [beta_at("constant", r, beta=0.3) for r in range(3)] == [1.0, 0.3, 0.3]
    assert [beta_at("exponential", r, decay=0.5) for r in range(4)] == [1.0, 0.5, 0.25, 0.125]
    with pytest.raises(ValueError, match="beta_schedule"):
        beta_at("linear", 1)


def test_dagger_adds_exactly_one_expert_label_per_visited_state():
    expert = experts.load("CartPole-v1")
    config = DAggerConfig(interactive=TWO_ROUNDS, bc=SMALL_BC)
    result = dagger.train(jax.random.key(0), config, expert, "CartPole-v1", progress=False)
    assert [r["new_labels"] for r in result.metrics] == [150, 120, 120]
    assert [r["env_steps"] for r in result.metrics] == [150, 270, 390]
    assert [r["dataset_size"] for r in result.metrics] == [150, 270, 390]
    np.testing.assert_array_equal(result.dataset.acts, expert(result.dataset.obs))  # every label is the expert's
    assert result.metrics[1]["expert_action_share"] == 0.0  # pure DAgger: the learner drove


def test_dagger_with_beta_one_is_bc_on_expert_rollouts():
    expert = experts.load("CartPole-v1")
    config = DAggerConfig(interactive=TWO_ROUNDS, bc=SMALL_BC, beta_schedule="constant", beta=1.0)
    result = dagger.train(jax.random.key(0), config, expert, "CartPole-v1", progress=False)
    expected = [
        rollout(expert, "CartPole-v1", n_steps=n, seed=round_seed(TWO_ROUNDS, r), n_envs=1)
        for r, n in enumerate((150, 120, 120))
    ]
    expected_obs = np.concatenate([t.observations[:-1] for round_trajs in expected for t in round_trajs])
    np.testing.assert_array_equal(result.dataset.obs, expected_obs)


def test_label_budget_caps_the_labels():
    config = DAggerConfig(
        interactive=InteractiveConfig(
            initial_labels=100, steps_per_round=100, n_rounds=10, label_budget=250, eval_episodes=1
        ),
        bc=SMALL_BC,
    )
    result = dagger.train(jax.random.key(0), config, experts.load("CartPole-v1"), "CartPole-v1", progress=False)
    assert [r["labels"] for r in result.metrics] == [100, 200, 250]


def test_hg_dagger_labels_only_the_gated_steps():
    expert = experts.load("CartPole-v1")
    gate = StateRiskGate(risk=lambda obs: np.abs(obs[:, 2]), threshold=0.02)
    config = HGDAggerConfig(interactive=TWO_ROUNDS, bc=SMALL_BC)
    result = hg_dagger.train(jax.random.key(0), config, expert, "CartPole-v1", gate=gate, progress=False)
    later = result.dataset.obs[150:]  # rounds 1 and 2: only takeover steps
    assert len(later) == sum(r["takeover_steps"] for r in result.metrics[1:])
    assert len(later) < 240 and (np.abs(later[:, 2]) > 0.02).all()
    assert all(r["interventions"] <= r["takeover_steps"] for r in result.metrics[1:])


def test_dart_with_zero_noise_is_plain_collection():
    expert = experts.load("Pendulum-v1")
    spec = env_spec("Pendulum-v1")
    plain = rollout(expert, "Pendulum-v1", n_steps=300, seed=5)
    quiet = rollout(NoisyExpertActor(expert, spec, 0.0, seed=5), "Pendulum-v1", n_steps=300, seed=5)
    for a, b in zip(plain, quiet):
        np.testing.assert_array_equal(a.observations, b.observations)
        np.testing.assert_array_equal(a.actions, b.actions)
        np.testing.assert_array_equal(b.infos["expert_action"], b.actions)


def test_dart_noise_perturbs_the_executed_action_not_the_label():
    expert = experts.load("CartPole-v1")
    noisy = rollout(NoisyExpertActor(expert, env_spec("CartPole-v1"), 0.5, seed=0), "CartPole-v1", n_steps=2000, seed=0)
    executed = np.concatenate([t.actions for t in noisy])
    labels = np.concatenate([t.infos["expert_action"] for t in noisy])
    obs = np.concatenate([t.observations[:-1] for t in noisy])
    np.testing.assert_array_equal(labels, expert(obs))
    assert 0.2 < np.mean(executed != labels) < 0.3  # epsilon 0.5, half of the random actions agree


def test_dart_fits_its_noise_to_the_learner():
    config = DARTConfig(interactive=TWO_ROUNDS, bc=SMALL_BC, noise=0.0, fit_noise=True)
    result = dart.train(jax.random.key(0), config, experts.load("Pendulum-v1"), "Pendulum-v1", progress=False)
    noise = [r["noise"] for r in result.metrics]
    assert noise[0] == 0.0 and noise[1] > 0.0  # an undertrained learner has a nonzero error


@pytest.mark.slow
def test_dagger_learns_pendulum_from_1200_labels():
    """Measured 2026-12-02 over training seeds: at 900 labels 0.76-0.94 (seeds 0-3; both before and
    after the core redesign, so a 0.9 bar there was inside the seed spread), at 1200 labels 0.91-0.93."""
    config = DAggerConfig(
        interactive=InteractiveConfig(initial_labels=300, steps_per_round=300, n_rounds=3, eval_episodes=20)
    )
    result = dagger.train(jax.random.key(0), config, experts.load("Pendulum-v1"), "Pendulum-v1", progress=False)
    assert result.metrics[-1]["labels"] == 1200
    assert result.metrics[-1]["normalized_score"] >= 0.9, result.metrics


ALGORITHMS = {
    "dagger": (dagger.train, DAggerConfig),
    "hg-dagger": (hg_dagger.train, HGDAggerConfig),
    "dart": (dart.train, DARTConfig),
}


@pytest.mark.parametrize("name", sorted(ALGORITHMS))
def test_same_seed_same_result(name):
    train_fn, config_type = ALGORITHMS[name]
    config = config_type(
        interactive=InteractiveConfig(initial_labels=100, steps_per_round=100, n_rounds=1, eval_episodes=1), bc=SMALL_BC
    )
    expert = experts.load("CartPole-v1")
    a = train_fn(jax.random.key(3), config, expert, "CartPole-v1", progress=False)
    b = train_fn(jax.random.key(3), config, expert, "CartPole-v1", progress=False)
    strip = lambda rows: [{k: v for k, v in r.items() if not k.startswith("seconds")} for r in rows]  # noqa: E731
    assert strip(a.metrics) == strip(b.metrics)
    for x, y in zip(jax.tree.leaves(a.policy), jax.tree.leaves(b.policy)):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


def test_a_label_budget_is_shared_by_round_zero_and_the_rounds_after_it():
    """The README's `--label-budget 1000` once ran round 0 only (BC on 1000 labels): the derived
    schedule gives round 0 a sixth of it and the five rounds the rest."""
    shared = InteractiveConfig(label_budget=1000)
    (initial, per_round), rounds = shared.schedule, shared.n_rounds
    assert (initial, per_round, rounds) == (167, 167, 5)
    assert initial + rounds * per_round >= 1000 > initial
    assert InteractiveConfig(initial_labels=400, label_budget=1600, n_rounds=3).schedule == (400, 400)
    assert InteractiveConfig().schedule == (1000, 1000)
    # The fields keep what was given (0: derived), so a copy with another budget derives again:
    # tyro builds the command line's config from the defaults, and --label-budget alone must work.
    assert (shared.initial_labels, shared.steps_per_round) == (0, 0)
    assert replace(InteractiveConfig(), label_budget=600).schedule == (100, 100)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"label_budget": 1000, "initial_labels": 1000}, "--label-budget 1000 leaves no round after round 0"),
        ({"label_budget": 1000, "n_rounds": 0}, "leaves no round after round 0"),
        ({"label_budget": 5000, "initial_labels": 500, "steps_per_round": 500}, "expected --n-rounds 9 or more"),
        ({"label_budget": -5}, "--label-budget: expected an integer >= 0"),
        ({"initial_labels": -1}, "--initial-labels: expected an integer >= 0"),
    ],
)
def test_a_budget_that_leaves_no_round_is_a_clear_error(fields, message):
    with pytest.raises(ValueError, match=message):
        InteractiveConfig(**fields)


def test_bad_settings_are_clear_errors():
    expert = experts.load("CartPole-v1")
    with pytest.raises(ValueError, match=r"--beta: expected a value in \[0, 1\], got 1.5"):
        dagger.train(
            jax.random.key(0),
            DAggerConfig(interactive=TWO_ROUNDS, bc=SMALL_BC, beta_schedule="constant", beta=1.5),
            expert,
            "CartPole-v1",
            progress=False,
        )
    with pytest.raises(ValueError, match="noise: expected epsilon in"):
        dart.train(jax.random.key(0), DARTConfig(noise=2.0), expert, "CartPole-v1", progress=False)


@pytest.mark.slow
def test_dagger_balances_cartpole_from_500_labels():
    from apprentice.evaluation import evaluate

    interactive = InteractiveConfig(
        initial_labels=100, steps_per_round=100, n_rounds=4, label_budget=500, eval_episodes=0
    )
    bc = BCConfig(n_epochs=30, min_gradient_steps=2000, validation_fraction=0.0)  # as in `apprentice bench labels`
    result = dagger.train(
        jax.random.key(0),
        DAggerConfig(interactive=interactive, bc=bc),
        experts.load("CartPole-v1"),
        "CartPole-v1",
        progress=False,
    )
    assert result.metrics[-1]["labels"] == 500
    assert evaluate(result.policy, "CartPole-v1", n_episodes=20, seed=evaluation_seed()).mean_return >= 475


def test_rounds_share_one_compiled_epoch_and_on_round_sees_each_round_as_it_ends():
    from apprentice.algorithms.bc.train import epoch_scan

    seen = []
    config = DAggerConfig(
        interactive=InteractiveConfig(initial_labels=50, steps_per_round=50, n_rounds=2, eval_episodes=1),
        bc=BCConfig(n_epochs=1, network=Network((7,)), batch_size=16, validation_fraction=0.0),
    )
    compiled = epoch_scan._cache_size()
    result = dagger.train(
        jax.random.key(0),
        config,
        experts.load("CartPole-v1"),
        "CartPole-v1",
        progress=False,
        on_round=lambda partial: seen.append((len(partial.metrics), partial.policy is not None)),
    )
    assert [r["dataset_size"] for r in result.metrics] == [50, 100, 150]
    assert epoch_scan._cache_size() == compiled + 1  # padded to the 150-label capacity
    assert seen == [(1, True), (2, True), (3, True)]
    assert all(0 < r["seconds_excluding_eval"] <= r["seconds"] for r in result.metrics)


def test_rounds_for_budget_rounds_up_to_reach_the_budget():
    from apprentice.algorithms.dagger.loop import rounds_for_budget

    assert rounds_for_budget(1000, 400, 400) == 2  # 400 + 400 + 200 (a partial last round)
    assert rounds_for_budget(1200, 400, 400) == 2
    assert rounds_for_budget(400, 400, 400) == 0


def test_labeled_transitions_keep_labeled_steps_up_to_the_limit_with_terminal_dones():
    from apprentice.algorithms.dagger.loop import labeled_transitions
    from apprentice.data.trajectory import Trajectory

    def episode(n, terminated, labeled):
        return Trajectory(
            np.arange(n + 1.0)[:, None],
            np.zeros(n, int),
            np.ones(n),
            terminated=terminated,
            infos={"labeled": np.asarray(labeled, bool), "expert_action": np.arange(n) + 10},
        )

    trajectories = [episode(3, True, [1, 0, 1]), episode(2, False, [1, 1])]
    data = labeled_transitions(trajectories)
    np.testing.assert_array_equal(data.acts, [10, 12, 10, 11])  # the expert's labels, unlabeled step left out
    np.testing.assert_array_equal(data.obs[:, 0], [0, 2, 0, 1])
    np.testing.assert_array_equal(data.dones, [False, True, False, False])  # only a terminated episode's last step
    assert len(labeled_transitions(trajectories, limit=3)) == 3
    assert len(labeled_transitions(trajectories, limit=4)) == 4
    assert labeled_transitions([episode(2, True, [0, 0])]) is None


def test_the_state_risk_gate_is_selectable_from_the_config_and_the_command_line():
    from apprentice.algorithms.dagger.hg_dagger import gate_for
    from apprentice.cli import parse
    from apprentice.envs import env_spec

    args = parse(
        "train hg-dagger", ["--env", "CartPole-v1", "--out", "x", "--gate", "state-risk", "--risk-feature", "2"]
    )
    gate = gate_for(args.config, env_spec("CartPole-v1"))
    obs = np.array([[9.0, 9.0, 0.05, 9.0], [0.0, 0.0, -0.2, 0.0]], np.float32)
    np.testing.assert_array_equal(gate(obs, np.zeros(2), np.zeros(2)), [False, True])  # |angle| > 0.1
    with pytest.raises(ValueError, match="--risk-feature 7: expected the index of a feature"):
        gate_for(HGDAggerConfig(gate="state-risk", risk_feature=7), env_spec("CartPole-v1"))
