"""Imports on first use (PEP 562) for packages whose light modules must load without jax."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_getattr(package: str, namespace: dict[str, Any], sources: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``name`` from ``package.sources[name]`` on first use and caches it.

    Example:
        >>> __getattr__ = lazy_getattr(__name__, globals(), {"make_policy": "build"})
    """

    def __getattr__(name: str) -> Any:
        if name not in sources:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{sources[name]}"), name)
        namespace[name] = value
        return value

    return __getattr__
