"""The shared interactive round loop (``algorithms/dagger/loop.py``): the whole-run behaviours that
the mutation sweep found no fast test for (warm start, evaluation time, labels past the budget)."""

from __future__ import annotations

import dataclasses
import time

import jax

from apprentice import experts
from apprentice.algorithms.bc import BCConfig
from apprentice.algorithms.dagger import DAggerConfig, InteractiveConfig, dagger, loop
from apprentice.algorithms.dagger.loop import LabelingExpert, run_rounds
from apprentice.policies.architecture import Network
from apprentice.rollout import rollout

SMALL_BC = BCConfig(network=Network((16,)), n_epochs=2, validation_fraction=0.0)
ROUNDS = InteractiveConfig(initial_labels=60, steps_per_round=40, n_rounds=2, eval_episodes=0)


def _record_bc_inits(monkeypatch) -> list:
    calls, real = [], loop.bc_train

    def recording(*args, init_policy=None, **kwargs):
        result = real(*args, init_policy=init_policy, **kwargs)
        calls.append((init_policy, result.policy))
        return result

    monkeypatch.setattr(loop, "bc_train", recording)
    return calls


def test_warm_start_trains_each_round_from_the_policy_before_and_cold_start_from_scratch(monkeypatch):
    expert = experts.load("CartPole-v1")
    for warm in (True, False):
        calls = _record_bc_inits(monkeypatch)
        config = DAggerConfig(interactive=dataclasses.replace(ROUNDS, warm_start=warm), bc=SMALL_BC)
        dagger.train(jax.random.key(0), config, expert, "CartPole-v1", progress=False)
        assert len(calls) == 3 and calls[0][0] is None
        for (init, _), (_, previous) in zip(calls[1:], calls[:-1]):
            assert (init is previous) if warm else (init is None)


def test_seconds_excluding_eval_leaves_out_every_evaluation(monkeypatch):
    real = loop.evaluate

    def slow_evaluate(*args, **kwargs):
        time.sleep(0.3)
        return real(*args, **kwargs)

    monkeypatch.setattr(loop, "evaluate", slow_evaluate)
    config = DAggerConfig(interactive=dataclasses.replace(ROUNDS, eval_episodes=1), bc=SMALL_BC)
    result = dagger.train(jax.random.key(0), config, experts.load("CartPole-v1"), "CartPole-v1", progress=False)
    for row in result.metrics:
        assert row["seconds"] - row["seconds_excluding_eval"] >= 0.3 * (row["round"] + 1), row


def test_a_round_that_collects_past_the_budget_keeps_only_the_labels_the_budget_allows():
    """Extra labeled steps are kept while they fit in the budget (137 in round 0), cut where it ends."""
    expert = experts.load("CartPole-v1")

    def overcollect(round_index, policy, dataset, steps, seed):  # 37 steps more than asked
        return rollout(LabelingExpert(expert), "CartPole-v1", n_steps=steps + 37, seed=seed), {}

    interactive = InteractiveConfig(
        initial_labels=100, steps_per_round=100, n_rounds=5, label_budget=250, eval_episodes=0
    )
    result = run_rounds(jax.random.key(0), interactive, SMALL_BC, "CartPole-v1", expert, overcollect, progress=False)
    assert [r["labels"] for r in result.metrics] == [137, 250]
    assert [r["new_labels"] for r in result.metrics] == [137, 113]
    assert len(result.dataset) == 250
