"""``apprentice theory compounding``: the exact compounding-error study of :mod:`apprentice.bench.compounding`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import tyro

from apprentice.bench.configs import CompoundingConfig
from apprentice.cli.base import CommonArgs


@dataclass(frozen=True, kw_only=True)
class TheoryCompoundingArgs(CommonArgs):
    config: Annotated[CompoundingConfig, tyro.conf.OmitArgPrefixes] = CompoundingConfig()


def theory_compounding(args: TheoryCompoundingArgs) -> dict[str, Any]:
    """The exact compounding-error study (see :mod:`apprentice.bench.compounding`)."""
    from apprentice.bench.compounding import run_compounding

    return run_compounding(args.config)
