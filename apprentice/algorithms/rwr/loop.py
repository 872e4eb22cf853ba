"""The iteration iterated RWR and AWR share: collect with the current policy, refit, evaluate.

Iteration 0 fits the demonstrations when there are some (one iteration on fixed data: offline RL,
as deck 002 says), else uniformly random episodes (from scratch). Every later iteration samples
the current policy's actions (``deterministic=False``: the data must come from pi_theta itself)
in fresh collection seeds and hands the new episodes to the algorithm's ``fit``, which returns
the refit policy. The deterministic policy is evaluated after each iteration on the evaluation
seeds, which never produce training data.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import jax
import numpy as np
from jaxtyping import PRNGKeyArray

from apprentice.algorithms.configs.rwr import PolicySearchConfig
from apprentice.data.trajectory import Trajectory
from apprentice.envs.make import env_spec
from apprentice.envs.spec import EnvSpec
from apprentice.evaluation import evaluate
from apprentice.experts.registry import available as experts_available
from apprentice.experts.registry import load as load_expert
from apprentice.policies.actor import PolicyActor
from apprentice.policies.base import Policy
from apprentice.policies.build import PolicyArchitecture
from apprentice.progress import progress_bar
from apprentice.rollout import RandomActor, rollout

Fit = Callable[[PRNGKeyArray, Policy | None, list[Trajectory]], tuple[Policy, dict[str, Any]]]
"""``fit(key, policy, new_episodes) -> (policy, row)``: the refit policy (``policy`` is ``None`` in
iteration 0) and the algorithm's own entries of the iteration's metrics row."""


@dataclass(frozen=True)
class PolicySearchResult:
    """The final policy and one metrics row per iteration."""

    policy: Policy
    architecture: PolicyArchitecture
    spec: EnvSpec
    metrics: list[dict] = field(default_factory=list)
    """Per iteration: ``iteration``, ``env_steps`` (collected so far, demonstrations not counted),
    ``episodes``, ``sample_return`` (mean return of the episodes just fitted), ``mean_return``,
    ``std_return`` and ``normalized_score`` (of the deterministic policy, when evaluated),
    ``seconds``, and the algorithm's own entries."""


def run_iterations(
    key: PRNGKeyArray,
    config: PolicySearchConfig,
    env_id: str,
    demos: Sequence[Trajectory] | None,
    fit: Fit,
    *,
    n_episodes: int | None = None,
    n_steps: int | None = None,
    progress: bool = True,
    description: str = "policy search",
    on_iteration: Callable[[PolicySearchResult], None] | None = None,
) -> PolicySearchResult:
    """Iteration 0 on ``demos`` (or random episodes), then ``config.n_iterations`` of collect-and-fit.

    Each collection asks :func:`~apprentice.rollout.rollout` for ``n_episodes`` or ``n_steps``;
    ``on_iteration`` gets the result so far after
    every iteration (a checkpoint hook).
    """
    spec = env_spec(env_id)
    expert = load_expert(env_id) if env_id in experts_available() else None
    if demos is not None:
        demos = list(demos)
        if not demos:
            raise ValueError(
                "demos: expected at least one trajectory, got an empty dataset (or pass none: from scratch)"
            )
    policy: Policy | None = None
    rows: list[dict[str, Any]] = []
    env_steps, start = 0, time.perf_counter()
    actor_key, key = jax.random.split(key)
    with progress_bar(config.n_iterations + 1, description, enabled=progress) as bar:
        for iteration in range(config.n_iterations + 1):
            if iteration == 0 and demos is not None:
                episodes = demos
            else:
                seed = config.iteration_seed(iteration)
                actor = (
                    RandomActor(spec, seed)
                    if policy is None
                    else PolicyActor(policy, jax.random.fold_in(actor_key, iteration), deterministic=False)
                )
                episodes = rollout(
                    actor, env_id, n_episodes=n_episodes, n_steps=n_steps, seed=seed, n_envs=config.n_envs
                )
                env_steps += sum(len(t) for t in episodes)
            key, fit_key = jax.random.split(key)
            policy, own = fit(fit_key, policy, episodes)
            row: dict[str, Any] = {
                "iteration": iteration,
                "env_steps": env_steps,
                "episodes": len(episodes),
                "sample_return": float(np.mean([t.episode_return for t in episodes])),
                **own,
            }
            if config.eval_episodes:
                evaluation = evaluate(policy, env_id, config.eval_episodes, config.eval_seed, expert=expert)
                row.update(
                    mean_return=evaluation.mean_return,
                    std_return=evaluation.std_return,
                    normalized_score=evaluation.normalized_score,
                )
            row["seconds"] = time.perf_counter() - start
            rows.append(row)
            bar.advance(1, steps=env_steps, **({"ret": row["mean_return"]} if "mean_return" in row else {}))
            if on_iteration is not None:
                on_iteration(PolicySearchResult(policy, policy.architecture, spec, list(rows)))
    assert policy is not None  # iteration 0 always fits
    return PolicySearchResult(policy, policy.architecture, spec, rows)
