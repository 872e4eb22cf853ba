"""A separate virtual environment with ``imitation`` 1.0.1 and the CPU build of PyTorch 2.13.0.

``imitation`` 1.0.1 pins gymnasium ~0.29 and stable-baselines3 ~2.2.1, which cannot share
``apprentice``'s environment. torch is held at 2.13.0 by a constraints file; before installing,
pip resolves the set without installing (``--dry-run --report``) and the build is refused if the
resolution would pull CUDA packages (``nvidia-*``, ``cuda-*``, ``triton``): the Linux wheel of
torch on PyPI depends on several GB of them, so the CPU build must come from wherever pip is
configured to find it (a local wheel, or the PyTorch CPU index in the user's pip config). No
registry address is written anywhere by this module.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

PEER_REQUIREMENTS = ("imitation==1.0.1",)
TORCH_CONSTRAINT = "torch==2.13.0"
CUDA_PREFIXES = ("nvidia", "cuda", "triton")
CHECK_IMPORTS = "import imitation, torch, stable_baselines3, gymnasium; print(imitation.__version__, torch.__version__)"


class PeerUnavailable(RuntimeError):
    """The peer environment could not be built or used; the message says why."""


def peer_python(directory: str | os.PathLike) -> Path:
    return Path(directory) / "bin" / "python"


def ensure_peer_venv(
    directory: str | os.PathLike, requirements: tuple[str, ...] = PEER_REQUIREMENTS, timeout: float = 1800
) -> Path:
    """The venv's Python, building the venv first when it is missing or broken.

    Raises :class:`PeerUnavailable` with the reason (pip's last lines) when it cannot be built.
    """
    directory = Path(directory)
    python = peer_python(directory)
    if python.is_file() and _imports_work(python):
        return python
    directory.parent.mkdir(parents=True, exist_ok=True)
    _run([sys.executable, "-m", "venv", "--clear", str(directory)], "create the venv", timeout)
    constraints = directory / "constraints.txt"
    constraints.write_text(TORCH_CONSTRAINT + "\n")
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-c", str(constraints)]
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        _run(
            [*pip, "--dry-run", "--quiet", "--report", str(report), *requirements], "resolve the peer packages", timeout
        )
        planned = [item["metadata"]["name"].lower() for item in json.loads(report.read_text()).get("install", [])]
    cuda = sorted(name for name in planned if name.startswith(CUDA_PREFIXES))
    if cuda:
        raise PeerUnavailable(
            f"peer venv: expected the CPU build of {TORCH_CONSTRAINT}, but pip would install CUDA packages {cuda}; "
            "make a CPU wheel of torch 2.13.0 available to pip (e.g. its CPU index in your pip config)"
        )
    _run([*pip, "--quiet", *requirements], "install the peer packages", timeout)
    if not _imports_work(python):
        raise PeerUnavailable(f"peer venv {directory}: installed, but `{CHECK_IMPORTS}` fails")
    return python


def _imports_work(python: Path) -> bool:
    try:
        return subprocess.run([str(python), "-c", CHECK_IMPORTS], capture_output=True, timeout=300).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _run(argv: list[str], what: str, timeout: float) -> None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise PeerUnavailable(f"peer venv: could not {what}: {error}") from None
    if done.returncode != 0:
        tail = " | ".join(line for line in (done.stderr or done.stdout).strip().splitlines()[-3:] if "://" not in line)
        raise PeerUnavailable(f"peer venv: could not {what} (exit {done.returncode}): {tail}")
