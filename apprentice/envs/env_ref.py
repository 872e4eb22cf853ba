"""Env ids that carry their own constructor arguments, and ids of envs registered by a user's module.

Two forms every command's ``--env`` takes, as strings, so they pass unchanged through
collection, training, run directories and a rerun in a new process:

- ``module:EnvId`` (Gymnasium's form): ``module`` is imported first, and its import registers
  ``EnvId``; a custom env needs no change to the library.
- ``EnvId{"key": value, ...}``: ``EnvId`` made with those keyword arguments (what ``--env-kwargs``
  writes: ``CartPole-v1{"max_episode_steps": 200}``). The JSON object is kept canonical (sorted
  keys) so one env has one id.
"""

from __future__ import annotations

import importlib
import json
from typing import Any


def with_kwargs(env_id: str, kwargs: dict[str, Any]) -> str:
    """``env_id`` with ``kwargs`` appended (merged over any it carries); ``env_id`` alone when there are none."""
    base, carried = split_env_ref(env_id)
    merged = {**carried, **kwargs}
    return f"{base}{json.dumps(merged, sort_keys=True)}" if merged else base


def split_env_ref(env_ref: str) -> tuple[str, dict[str, Any]]:
    """``EnvId{...}`` -> (``EnvId``, its keyword arguments); an id without ``{`` has none."""
    brace = env_ref.find("{")
    if brace < 0:
        return env_ref, {}
    kwargs = parse_env_kwargs(env_ref[brace:], f"env id {env_ref!r}")
    return env_ref[:brace], kwargs


def parse_env_kwargs(text: str, where: str = "--env-kwargs") -> dict[str, Any]:
    """The JSON object ``text`` as a dict; one clear line when it is not one."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{where}: expected a JSON object such as '{{\"max_episode_steps\": 200}}', got {text!r} ({error.msg})"
        ) from None
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected a JSON object such as '{{\"max_episode_steps\": 200}}', got {text!r}")
    return value


def import_env_module(env_id: str) -> str:
    """For ``module:EnvId``, import ``module`` (it registers the env) and return ``EnvId``; other ids unchanged."""
    if ":" not in env_id:
        return env_id
    module, name = env_id.split(":", 1)
    try:
        importlib.import_module(module)
    except ImportError as error:
        raise ValueError(
            f"env id {env_id!r}: expected an importable module {module!r} before the colon ({error})"
        ) from None
    return name
