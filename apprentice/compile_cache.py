"""JAX's persistent compilation cache in the user cache directory: compiled programs survive the process.

A fresh ``apprentice train bc`` spends about a second and a half compiling programs that the
previous run compiled already. With the cache on, XLA's executables are written to
``user_cache_dir() / "jax"`` (a folder only the user may write: JAX runs what it finds there)
and read back by the next process whose program, shapes, JAX version and device match; JAX
itself keys the entries on all of these, so a stale entry is never used, only missed.

The CLI turns it on for every command unless ``--no-compile-cache`` is given or
``APPRENTICE_NO_COMPILE_CACHE`` is set to anything but ``""`` or ``0``. Every program is
cached, however small or quick to compile (JAX's defaults skip those under a second, which are
most of ours). A corrupted entry is reported in one line, deleted and rebuilt by the compile
that found it; results are the same with and without the cache (the executable is the same).
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

from apprentice.paths import user_cache_dir

DISABLE_VARIABLE = "APPRENTICE_NO_COMPILE_CACHE"
"""Set to anything but ``""`` or ``0`` to keep the CLI from using the compilation cache."""

_READ_ERROR = re.compile(r"Error reading persistent compilation cache entry for '([^']+)'")


def compile_cache_dir() -> Path:
    """Where the compiled programs go: ``user_cache_dir() / "jax"``."""
    return user_cache_dir() / "jax"


def disabled_by_environment() -> bool:
    """Whether ``APPRENTICE_NO_COMPILE_CACHE`` asks for no compilation cache."""
    return os.environ.get(DISABLE_VARIABLE, "") not in ("", "0")


_SETTINGS = (
    "jax_enable_compilation_cache",
    "jax_compilation_cache_dir",
    "jax_persistent_cache_min_compile_time_secs",
    "jax_persistent_cache_min_entry_size_bytes",
)
"""The JAX options :func:`persistent_compile_cache` sets, and restores on leaving."""


@contextlib.contextmanager
def persistent_compile_cache(directory: str | os.PathLike | None = None) -> Iterator[Path]:
    """Within the block, JAX's persistent compilation cache is on in ``directory`` (default
    :func:`compile_cache_dir`), for every program whatever its compile time or size, and a
    corrupted entry is rebuilt (see :func:`repairing_corrupted_entries`). On leaving, JAX's
    previous settings come back; programs compiled inside stay in this process's memory. (When jax
    is first imported inside the block, it is set through the environment and keeps the cache
    settings after it: the CLI's process ends with its command.)

    Yields:
        The cache folder (created, readable and writable by the user only).

    Example:
        >>> with persistent_compile_cache(tmp_path) as folder:
        ...     jax.jit(jnp.sin)(1.0)  # written to folder, read back by the next process
    """
    path = Path(directory) if directory is not None else compile_cache_dir()
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if "jax" not in sys.modules:
        # JAX reads these options from JAX_* variables when it is imported, so a command that
        # never imports jax (report, experts, --help) does not pay for the import.
        with _environment(cache_environment(path)), repairing_corrupted_entries(path):
            yield path
        return
    import jax
    from jax.experimental.compilation_cache import compilation_cache

    previous = {name: getattr(jax.config, name) for name in _SETTINGS}
    compilation_cache.reset_cache()  # a cache opened earlier in this process keeps its folder otherwise
    jax.config.update("jax_enable_compilation_cache", True)
    jax.config.update("jax_compilation_cache_dir", str(path))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)
    try:
        with repairing_corrupted_entries(path):
            yield path
    finally:
        for name, value in previous.items():
            jax.config.update(name, value)
        compilation_cache.reset_cache()


def cache_environment(path: str | os.PathLike) -> dict[str, str]:
    """The ``JAX_*`` variables that give a jax imported under them (in this process or a child) the
    settings of :func:`persistent_compile_cache` with the cache in ``path``."""
    return {
        "JAX_ENABLE_COMPILATION_CACHE": "true",
        "JAX_COMPILATION_CACHE_DIR": str(path),
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
        "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "-1",
    }


@contextlib.contextmanager
def _environment(variables: dict[str, str]) -> Iterator[None]:
    """``os.environ`` with ``variables`` set within the block, as it was after it."""
    before = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def repairing_corrupted_entries(directory: str | os.PathLike) -> Iterator[None]:
    """Within the block, a cache entry that JAX cannot read is deleted as soon as JAX warns of it.

    JAX ignores an unreadable entry (it warns and compiles) but never overwrites it, so a damaged
    file would cost a compile and a warning in every later run. Its warning names the program;
    the program's entries (files ``NAME-<hash>-cache``) are deleted before JAX writes the program
    again, so the compile that found the damage rebuilds it. Other warnings are shown as usual.
    """
    folder = Path(directory)
    with warnings.catch_warnings():
        show = warnings.showwarning

        def showwarning(message, category, filename, lineno, file=None, line=None):
            found = _READ_ERROR.search(str(message))
            if found is None:
                show(message, category, filename, lineno, file, line)
                return
            for entry in folder.glob(f"{glob.escape(found.group(1))}-*-cache"):
                with contextlib.suppress(FileNotFoundError):
                    entry.unlink()
            print(f"apprentice: compilation cache entry of {found.group(1)!r} was unreadable; rebuilt", file=sys.stderr)

        warnings.showwarning = showwarning
        # every damaged entry is seen, not only the first of each program
        warnings.filterwarnings("always", message="Error reading persistent compilation cache entry")
        yield
