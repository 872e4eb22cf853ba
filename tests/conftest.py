"""Shared fixtures: small hand-made datasets and a temporary Minari root."""

from __future__ import annotations

import numpy as np
import pytest

from apprentice.data import Trajectory


def make_trajectories(n: int, length: int = 5, obs_dim: int = 4, discrete: bool = True, seed: int = 0) -> list[Trajectory]:
    rng = np.random.default_rng(seed)
    trajectories = []
    for i in range(n):
        obs = rng.normal(size=(length + 1, obs_dim)).astype(np.float32)
        acts = rng.integers(0, 2, size=length) if discrete else rng.uniform(-2, 2, size=(length, 1)).astype(np.float32)
        trajectories.append(Trajectory(obs, acts, rng.normal(size=length) + i, terminated=bool(i % 2)))
    return trajectories


@pytest.fixture
def minari_root(tmp_path, monkeypatch):
    root = tmp_path / "minari"
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(root))
    return root
