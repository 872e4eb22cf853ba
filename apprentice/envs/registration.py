"""The library's own env ids, registered with Gymnasium under the ``apprentice/`` namespace.

Importing :mod:`apprentice.envs` registers them, so every command takes them with ``--env``.
"""

from __future__ import annotations

import gymnasium as gym

from apprentice.envs.two_routes import MAX_STEPS as TWO_ROUTES_MAX_STEPS

NO_VELOCITY_IDS = {
    "apprentice/CartPole-NoVelocity-v1": "CartPole-v1",
    "apprentice/Pendulum-NoVelocity-v1": "Pendulum-v1",
    "apprentice/LunarLander-NoVelocity-v3": "LunarLander-v3",
}
"""Each velocity-free id and the base env whose state its expert acts on."""
PIXEL_IDS = {
    "apprentice/PixelCartPole-v1": "CartPole-v1",
    "apprentice/PixelCartPole40-v1": "CartPole-v1",
    "apprentice/PixelDictCartPole-v1": "CartPole-v1",
}
"""Each pixel id and the base env whose state its expert acts on."""
PIXEL_ENTRY_POINTS = {
    "apprentice/PixelCartPole-v1": ("pixel_cartpole", {}),
    "apprentice/PixelCartPole40-v1": ("pixel_cartpole", {"size": 40}),
    "apprentice/PixelDictCartPole-v1": ("pixel_dict_cartpole", {}),
}
"""Each pixel id's factory in :mod:`apprentice.envs.pixels` and its kwargs. ``PixelCartPole40`` draws
40x40 frames: BC with the Nature CNN over a 2-frame stack ran 5.8 gradient steps/s at batch 256
against 2.6 at 64x64 (shared 2-core CPU, 2026-12-02), small enough for a test."""
PRIVILEGED_BASE = {**NO_VELOCITY_IDS, **PIXEL_IDS}
TWO_ROUTES_IDS = {"apprentice/TwoRoutes-v0": 0.0, "apprentice/TwoRoutes-Switching-v0": 0.2}
"""The multimodal TwoRoutes ids (:mod:`~apprentice.envs.two_routes`) and how often each one's
demonstrator flips its intended route per step before the fork."""


def register_all() -> None:
    """Register every ``apprentice/`` id (idempotent). Entry points are ``module:name`` strings so
    that an env spec serializes (Minari stores it with a dataset)."""
    for env_id, base in NO_VELOCITY_IDS.items():
        if env_id not in gym.registry:
            gym.register(env_id, entry_point="apprentice.envs.partial:no_velocity", kwargs={"base_id": base})
    for env_id, (factory, kwargs) in PIXEL_ENTRY_POINTS.items():
        if env_id not in gym.registry:
            gym.register(env_id, entry_point=f"apprentice.envs.pixels:{factory}", kwargs=kwargs)
    for env_id, switch_probability in TWO_ROUTES_IDS.items():
        if env_id not in gym.registry:
            gym.register(
                env_id,
                entry_point="apprentice.envs.two_routes:two_routes",
                max_episode_steps=TWO_ROUTES_MAX_STEPS,
                kwargs={"switch_probability": switch_probability},
            )


register_all()
