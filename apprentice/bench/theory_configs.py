"""The configs of the exact theory studies: ``apprentice theory compounding``, ``theory
policy-iteration``, ``theory shift`` and ``theory range-q``. Imports neither jax nor numpy, so
``--help`` stays fast (``configs.py`` holds the benchmark suites' configs). Each study's module
(``compounding.py``, ``policy_iteration_study.py``, ``shift_study.py``, ``range_q_study.py``)
re-exports its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from apprentice.field_ranges import Count, Fraction, Positive, PositiveInt, Ranged


def _check_values(name: str, values: tuple, low: float, high: float, low_open: bool = False) -> None:
    """Refuse an empty tuple or one with a value outside [low, high] (or (low, high]), naming the flag."""
    flag = "--" + name.replace("_", "-")
    if not values:
        raise ValueError(f"{flag}: expected at least one value, got none")
    for value in values:
        below = value <= low if low_open else value < low
        if below or value > high or value != value:
            left = "(" if low_open else "["
            raise ValueError(f"{flag}: expected values in {left}{low}, {high}], got {value!r}")


@dataclass(frozen=True)
class CompoundingConfig:
    """The compounding-error study; the defaults are the canonical run reported in docs/theory.md."""

    out: str = "runs/theory-compounding"
    """Folder for results.json and compounding.png (created if missing)."""
    seed: int = 0
    """Base seed: MDP instances, demonstrations and bootstraps are all derived from it."""
    worst_case_epsilons: tuple[float, ...] = (0.001, 0.01, 0.1, 0.3, 0.5)
    """(a) Per-step error rates of the Ross & Bagnell chain."""
    worst_case_horizons: tuple[int, ...] = (1, 3, 10, 30, 100, 300, 1000)
    """(a) Horizons T at which closed form and exact computation are compared."""
    horizons: tuple[int, ...] = (10, 18, 32, 56, 100, 178, 316, 562, 1000)
    """(b) Horizons H of the sweep; the exponent is fitted over all of them."""
    per_state_error: float = 1e-4
    """(b) eps: each learner's 0-1 error on its training states. Keep eps * max(H) << 1."""
    n_instances: int = 6
    """(b) Tightrope instances (seeds); the interval is a bootstrap over them."""
    n_positions: int = 4
    """(b) Places on the rope (uniform wind)."""
    max_depth: int = 6
    """(b) Recoverable levels below each place."""
    n_actions: int = 5
    """(b, c) Actions; a blind learner finds the one right action with probability 1/A."""
    dagger_iterations: int = 3
    """(b) DAgger rounds after the initial BC round."""
    demo_counts: tuple[int, ...] = (50, 100, 200, 400, 800, 1600, 3200, 6400)
    """(c) Numbers of expert demonstrations N."""
    demo_horizon: int = 20
    """(c) The fixed horizon H of the demonstration sweep."""
    demo_seeds: int = 20
    """(c) Independent demonstration sets per N; the interval is a bootstrap over them."""
    demo_positions: int = 20
    """(c) Places on the rope; wind[p] is proportional to decay**p."""
    demo_wind_decay: float = 0.5
    """(c) The geometric wind's decay."""
    demo_max_depth: int = 3
    """(c) Recoverable levels below each place."""
    n_bootstrap: int = 2000
    """Bootstrap resamples behind each confidence interval."""
    confidence: float = 0.95
    """Coverage of the confidence intervals."""

    def __post_init__(self) -> None:
        if len(self.horizons) < 2 or min(self.horizons) < 1:
            raise ValueError(f"horizons needs >= 2 positive values to fit a slope; got {self.horizons}")
        if len(self.demo_counts) < 2 or min(self.demo_counts) < 1:
            raise ValueError(f"demo_counts needs >= 2 positive values; got {self.demo_counts}")
        if not 0.0 < self.per_state_error < 1.0:
            raise ValueError(
                f"per_state_error must be in (0, 1) (a zero error gives zero cost, no fit); got {self.per_state_error}"
            )
        if self.n_instances < 1 or self.demo_seeds < 1:
            raise ValueError(f"n_instances and demo_seeds must be >= 1; got {self.n_instances}, {self.demo_seeds}")


@dataclass(frozen=True)
class PolicyIterationConfig(Ranged):
    """Policy iteration on random MDPs, each step's improvement against the PDL (deck 000)."""

    out: str = "runs/theory-policy-iteration"
    """Folder for results.json and policy_iteration.png (created if missing)."""
    seed: Count = 0
    """Base seed of the MDPs and the initial policies."""
    n_mdps: PositiveInt = 20
    """Random MDPs per (gamma, concentration) pair."""
    n_states: PositiveInt = 20
    """States of each random MDP."""
    n_actions: PositiveInt = 4
    """Actions of each random MDP."""
    gammas: tuple[float, ...] = (0.9, 0.99)
    """Discount factors gamma in [0, 1)."""
    concentrations: tuple[float, ...] = (0.1, 1.0)
    """Dirichlet concentrations of the transitions (0.1: sparse, nearly deterministic; 1: dense)."""
    tie_tol: Positive = 1e-12
    """A state switches action only when its greedy advantage exceeds this (no cycling on ties)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_values("gammas", self.gammas, 0.0, 0.999999)
        _check_values("concentrations", self.concentrations, 0.0, 1e6, low_open=True)


@dataclass(frozen=True)
class ShiftConfig(Ranged):
    """The distribution-shift decomposition per step: exact D_TV and mistakes against the deck's bounds (deck 003)."""

    out: str = "runs/theory-shift"
    """Folder for results.json and shift.png (created if missing)."""
    seed: Count = 0
    """Base seed of the tightrope, the random MDPs, their experts and learners."""
    horizon: PositiveInt = 100
    """H: steps t = 1..H of every episode."""
    per_state_error: Fraction = 0.01
    """eps: the tightrope's BC learner errs with this probability in every state the expert visits;
    the random learners' errors average about this."""
    n_positions: PositiveInt = 4
    """Tightrope: places on the rope."""
    max_depth: PositiveInt = 6
    """Tightrope: recoverable levels below each place."""
    n_actions: PositiveInt = 5
    """Tightrope: actions (a blind learner finds the right one with probability 1/A)."""
    n_mdps: PositiveInt = 40
    """Random finite-horizon MDPs (optimal expert; three learners each)."""
    mdp_states: PositiveInt = 6
    """States of each random MDP."""
    mdp_actions: PositiveInt = 3
    """Actions of each random MDP."""
    concentration: Positive = 0.1
    """Dirichlet concentration of the random MDPs' transitions (small: sparse, slow to mix)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0.0 < self.per_state_error < 0.5:
            raise ValueError(f"--per-state-error: expected a value in (0, 0.5), got {self.per_state_error!r}")
        if self.n_actions < 2 or self.mdp_actions < 2:
            raise ValueError(f"--n-actions and --mdp-actions: expected >= 2, got {self.n_actions}, {self.mdp_actions}")


@dataclass(frozen=True)
class RangeQConfig(Ranged):
    """BC's H Range(Q^pihat) eps bound against H^2 eps Range(r), both sides exact (deck 004)."""

    out: str = "runs/theory-range-q"
    """Folder for results.json and range_q.png (created if missing)."""
    seed: Count = 0
    """Base seed of the MDPs, experts and learners."""
    horizons: tuple[int, ...] = (5, 10, 20, 50, 100)
    """Horizons H of the random MDPs and tightropes."""
    concentrations: tuple[float, ...] = (0.1, 1.0)
    """Dirichlet concentrations of the random MDPs' transitions."""
    n_mdps: PositiveInt = 20
    """Random MDPs per (H, concentration) pair (optimal expert; one learner per noise level)."""
    n_states: PositiveInt = 6
    """States of each random MDP."""
    n_actions: PositiveInt = 3
    """Actions of each random MDP."""
    noise_levels: tuple[float, ...] = (0.001, 0.01, 0.1)
    """Learners: the expert mixed with a random policy with these weights."""
    per_state_error: Fraction = 0.01
    """Tightrope and the tight case: the learner's error on the expert's states."""
    tight_contexts: PositiveInt = 4
    """Contexts of the repeated bandit where the Range(Q) bound is attained."""

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_values("horizons", self.horizons, 1, 1e6)
        _check_values("concentrations", self.concentrations, 0.0, 1e6, low_open=True)
        _check_values("noise_levels", self.noise_levels, 0.0, 1.0, low_open=True)
        if self.n_actions < 2:
            raise ValueError(f"--n-actions: expected >= 2, got {self.n_actions}")
