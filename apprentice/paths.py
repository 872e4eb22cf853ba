"""Where the library keeps files of its own outside the installed package: the user data and cache directories.

Nothing the library measures or records at run time is written into the package (which may be
read-only, shared by several users, or replaced on upgrade); it goes to ``user_data_dir()``.
Pure Python, no jax.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_VARIABLE = "APPRENTICE_DATA_DIR"
"""The environment variable that sets the user data directory outright."""


def user_data_dir() -> Path:
    """The user data directory of apprentice, read from the environment at each call.

    ``$APPRENTICE_DATA_DIR`` if it is set and not empty; else ``$XDG_DATA_HOME/apprentice`` if
    ``XDG_DATA_HOME`` is an absolute path (the XDG Base Directory specification says to ignore a
    relative one); else ``~/.local/share/apprentice``. The folder is not created here; writers
    create it when they first write.

    Example:
        >>> user_data_dir()  # with APPRENTICE_DATA_DIR=/tmp/apprentice-data in the environment
        PosixPath('/tmp/apprentice-data')
    """
    return _user_dir(DATA_DIR_VARIABLE, "XDG_DATA_HOME", Path(".local") / "share")


CACHE_DIR_VARIABLE = "APPRENTICE_CACHE_DIR"
"""The environment variable that sets the user cache directory outright."""


def user_cache_dir() -> Path:
    """The user cache directory of apprentice (files that can be deleted at any time and rebuilt).

    ``$APPRENTICE_CACHE_DIR`` if it is set and not empty; else ``$XDG_CACHE_HOME/apprentice`` if
    ``XDG_CACHE_HOME`` is an absolute path; else ``~/.cache/apprentice``. Not created here.

    Example:
        >>> user_cache_dir()  # with APPRENTICE_CACHE_DIR=/tmp/apprentice-cache in the environment
        PosixPath('/tmp/apprentice-cache')
    """
    return _user_dir(CACHE_DIR_VARIABLE, "XDG_CACHE_HOME", Path(".cache"))


def _user_dir(variable: str, xdg_variable: str, home_default: Path) -> Path:
    """``$variable`` if set and not empty; else ``$xdg_variable/apprentice`` if that is an absolute
    path; else ``~/home_default/apprentice``."""
    explicit = os.environ.get(variable, "")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get(xdg_variable, "")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "apprentice"
    return Path.home() / home_default / "apprentice"
