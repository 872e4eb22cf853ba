"""The interactive algorithms' configs (DAgger, HG-DAgger, DART; see :mod:`apprentice.algorithms.dagger`); imports no jax."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from apprentice.algorithms.configs.bc import BCConfig
from apprentice.envs.seeds import Stream, collection_seed, evaluation_seed, require_evaluation_seed
from apprentice.field_ranges import Count, Fraction, NonNegative, PositiveInt, Ranged

BetaSchedule = Literal["constant", "exponential", "pure"]
"""DAgger's mixing schedule (see :func:`apprentice.algorithms.dagger.schedules.beta_at`)."""


@dataclass(frozen=True)
class InteractiveConfig(Ranged):
    """Budgets and schedule of an interactive imitation run (shared by DAgger, HG-DAgger, DART)."""

    initial_labels: Count = 0
    """Expert-labeled steps collected in round 0, the initial demonstrations (0: derived: the
    budget's share of round 0 when a label budget is set, else 1000)."""
    steps_per_round: Count = 0
    """Environment steps collected in each later round (0: derived: what is left of the label
    budget after round 0, shared by the rounds, else 1000)."""
    n_rounds: Count = 5
    """Rounds after round 0 (a budget by rounds; with a label budget, the rounds it is shared by)."""
    label_budget: Count = 0
    """Stop once this many expert labels are aggregated (0: no cap; a budget by labels)."""
    warm_start: bool = False
    """Retrain from the previous round's policy instead of from scratch."""
    eval_episodes: Count = 10
    """Evaluation episodes after each round (0: no per-round evaluation)."""
    eval_seed: Count = evaluation_seed()
    """First env seed of the evaluation episodes (in the evaluation band of ``apprentice.envs.seeds``)."""
    run_seed: Count = 0
    """Run seed of the collection envs: round 0 is seeded ``collection_seed(run_seed, DEMONSTRATIONS)``,
    round r >= 1 ``collection_seed(run_seed, INTERACTIVE, r)`` (never an evaluation seed)."""
    n_envs: PositiveInt = 1
    """Env copies stepping together while collecting. With 1, episodes run one after another, so
    a round's step budget ends at most one episode early; with k copies every episode of the
    round stops after about steps/k steps and late-episode states are never visited."""

    def __post_init__(self) -> None:
        super().__post_init__()
        derived_schedule(self)  # raises when the budget leaves no round or the rounds cannot reach it
        round_seed(self, self.n_rounds)  # raises when the last round's seeds would leave their block
        require_evaluation_seed(self.eval_seed, max(1, self.eval_episodes), "InteractiveConfig.eval_seed")

    @property
    def schedule(self) -> tuple[int, int]:
        """``(round 0's labels, each later round's steps)``, the unset (0) ones derived (the fields
        keep what was given, so that a copy with another budget derives again)."""
        return derived_schedule(self)


UNCAPPED_ROUND_STEPS = 1000
"""Round 0's labels and each later round's steps when neither they nor a label budget are given."""


def derived_schedule(interactive: InteractiveConfig) -> tuple[int, int]:
    """``(initial_labels, steps_per_round)`` with the unset (0) ones derived, so that a label
    budget always leaves rounds after round 0: round 0 takes ``ceil(budget / (n_rounds + 1))``
    labels and the rounds share the rest. Raises when the budget leaves no round after round 0 or
    when ``n_rounds`` rounds of ``steps_per_round`` cannot reach it."""
    budget, rounds = interactive.label_budget, interactive.n_rounds
    initial, per_round = interactive.initial_labels, interactive.steps_per_round
    if not budget:
        return initial or UNCAPPED_ROUND_STEPS, per_round or UNCAPPED_ROUND_STEPS
    initial = initial or math.ceil(budget / (rounds + 1))
    if rounds == 0 or initial >= budget:
        raise ValueError(
            f"--label-budget {budget} leaves no round after round 0 ({initial} initial labels, "
            f"{rounds} rounds); expected a budget above --initial-labels and --n-rounds >= 1"
        )
    per_round = per_round or math.ceil((budget - initial) / rounds)
    if initial + rounds * per_round < budget:
        needed = rounds_for_budget(budget, initial, per_round)
        raise ValueError(
            f"--label-budget {budget}: {initial} initial labels and {rounds} rounds of {per_round} reach only "
            f"{initial + rounds * per_round}; expected --n-rounds {needed} or more steps per round"
        )
    return initial, per_round


def round_seed(interactive: InteractiveConfig, round_index: int) -> int:
    """The env seed of round ``round_index``'s collection: round 0 gathers demonstrations, so it
    draws from the demonstrations stream of ``run_seed``; later rounds from the interactive stream."""
    if round_index == 0:
        return collection_seed(interactive.run_seed, Stream.DEMONSTRATIONS, 0, interactive.n_envs)
    return collection_seed(interactive.run_seed, Stream.INTERACTIVE, round_index, interactive.n_envs)


def rounds_for_budget(label_budget: int, initial_labels: int, steps_per_round: int) -> int:
    """Rounds after round 0 that a run of ``initial_labels`` then ``steps_per_round`` per round
    needs to reach ``label_budget`` labels (``InteractiveConfig.n_rounds`` for a budget by labels)."""
    return math.ceil((label_budget - initial_labels) / steps_per_round)


@dataclass(frozen=True)
class DAggerConfig(Ranged):
    """DAgger: the learner visits states, the expert labels them all."""

    interactive: InteractiveConfig = InteractiveConfig()
    """Budgets, rounds, warm start and evaluation."""
    bc: BCConfig = BCConfig(n_epochs=100, validation_fraction=0.0)
    """How each round retrains on the aggregated dataset."""
    beta_schedule: BetaSchedule = "pure"
    """Probability that the expert acts: ``constant`` beta, ``exponential`` decay^r, or ``pure`` (0 after round 0)."""
    beta: Fraction = 0.5
    """Beta of the constant schedule."""
    beta_decay: Fraction = 0.5
    """Decay p of the exponential schedule (beta_r = p^r)."""


@dataclass(frozen=True)
class HGDAggerConfig(Ranged):
    """HG-DAgger with a built-in gate (pass any gate to :func:`train` to replace it)."""

    interactive: InteractiveConfig = InteractiveConfig()
    """Budgets, rounds, warm start and evaluation."""
    bc: BCConfig = BCConfig(n_epochs=100, validation_fraction=0.0)
    """How each round retrains on the aggregated dataset."""
    gate: Literal["action-discrepancy", "state-risk"] = "action-discrepancy"
    """Built-in gate used when none is passed to ``train``: action-discrepancy (the expert takes
    over where its action differs from the learner's) or state-risk (where the observation's
    feature --risk-feature is larger than --risk-threshold in absolute value)."""
    discrepancy_threshold: NonNegative = 0.5
    """Threshold of the action-discrepancy gate (continuous actions); left at its default when a
    gate is passed to ``train``."""
    risk_feature: Count = 0
    """state-risk gate: the index of the observation feature whose absolute value is the risk
    (CartPole: 2, the pole's angle)."""
    risk_threshold: NonNegative = 0.1
    """state-risk gate: the expert takes over where the risk is above this."""


@dataclass(frozen=True)
class DARTConfig(Ranged):
    """DART: noisy expert demonstrations, labeled with the clean expert action."""

    interactive: InteractiveConfig = InteractiveConfig()
    """Budgets, rounds, warm start and evaluation."""
    bc: BCConfig = BCConfig(n_epochs=100, validation_fraction=0.0)
    """How each round retrains on the aggregated dataset."""
    noise: NonNegative = 0.0
    """Noise of round 0 (and of every round unless fitted): epsilon, or sigma in action half-widths."""
    fit_noise: bool = True
    """After each round set the noise to the learner's error on the expert data (the paper's rule)."""
    noise_scale: NonNegative = 1.0
    """Multiplier alpha on the fitted noise level."""
