"""The seed scheme (apprentice.envs.seeds): no evaluation episode starts where a training episode did.

Each entry point that collects and evaluates runs small and real, with every rollout recorded: the
first observation of each training episode (demonstrations, interactive rounds, RL training envs,
preference queries) and of each evaluation episode; the two sets must be disjoint. Training is
replaced by an untrained policy in the benchmark runs (only their seeds are under test here).
"""

from __future__ import annotations

from types import SimpleNamespace

import jax
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from apprentice import experts
from apprentice.algorithms.bc import BCConfig
from apprentice.algorithms.dagger import (
    DAggerConfig,
    DARTConfig,
    HGDAggerConfig,
    InteractiveConfig,
    dagger,
    dart,
    hg_dagger,
)
from apprentice.algorithms.rl import PPOConfig, SACConfig
from apprentice.envs.seeds import (
    COLLECTION_END,
    EVALUATION_END,
    INDICES,
    MAX_ENVS,
    RUN_SEEDS,
    Stream,
    collection_seed,
    drawn_collection_seed,
    evaluation_seed,
)
from apprentice.policies.architecture import Network
from apprentice.policies.build import make_policy

SMALL_BC = BCConfig(network=Network(hidden_sizes=(16,)), n_epochs=2, validation_fraction=0.0)


class StartStates:
    """Records the first observation of every episode that recorded rollouts return."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch
        self.starts: dict[str, set[bytes]] = {"train": set(), "eval": set()}
        import apprentice.algorithms.rl.evaluation as rl_evaluation
        import apprentice.evaluation as evaluation

        self.record(evaluation, "rollout", "eval")
        self.record(rl_evaluation, "rollout", "eval")

    def record(self, module, name: str, kind: str) -> None:
        original = getattr(module, name)

        def recording(*args, **kwargs):
            trajectories = original(*args, **kwargs)
            self.starts[kind].update(_key(t.observations[0]) for t in trajectories)
            return trajectories

        self.monkeypatch.setattr(module, name, recording)

    def record_vector_resets(self, module) -> None:
        """Training envs stepped by hand (PPO, SAC): record what their first reset returns."""
        original = module.make_vector_steps

        def recording(*args, **kwargs):
            envs = original(*args, **kwargs)
            reset = envs.reset

            def recorded_reset(*a, **k):
                obs = reset(*a, **k)
                self.starts["train"].update(_key(row) for row in np.asarray(obs))
                return obs

            envs.reset = recorded_reset
            return envs

        self.monkeypatch.setattr(module, "make_vector_steps", recording)

    def assert_disjoint(self) -> None:
        train, evaluation = self.starts["train"], self.starts["eval"]
        assert train and evaluation, f"nothing recorded: {len(train)} training and {len(evaluation)} evaluation starts"
        shared = train & evaluation
        assert not shared, f"{len(shared)} evaluation episodes start from a state a training episode started from"


def _key(obs) -> bytes:
    return np.asarray(obs, np.float32).tobytes()


def _untrained_bc(key, config, demos, spec, **_):
    """A stand-in for ``bc.train``: an untrained policy of the architecture BC would train."""
    architecture = config.architecture_for(spec)
    return SimpleNamespace(policy=make_policy(key, spec, architecture), architecture=architecture)


# ---------------------------------------------------------------- the scheme itself


def test_bands_and_blocks_are_laid_out_as_documented():
    assert collection_seed(0, Stream.DEMONSTRATIONS) == 0
    assert collection_seed(3, Stream.INTERACTIVE, index=2) == 3_100_200
    assert collection_seed(RUN_SEEDS - 1, max(Stream), INDICES - 1, MAX_ENVS) + MAX_ENVS <= COLLECTION_END
    assert evaluation_seed() == COLLECTION_END and evaluation_seed(RUN_SEEDS - 1) < EVALUATION_END <= 2**31


def test_streams_and_run_seeds_never_share_a_seed():
    owners: dict[int, tuple] = {}
    for run_seed in (0, 1, 2, 7, RUN_SEEDS - 1):
        for stream in Stream:
            for index in (0, 1, 2, 5, INDICES - 1):
                start = collection_seed(run_seed, stream, index, MAX_ENVS)
                for seed in range(start, start + MAX_ENVS):
                    assert seed not in owners, f"seed {seed}: {owners[seed]} and {(run_seed, stream, index)}"
                    owners[seed] = (run_seed, stream, index)
    assert max(owners) < evaluation_seed()


@given(st.integers(0, 2**40), st.sampled_from(list(Stream)), st.integers(1, MAX_ENVS))
def test_a_drawn_seed_lands_in_its_own_stream_of_the_collection_band(draw, stream, n_envs):
    seed = drawn_collection_seed(draw, stream, n_envs)
    assert 0 <= seed and seed + n_envs <= COLLECTION_END
    assert (seed // 10**5) % 10 == stream  # the stream digit
    assert seed // 100 == (seed + n_envs - 1) // 100  # the whole range inside one block


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: collection_seed(RUN_SEEDS, Stream.DEMONSTRATIONS),
            "run_seed: expected 0 <= run_seed < 1000, got 1000",
        ),
        (lambda: collection_seed(0, Stream.INTERACTIVE, INDICES), "expected 0 <= index < 1000, got 1000"),
        (lambda: collection_seed(0, Stream.RL, 0, MAX_ENVS + 1), "expected 1 to 100 env copies"),
        (lambda: drawn_collection_seed(-1, Stream.RL), "draw: expected a non-negative integer"),
        (lambda: evaluation_seed(-1), "run_seed: expected 0 <= run_seed < 1000, got -1"),
        (lambda: InteractiveConfig(n_rounds=INDICES), "expected 0 <= index < 1000, got 1000"),
        (lambda: InteractiveConfig(n_envs=MAX_ENVS + 1), "expected 1 to 100 env copies"),
        (
            lambda: InteractiveConfig(eval_seed=1000),
            r"eval_seed: expected an evaluation seed range inside \[1000000000",
        ),
        (lambda: PPOConfig(eval_seed=10_000), r"PPOConfig.eval_seed: expected an evaluation seed range"),
        (lambda: SACConfig(eval_seed=10_000), r"SACConfig.eval_seed: expected an evaluation seed range"),
    ],
)
def test_a_seed_outside_its_band_raises_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------- algorithms: real runs, start states recorded


@pytest.mark.parametrize("algorithm", ["dagger", "hg_dagger", "dart"])
def test_interactive_rounds_never_start_where_evaluation_does(monkeypatch, algorithm):
    # The defaults: before the scheme, round 1 collected from env seed 1000, the evaluation seed.
    module = {"dagger": dagger, "hg_dagger": hg_dagger, "dart": dart}[algorithm]
    config_class = {"dagger": DAggerConfig, "hg_dagger": HGDAggerConfig, "dart": DARTConfig}[algorithm]
    recorder = StartStates(monkeypatch)
    recorder.record(module, "rollout", "train")
    interactive = InteractiveConfig(initial_labels=60, steps_per_round=60, n_rounds=2, eval_episodes=10)
    module.train(
        jax.random.key(0),
        config_class(interactive=interactive, bc=SMALL_BC),
        experts.load("CartPole-v1"),
        "CartPole-v1",
        progress=False,
    )
    assert len(recorder.starts["eval"]) == 10
    recorder.assert_disjoint()


@pytest.mark.parametrize("algorithm", ["ppo", "sac", "soft-q"])
def test_rl_training_envs_never_start_where_evaluation_does(monkeypatch, algorithm):
    from apprentice.algorithms.configs.sqil import SoftQConfig
    from apprentice.algorithms.rl import off_policy, ppo, ppo_host, sac, soft_q

    recorder = StartStates(monkeypatch)
    if algorithm == "ppo":
        recorder.record_vector_resets(ppo_host)
        config = PPOConfig(
            total_steps=64,
            n_envs=4,
            n_steps=16,
            n_epochs=1,
            n_minibatches=1,
            eval_episodes=8,
            backend="gymnasium",
            network=Network((8,), "tanh"),
        )
        ppo.train(jax.random.key(0), config, "CartPole-v1", progress=False)
    elif algorithm == "sac":
        recorder.record_vector_resets(off_policy)  # the host loop SAC and soft Q-learning share
        config = SACConfig(
            total_steps=40, learning_starts=20, batch_size=8, n_envs=2, eval_episodes=2, network=Network((8,))
        )
        sac.train(jax.random.key(0), config, "Pendulum-v1", progress=False)
    else:
        recorder.record_vector_resets(off_policy)
        soft = SoftQConfig(total_steps=40, learning_starts=20, batch_size=8, n_envs=2, eval_episodes=2)
        soft_q.train(jax.random.key(0), soft, "CartPole-v1", progress=False)
    recorder.assert_disjoint()


def test_rl_training_seeds_drawn_from_keys_never_reach_the_evaluation_band():
    # Before the scheme PPO and SAC drew their training env seed from [0, 2**31): about half the
    # draws fell in [10**9, 2 * 10**9), where evaluation seeds live now.
    from apprentice.algorithms.rl.common import training_env_seed

    seeds = [training_env_seed(jax.random.key(i), 8) for i in range(200)]
    assert all(seed + 8 <= COLLECTION_END and (seed // 10**5) % 10 == Stream.RL for seed in seeds)
    assert len(set(seeds)) == 200


@pytest.mark.slow  # two PPO runs: about 80 s on a shared 2-core machine
def test_preference_queries_never_start_where_evaluation_does(monkeypatch):
    from apprentice.algorithms.preferences import control
    from apprentice.algorithms.preferences.reward_model import RewardModelConfig
    from apprentice.algorithms.rl import ppo_host

    recorder = StartStates(monkeypatch)
    recorder.record(control, "rollout", "train")
    recorder.record_vector_resets(ppo_host)
    ppo_config = PPOConfig(
        total_steps=64,
        n_envs=4,
        n_steps=16,
        n_epochs=1,
        n_minibatches=1,
        eval_episodes=8,
        backend="gymnasium",
        network=Network((8,), "tanh"),
    )
    config = control.PreferenceRLConfig(
        n_rounds=2,
        n_comparisons=20,
        segment_length=10,
        rollout_steps=200,
        reward_model=RewardModelConfig(n_epochs=2, batch_size=8, held_out_fraction=0.0),
        ppo=ppo_config,
    )
    control.train(jax.random.key(0), config, "CartPole-v1")
    recorder.assert_disjoint()


# ---------------------------------------------------------------- benchmarks: their seed derivations, real rollouts


@pytest.fixture
def untrained(monkeypatch):
    """Every benchmark's BC (and the interactive loop's) replaced by an untrained policy."""
    from apprentice.algorithms.dagger import loop
    from apprentice.bench import demo, irl, labels, returns, rwr

    for module, name in (
        (loop, "bc_train"),
        (labels, "bc_train"),
        (returns, "bc_train"),
        (irl, "bc_train"),
        (demo, "train"),
        (rwr, "train"),
    ):
        monkeypatch.setattr(module, name, _untrained_bc)


def test_labels_bench_never_evaluates_where_it_collected(monkeypatch, untrained, tmp_path):
    from apprentice.algorithms.dagger import loop
    from apprentice.bench import labels

    recorder = StartStates(monkeypatch)
    for module in (labels, dagger, hg_dagger, dart):
        recorder.record(module, "rollout", "train")
    monkeypatch.setattr(loop, "evaluate", lambda *a, **k: pytest.fail("the bench evaluates only final policies"))
    labels.run_labels(
        labels.LabelsBenchConfig(
            envs=("CartPole-v1",), budgets=(60,), seeds=(0, 1), rounds=2, eval_episodes=10, out=str(tmp_path)
        )
    )
    recorder.assert_disjoint()


def test_returns_bench_never_evaluates_where_it_collected(monkeypatch, untrained, tmp_path):
    from apprentice.bench import returns

    recorder = StartStates(monkeypatch)
    recorder.record(returns, "rollout", "train")
    recorder.record(dagger, "rollout", "train")
    monkeypatch.setattr(returns, "summarize", lambda out: {})
    returns.run_returns(
        returns.ReturnsBenchConfig(
            envs=("Pendulum-v1",),
            seeds=(0, 1),
            demo_counts=(2,),
            initial_labels=100,
            steps_per_round=100,
            label_budget=300,
            round_eval_episodes=4,
            eval_episodes=4,
            out=str(tmp_path),
        )
    )
    recorder.assert_disjoint()


def test_irl_bench_never_evaluates_where_it_recorded_demonstrations(monkeypatch, untrained, tmp_path):
    # Before the scheme seed s recorded from env seed 1000 s: seed 1 from the evaluation seed 1000.
    from apprentice.bench import irl

    recorder = StartStates(monkeypatch)
    recorder.record(irl, "rollout", "train")
    monkeypatch.setattr(irl, "_summarize", lambda out: {})
    irl.run_irl_bench(
        irl.IRLBenchConfig(
            envs=("CartPole-v1",), demo_counts=(2,), n_seeds=3, methods=("BC",), eval_episodes=10, out=str(tmp_path)
        )
    )
    recorder.assert_disjoint()
    adversarial = irl.adversarial_config("GAIL", "CartPole-v1")  # GAIL/AIRL train on JAX keys, evaluate as BC does
    assert adversarial.ppo.eval_seed == evaluation_seed()


def test_demo_and_rwr_benches_never_evaluate_where_they_recorded_demonstrations(monkeypatch, untrained, tmp_path):
    from apprentice.bench import demo, rwr

    recorder = StartStates(monkeypatch)
    recorder.record(demo, "rollout", "train")
    recorder.record(rwr, "rollout", "train")
    monkeypatch.setattr(demo, "plot_return_vs_demos", lambda rows, path: path)
    monkeypatch.setattr(rwr, "plot_method_scores", lambda *a, **k: tmp_path / "plot.png")
    demo.run_demo(tmp_path / "demo", cases=(demo.DemoCase("CartPole-v1", ("cross_entropy",), (1, 2)),), seeds=(0, 1, 2))
    rwr.run_rwr(
        rwr.RWRBenchConfig(
            n_expert_episodes=2,
            n_degraded_episodes=2,
            degradations=("weak",),
            seeds=(0,),
            temperatures=(),
            eval_episodes=4,
            out=str(tmp_path / "rwr"),
        )
    )
    recorder.assert_disjoint()


def test_cli_defaults_collect_and_evaluate_from_their_own_bands():
    from apprentice.cli.collect import CollectArgs, EvaluateArgs

    assert CollectArgs(env="CartPole-v1").seed == collection_seed(0, Stream.DEMONSTRATIONS)
    assert EvaluateArgs(policy="run").seed == evaluation_seed()
