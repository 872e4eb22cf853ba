"""Every algorithm that learns a policy on a Gymnasium env, behind one call.

The contract each one keeps (checked for all of them by ``tests/test_algorithm_contract.py``):

- a frozen config dataclass;
- ``train(key, config, ...)`` with ``progress=True`` by default;
- a result with ``policy`` (acts on the env's observations), ``spec`` (the env's
  :class:`~apprentice.envs.spec.EnvSpec`) and ``metrics`` (a list of dict rows: one per epoch,
  round or evaluation, whichever the algorithm logs).

Their inputs differ (BC learns from demonstrations, DAgger asks an expert, PPO needs only the
env, GAIL both demonstrations and the env), so :func:`run` takes a :class:`Task` that holds all
of them and gives each algorithm what it needs. Modules are imported on first use: this file is
light, and listing the algorithms imports no jax.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Needs = Literal["demonstrations", "expert", "env", "env+demonstrations", "env+observations"]
"""``env+observations``: the env and the demonstrations' observations alone (:func:`run` strips
their actions, so an algorithm that learns from observations cannot read them)."""


@dataclass(frozen=True)
class Task:
    """What an algorithm may learn from: an env, its expert and the expert's demonstrations."""

    env_id: str
    expert: Callable | None = None
    """Queried for labels (DAgger family); also what ``demonstrations`` were recorded from."""
    demonstrations: Sequence[Any] | None = None
    """Expert trajectories (BC, GAIL, AIRL)."""


@dataclass(frozen=True)
class Algorithm:
    """One registered algorithm: where its config and ``train`` live, and what it learns from."""

    name: str
    config: str
    """``module:Class`` of its frozen config."""
    train: str
    """``module:function`` of its ``train``."""
    needs: Needs
    summary: str

    def config_type(self) -> type:
        return _resolve(self.config)

    def train_function(self) -> Callable[..., Any]:
        return _resolve(self.train)


def _resolve(path: str) -> Any:
    module, name = path.split(":")
    return getattr(importlib.import_module(module), name)


_DAGGER = "apprentice.algorithms.dagger"
ALGORITHMS: dict[str, Algorithm] = {
    a.name: a
    for a in (
        Algorithm(
            "bc",
            "apprentice.algorithms.configs.bc:BCConfig",
            "apprentice.algorithms.bc.train:train",
            "demonstrations",
            "behavior cloning (and reward-weighted regression)",
        ),
        Algorithm(
            "dagger",
            "apprentice.algorithms.configs.dagger:DAggerConfig",
            f"{_DAGGER}.dagger:train",
            "expert",
            "DAgger: the learner drives, the expert labels every state",
        ),
        Algorithm(
            "hg-dagger",
            "apprentice.algorithms.configs.dagger:HGDAggerConfig",
            f"{_DAGGER}.hg_dagger:train",
            "expert",
            "HG-DAgger: the expert takes over when a gate says so",
        ),
        Algorithm(
            "dart",
            "apprentice.algorithms.configs.dagger:DARTConfig",
            f"{_DAGGER}.dart:train",
            "expert",
            "DART: noisy expert demonstrations, clean labels",
        ),
        Algorithm(
            "ppo",
            "apprentice.algorithms.configs.rl:PPOConfig",
            "apprentice.algorithms.rl.ppo:train",
            "env",
            "PPO on the env's reward (discrete or continuous; --core gru|lstm for memory)",
        ),
        Algorithm(
            "sac",
            "apprentice.algorithms.configs.rl:SACConfig",
            "apprentice.algorithms.rl.sac:train",
            "env",
            "soft actor-critic on the env's reward (continuous actions)",
        ),
        Algorithm(
            "gail",
            "apprentice.algorithms.configs.irl:GAILConfig",
            "apprentice.algorithms.irl.adversarial:train",
            "env+demonstrations",
            "GAIL: PPO on a discriminator's reward",
        ),
        Algorithm(
            "airl",
            "apprentice.algorithms.configs.irl:AIRLConfig",
            "apprentice.algorithms.irl.adversarial:train",
            "env+demonstrations",
            "AIRL: a shaped, transferable reward and its policy",
        ),
        Algorithm(
            "sqil",
            "apprentice.algorithms.configs.sqil:SQILConfig",
            "apprentice.algorithms.irl.sqil:train",
            "env+demonstrations",
            "SQIL: soft Q-learning (SAC) with reward 1 on demonstrations, 0 on its own steps",
        ),
        Algorithm(
            "bco",
            "apprentice.algorithms.configs.observations_only:BCOConfig",
            "apprentice.algorithms.observations_only.bco:train",
            "env+observations",
            "BCO(alpha): an inverse dynamics model labels observation-only demonstrations, then BC",
        ),
        Algorithm(
            "gaifo",
            "apprentice.algorithms.configs.observations_only:GAIfOConfig",
            "apprentice.algorithms.irl.adversarial:train",
            "env+observations",
            "GAIfO: GAIL with the discriminator on (s, s'), from observation-only demonstrations",
        ),
        Algorithm(
            "preference-rl",
            "apprentice.algorithms.configs.preferences:PreferenceRLConfig",
            "apprentice.algorithms.preferences.control:train",
            "env",
            "a reward model from a synthetic rater's comparisons, and PPO on it",
        ),
        Algorithm(
            "rwr",
            "apprentice.algorithms.configs.rwr:RWRConfig",
            "apprentice.algorithms.rwr.iterated:train",
            "env",
            "iterated reward-weighted regression: weighted BC on the policy's own episodes, repeated",
        ),
        Algorithm(
            "awr",
            "apprentice.algorithms.configs.rwr:AWRConfig",
            "apprentice.algorithms.rwr.awr:train",
            "env",
            "advantage-weighted regression: BC weighted by exp(A / beta), A from a learned V (online or offline)",
        ),
    )
}


def get(name: str) -> Algorithm:
    """The algorithm registered as ``name``; a one-line error lists the names there are."""
    if name not in ALGORITHMS:
        raise KeyError(f"algorithm: expected one of {', '.join(ALGORITHMS)}, got {name!r}")
    return ALGORITHMS[name]


def run(name: str, key: Any, config: Any, task: Task, *, progress: bool = True) -> Any:
    """Train algorithm ``name`` on ``task``; returns its result (``policy``, ``spec``, ``metrics``)."""
    algorithm = get(name)
    if not isinstance(config, algorithm.config_type()):
        raise TypeError(f"{name}: expected a {algorithm.config_type().__name__}, got {type(config).__name__}")
    train = algorithm.train_function()
    required = {
        "demonstrations": "demonstrations",
        "expert": "expert",
        "env+demonstrations": "demonstrations",
        "env+observations": "demonstrations",
    }
    field = required.get(algorithm.needs)
    if field is not None and getattr(task, field) is None:
        raise ValueError(f"{name}: expected a task with {field}, got none (task for {task.env_id})")
    if algorithm.needs == "demonstrations":
        from apprentice.envs import env_spec

        return train(key, config, task.demonstrations, env_spec(task.env_id), progress=progress)
    if algorithm.needs == "expert":
        return train(key, config, task.expert, task.env_id, progress=progress)
    if algorithm.needs == "env+demonstrations":
        return train(key, config, task.env_id, task.demonstrations, progress=progress)
    if algorithm.needs == "env+observations":
        from apprentice.data.trajectory import without_actions

        return train(key, config, task.env_id, without_actions(task.demonstrations or []), progress=progress)
    return train(key, config, task.env_id, progress=progress)
