"""A video of one episode of a policy: the env's ``rgb_array`` frames written as a GIF or MP4.

The episode is played in one env copy rendering its frames (seeded like the first episode of an
evaluation), and the frames are written with ``imageio``: a ``.gif`` through Pillow as installed,
a ``.mp4`` when ``imageio-ffmpeg`` is present. The file is written to a temporary name and renamed.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

import numpy as np

FORMATS = (".gif", ".mp4")
DEFAULT_FPS = 30


def require_video_path(path: str | os.PathLike) -> Path:
    """``path`` as a ``Path``; raises unless it ends in .gif or .mp4 (checked before any work)."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise ValueError(f"--video {path}: expected a file ending in {' or '.join(FORMATS)}, got {path.suffix!r}")
    if path.suffix.lower() == ".mp4" and importlib.util.find_spec("imageio_ffmpeg") is None:
        raise ValueError(
            f"--video {path}: MP4 needs the imageio-ffmpeg package (pip install imageio-ffmpeg); "
            "a .gif works as installed"
        )
    return path


def record_episode(
    actor: Any, env_id: str, path: str | os.PathLike, seed: int, *, max_steps: int = 1000
) -> dict[str, Any]:
    """Play one episode of ``actor`` (a batched actor, as ``rollout`` takes) on ``env_id`` from
    ``seed`` and write its frames to ``path``; returns ``{"video", "frames", "return"}``."""
    import imageio.v3 as iio

    from apprentice.envs import make_env
    from apprentice.io_utils import atomic_open
    from apprentice.rollout import Observed, act_on

    path = require_video_path(path)
    env = make_env(env_id, render_mode="rgb_array")
    try:
        obs, info = env.reset(seed=seed)
        frames, total, start = [np.asarray(env.render())], 0.0, True
        for _ in range(max_steps):
            batched = _batch(obs)
            state = info.get("state")
            observed = Observed(batched, np.array([start]), None if state is None else _batch(state))
            action = np.asarray(act_on(actor, observed))[0]
            obs, reward, terminated, truncated, info = env.step(action)
            frames.append(np.asarray(env.render()))
            total, start = total + float(reward), False
            if terminated or truncated:
                break
        fps = env.metadata.get("render_fps") or DEFAULT_FPS
    finally:
        env.close()
    suffix = path.suffix.lower()
    timing = {"duration": 1000 / fps, "loop": 0} if suffix == ".gif" else {"fps": fps}
    encoded = iio.imwrite("<bytes>", np.stack(frames), extension=suffix, **timing)
    with atomic_open(path, "wb") as handle:
        handle.write(encoded)
    return {"video": str(path), "frames": len(frames), "return": total}


def _batch(tree: Any) -> Any:
    if isinstance(tree, dict):
        return {name: _batch(leaf) for name, leaf in tree.items()}
    return np.asarray(tree)[None]
