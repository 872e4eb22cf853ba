"""``apprentice theory ...``: the exact tabular studies of :mod:`apprentice.bench` (compounding error,
and the lectures' claims: policy iteration against the PDL, the distribution-shift decomposition,
the Range(Q) bound). The configs come from modules that import no jax, so ``--help`` stays fast."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import tyro

from apprentice.bench.theory_configs import CompoundingConfig, PolicyIterationConfig, RangeQConfig, ShiftConfig
from apprentice.cli.base import CommonArgs


@dataclass(frozen=True, kw_only=True)
class TheoryCompoundingArgs(CommonArgs):
    config: Annotated[CompoundingConfig, tyro.conf.OmitArgPrefixes] = CompoundingConfig()


def theory_compounding(args: TheoryCompoundingArgs) -> dict[str, Any]:
    """The exact compounding-error study (see :mod:`apprentice.bench.compounding`)."""
    from apprentice.bench.compounding import run_compounding

    return run_compounding(args.config)


@dataclass(frozen=True, kw_only=True)
class TheoryPolicyIterationArgs(CommonArgs):
    config: Annotated[PolicyIterationConfig, tyro.conf.OmitArgPrefixes] = PolicyIterationConfig()


def theory_policy_iteration(args: TheoryPolicyIterationArgs) -> dict[str, Any]:
    """Policy iteration against the PDL (see :mod:`apprentice.bench.policy_iteration_study`)."""
    from apprentice.bench.policy_iteration_study import run_policy_iteration

    return run_policy_iteration(args.config)


@dataclass(frozen=True, kw_only=True)
class TheoryShiftArgs(CommonArgs):
    config: Annotated[ShiftConfig, tyro.conf.OmitArgPrefixes] = ShiftConfig()


def theory_shift(args: TheoryShiftArgs) -> dict[str, Any]:
    """The distribution-shift decomposition per step (see :mod:`apprentice.bench.shift_study`)."""
    from apprentice.bench.shift_study import run_shift

    return run_shift(args.config)


@dataclass(frozen=True, kw_only=True)
class TheoryRangeQArgs(CommonArgs):
    config: Annotated[RangeQConfig, tyro.conf.OmitArgPrefixes] = RangeQConfig()


def theory_range_q(args: TheoryRangeQArgs) -> dict[str, Any]:
    """BC's H Range(Q) eps bound beside H^2 eps Range(r) (see :mod:`apprentice.bench.range_q_study`)."""
    from apprentice.bench.range_q_study import run_range_q

    return run_range_q(args.config)
