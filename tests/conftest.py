"""Shared fixtures: small hand-made datasets, a temporary Minari root, and a private user data dir."""

from __future__ import annotations

import numpy as np
import pytest

from apprentice.data import Trajectory


def make_trajectories(
    n: int, length: int = 5, obs_dim: int = 4, discrete: bool = True, seed: int = 0
) -> list[Trajectory]:
    rng = np.random.default_rng(seed)
    trajectories = []
    for i in range(n):
        obs = rng.normal(size=(length + 1, obs_dim)).astype(np.float32)
        acts = rng.integers(0, 2, size=length) if discrete else rng.uniform(-2, 2, size=(length, 1)).astype(np.float32)
        trajectories.append(Trajectory(obs, acts, rng.normal(size=length) + i, terminated=bool(i % 2)))
    return trajectories


@pytest.fixture(autouse=True, scope="module")
def fresh_jax_caches():
    """Drop jax's compiled executables after each test module. One process compiles thousands of
    programs over the suite; a full run crashed with a segmentation fault inside XLA's compiler
    near its end (2026-12-02, in a test that passes alone), and each module compiles its own
    programs anyway."""
    yield
    import gc

    import jax

    jax.clear_caches()
    gc.collect()


@pytest.fixture(autouse=True, scope="session")
def private_user_data_dir(tmp_path_factory):
    """Point APPRENTICE_DATA_DIR at an empty folder for the whole session: expert stats a user
    measured on this machine do not leak into the tests, and no test writes into the user's; the same
    for the user cache directory, and the CLI's compilation cache is off."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("APPRENTICE_DATA_DIR", str(tmp_path_factory.mktemp("apprentice-data")))
        # commands run in-process must not fill the user's compilation cache (tests of it set their own)
        patch.setenv("APPRENTICE_NO_COMPILE_CACHE", "1")
        # commands run in-process write only their own lines to stderr (tests read them); the
        # heartbeat has its own tests, which set it
        patch.setenv("APPRENTICE_HEARTBEAT_SECONDS", "0")
        patch.setenv("APPRENTICE_CACHE_DIR", str(tmp_path_factory.mktemp("apprentice-cache")))
        yield


@pytest.fixture(autouse=True, scope="session")
def session_compile_cache(tmp_path_factory, private_user_data_dir):
    """JAX's persistent compilation cache in a folder of this test process, for the whole session:
    a program compiled once (by an earlier test, or before :func:`fresh_jax_caches` dropped it) is
    read back, not compiled again, and the ``JAX_*`` variables give every child process (the doc
    pages' commands and scripts) the same folder. Each xdist worker has its own folder, so no two
    processes write one at once. Results are the same either way (tests/test_compile_cache.py)."""
    from apprentice.compile_cache import cache_environment, persistent_compile_cache

    folder = tmp_path_factory.mktemp("jax-compile-cache")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in cache_environment(folder).items():
            patch.setenv(name, value)
        with persistent_compile_cache(folder):
            yield folder


@pytest.fixture
def minari_root(tmp_path, monkeypatch):
    root = tmp_path / "minari"
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(root))
    return root


@pytest.fixture(scope="session")
def language_model():
    """A character transformer trained for 600 seeded steps on the shipped corpus (about 20 s)."""
    import jax

    from apprentice.algorithms.preferences.next_token import NextTokenConfig, train
    from apprentice.data.text import load_corpus

    config = NextTokenConfig(
        context_length=48, d_model=64, n_layers=2, n_heads=4, n_steps=600, eval_interval=200, warmup_steps=50
    )
    return train(jax.random.key(0), config, load_corpus(), progress=False)


@pytest.fixture(scope="session")
def text_task(language_model):
    """Sentiment on 40-character responses to 6-character prompts from the corpus."""
    from apprentice.algorithms.preferences.text_policy import TextTask, sentence_prompts
    from apprentice.data.text import load_corpus

    vocab = language_model.vocab
    return TextTask(vocab, sentence_prompts(load_corpus()[:20000], vocab, 6), n_new=40)
