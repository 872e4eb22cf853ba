"""``apprentice theory compounding``: the exact compounding-error study of :mod:`apprentice.theory.compounding`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import tyro

from apprentice.cli.base import CommonArgs
from apprentice.theory.compounding import CompoundingConfig


@dataclass(frozen=True, kw_only=True)
class TheoryCompoundingArgs(CommonArgs):
    config: Annotated[CompoundingConfig, tyro.conf.OmitArgPrefixes] = CompoundingConfig()


def theory_compounding(args: TheoryCompoundingArgs) -> dict[str, Any]:
    """The exact compounding-error study (see :mod:`apprentice.theory.compounding`)."""
    from apprentice.theory.compounding import run_compounding

    return run_compounding(args.config)
