"""The persistent compilation cache: used by the next process, can be turned off, survives a
damaged entry, and changes no result."""

from __future__ import annotations

import equinox as eqx
import jax
import numpy as np
import pytest

from apprentice.algorithms import bc
from apprentice.algorithms.configs.bc import BCConfig
from apprentice.cli import main
from apprentice.compile_cache import disabled_by_environment, persistent_compile_cache
from apprentice.data.npz_io import save_trajectories
from apprentice.envs import env_spec
from apprentice.policies.architecture import Network
from tests.conftest import make_trajectories

TINY = BCConfig(n_epochs=2, batch_size=4, validation_fraction=0.0, network=Network(hidden_sizes=(8,)))


@pytest.fixture
def hits():
    """Count of programs read back from the persistent cache while the test runs."""
    seen: list[str] = []

    def listen(event: str, **_) -> None:
        if event == "/jax/compilation_cache/cache_hits":
            seen.append(event)

    jax.monitoring.register_event_listener(listen)
    yield seen
    jax.monitoring.unregister_event_listener(listen)


def fresh_process_train(folder=None):
    """BC as a new process would run it: nothing compiled in memory, the cache in ``folder`` if given."""
    jax.clear_caches()
    spec = env_spec("CartPole-v1")
    demos = make_trajectories(3, length=6)
    if folder is None:
        return bc.train(jax.random.key(0), TINY, demos, spec, progress=False)
    with persistent_compile_cache(folder):
        return bc.train(jax.random.key(0), TINY, demos, spec, progress=False)


def entries(folder) -> list:
    return sorted(folder.glob("*-cache"))


def same_parameters(a, b) -> bool:
    leaves_a, leaves_b = (jax.tree.leaves(eqx.filter(r.policy, eqx.is_array)) for r in (a, b))
    return len(leaves_a) == len(leaves_b) and all(np.array_equal(x, y) for x, y in zip(leaves_a, leaves_b))


def test_the_next_process_reads_the_cache_rebuilds_damage_and_gets_the_same_parameters(tmp_path, hits, capsys):
    without = fresh_process_train()
    first = fresh_process_train(tmp_path)
    written = entries(tmp_path)
    assert written, "the first run wrote no compiled program"
    hits_of_first = len(hits)
    second = fresh_process_train(tmp_path)
    assert len(hits) - hits_of_first >= len(written) // 2, "the second run compiled what the cache holds"
    assert entries(tmp_path) == written
    for entry in written:
        entry.write_bytes(b"not a compiled program")
    damaged = fresh_process_train(tmp_path)
    assert "unreadable; rebuilt" in capsys.readouterr().err
    assert all(entry.stat().st_size > 100 for entry in entries(tmp_path)), "a damaged entry was left in place"
    assert all(same_parameters(without, other) for other in (first, second, damaged))


def test_cli_uses_the_user_cache_unless_turned_off(tmp_path, monkeypatch):
    demos = tmp_path / "demos.npz"
    save_trajectories(demos, make_trajectories(3, length=6), {"env_id": "CartPole-v1"})
    monkeypatch.delenv("APPRENTICE_NO_COMPILE_CACHE")
    argv = ["train", "bc", "--demos", str(demos), "--n-epochs", "1", "--hidden-sizes", "8", "--eval-episodes", "0"]
    before = jax.config.jax_compilation_cache_dir  # the test session's own cache (tests/conftest.py)
    for name, flags in (("off", ["--no-compile-cache"]), ("on", [])):
        monkeypatch.setenv("APPRENTICE_CACHE_DIR", str(tmp_path / f"cache-{name}"))
        jax.clear_caches()
        assert main([*argv, "--out", str(tmp_path / name), *flags]) == 0
    assert entries(tmp_path / "cache-on" / "jax")
    assert not (tmp_path / "cache-off").exists()
    assert jax.config.jax_compilation_cache_dir == before, "the command left its cache on in this process"


@pytest.mark.parametrize(("value", "disabled"), [("", False), ("0", False), ("1", True), ("yes", True)])
def test_environment_variable_turns_the_cache_off(monkeypatch, value, disabled):
    monkeypatch.setenv("APPRENTICE_NO_COMPILE_CACHE", value)
    assert disabled_by_environment() is disabled


def test_a_fresh_process_fills_the_cache_through_the_environment_and_a_report_never_imports_jax(tmp_path):
    """In a new process jax is not imported yet: the cache is set through JAX_* variables, so a
    command that needs no jax (report) does not import it for the cache's sake."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    demos = tmp_path / "demos.npz"
    save_trajectories(demos, make_trajectories(3, length=6), {"env_id": "CartPole-v1"})
    env = {k: v for k, v in os.environ.items() if k != "APPRENTICE_NO_COMPILE_CACHE"}
    env.update(APPRENTICE_CACHE_DIR=str(tmp_path / "cache"), PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    train = ["train", "bc", "--demos", str(demos), "--out", str(tmp_path / "run"), "--n-epochs", "1",
             "--hidden-sizes", "8", "--eval-episodes", "0"]  # fmt: skip
    script = "import sys; from apprentice.cli import main; code = main(sys.argv[1:]); print('jax' in sys.modules); sys.exit(code)"
    trained = subprocess.run([sys.executable, "-c", script, *train], env=env, capture_output=True, text=True)
    assert trained.returncode == 0, trained.stderr
    assert entries(tmp_path / "cache" / "jax"), "a new process wrote no compiled program"
    report = ["report", str(tmp_path / "run"), "--out", str(tmp_path / "report")]
    reported = subprocess.run([sys.executable, "-c", script, *report], env=env, capture_output=True, text=True)
    assert reported.returncode == 0, reported.stderr
    assert reported.stdout.strip().splitlines()[-1] == "False", "report imported jax"
