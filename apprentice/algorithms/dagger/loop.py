"""The interactive-imitation loop shared by DAgger, HG-DAgger and DART.

Every round collects episodes with an algorithm-specific actor, keeps the steps that carry an
expert label, aggregates them with all earlier labels, retrains by behavior cloning and
evaluates. Round 0 is the expert's own demonstrations (noisy ones for DART).

Actors report, per step, ``infos["expert_action"]`` (what the expert would do in that state)
and ``infos["labeled"]`` (whether that label is given to the learner); the loop never calls
the expert itself, so an expert may be slow or a person.

A stateful learner (a recurrent core or a frame stack) keeps whole episodes instead of labeled
steps: each collected episode with the expert's labels as its actions and ``infos["labeled"]``
marking the steps that carry one, so behavior cloning replays the learner's own sequence and
takes loss only on the labeled steps (``labeled_trajectories``).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jax
import numpy as np
from jaxtyping import PRNGKeyArray

from apprentice.algorithms.bc import BCConfig
from apprentice.algorithms.bc import train as bc_train
from apprentice.algorithms.configs.dagger import InteractiveConfig, round_seed, rounds_for_budget  # noqa: F401 (rounds_for_budget: re-exported)
from apprentice.data import trees
from apprentice.data.trajectory import Trajectory, Transitions, concatenate
from apprentice.envs.make import env_spec
from apprentice.envs.spec import EnvSpec
from apprentice.evaluation import evaluate
from apprentice.experts.base import Expert
from apprentice.policies.base import Policy
from apprentice.policies.build import PolicyArchitecture
from apprentice.progress import progress_bar

Dataset = Transitions | list[Trajectory]
"""Every label so far: labeled steps, or labeled episodes for a stateful learner."""

Collect = Callable[[int, Policy | None, Dataset | None, int, int], tuple[list[Trajectory], dict[str, Any]]]
"""``collect(round_index, policy, dataset, n_steps, seed) -> (trajectories, round_info)``: the
current policy and aggregated dataset (``None`` in round 0) in, labeled episodes out."""


@dataclass(frozen=True)
class InteractiveResult:
    """The final policy, the aggregated dataset and one log row per round."""

    policy: Policy
    architecture: PolicyArchitecture
    spec: EnvSpec
    metrics: list[dict] = field(default_factory=list)
    """Per round: ``round``, ``labels``, ``dataset_size``, ``env_steps``, ``mean_return``,
    ``std_return``, ``normalized_score``, ``disagreement_rate``, ``seconds`` (since the start),
    ``seconds_excluding_eval`` (the same without the per-round evaluations) and the algorithm's own
    entries (``beta``, ``interventions``, ``noise``...)."""
    dataset: Dataset | None = None
    """Every label so far: ``Transitions``, or for a stateful learner the labeled episodes."""


def n_labels(data: Dataset) -> int:
    """Labels held by a dataset of labeled steps or of labeled episodes."""
    if isinstance(data, Transitions):
        return len(data)
    return sum(int(np.sum(t.infos["labeled"])) for t in data)


def labeled_trajectories(trajectories: list[Trajectory], limit: int | None = None) -> list[Trajectory] | None:
    """The episodes of ``trajectories`` that hold a label, their actions replaced by the expert's
    labels and ``infos["labeled"]`` by the labels kept: at most ``limit`` of them, earliest first
    (the same labels as :func:`labeled_transitions`). ``None`` when no step is labeled."""
    kept, total = [], 0
    for traj in trajectories:
        mask = np.array(traj.infos["labeled"], bool)
        if limit is not None:
            mask[np.flatnonzero(mask)[max(limit - total, 0) :]] = False
        if not mask.any():
            continue
        total += int(mask.sum())
        labels = np.asarray(traj.infos["expert_action"]).astype(traj.actions.dtype)
        kept.append(dataclasses.replace(traj, actions=labels, infos={**traj.infos, "labeled": mask}))
    return kept or None


class LabelingExpert:
    """The expert acts and every step is labeled: round 0 of every interactive algorithm."""

    def __init__(self, expert: Callable[[np.ndarray], np.ndarray]):
        self.expert = expert

    @property
    def view(self) -> str:
        return getattr(self.expert, "view", "observation")

    def __call__(self, obs: np.ndarray):
        actions = np.asarray(self.expert(obs))
        return actions, {"expert_action": actions, "labeled": np.ones(len(actions), bool)}


def labeled_transitions(trajectories: list[Trajectory], limit: int | None = None) -> Transitions | None:
    """The labeled steps of ``trajectories`` as ``Transitions`` whose actions are the expert's
    labels; at most ``limit`` of them, earliest first. ``None`` when no step is labeled."""
    parts = []
    for traj in trajectories:
        mask = np.asarray(traj.infos["labeled"], bool)
        if mask.any():
            parts.append(
                Transitions(
                    obs=trees.take(trees.take(traj.observations, slice(None, -1)), mask),
                    acts=np.asarray(traj.infos["expert_action"])[mask],
                    next_obs=trees.take(trees.take(traj.observations, slice(1, None)), mask),
                    dones=(np.arange(len(traj)) == len(traj) - 1)[mask] & traj.terminated,
                    weights=np.ones(int(mask.sum()), np.float32),
                )
            )
    if not parts:
        return None
    data = concatenate(parts)
    if limit is not None and len(data) > limit:
        data = data.head(limit)
    return data


def run_rounds(
    key: PRNGKeyArray,
    interactive: InteractiveConfig,
    bc_config: BCConfig,
    env_id: str,
    expert: Expert,
    collect: Collect,
    progress: bool = True,
    description: str = "interactive imitation",
    on_round: Callable[[InteractiveResult], None] | None = None,
) -> InteractiveResult:
    """Round 0, then up to ``n_rounds`` rounds of collect, aggregate, retrain, evaluate.

    ``on_round`` receives the result so far after every round (a checkpoint hook)."""
    spec = env_spec(env_id)
    stateful = bc_config.architecture_for(spec).stateful
    dataset: Dataset | None = None
    policy: Policy | None = None
    architecture: PolicyArchitecture | None = None
    rounds: list[dict[str, Any]] = []
    labels, env_steps, eval_seconds, start = 0, 0, 0.0, time.perf_counter()
    # Every round's dataset fits in this many rows, so all rounds share one compiled BC epoch.
    initial_labels, steps_per_round = interactive.schedule
    capacity = interactive.label_budget or initial_labels + interactive.n_rounds * steps_per_round
    with progress_bar(interactive.n_rounds + 1, description, enabled=progress) as bar:
        for round_index in range(interactive.n_rounds + 1):
            steps = initial_labels if round_index == 0 else steps_per_round
            remaining = interactive.label_budget - labels if interactive.label_budget else None
            if remaining is not None:
                if remaining <= 0:
                    break
                steps = min(steps, remaining)
            seed = round_seed(interactive, round_index)
            trajectories, info = collect(round_index, policy, dataset, steps, seed)
            env_steps += sum(len(t) for t in trajectories)
            new = (labeled_trajectories if stateful else labeled_transitions)(trajectories, remaining)
            if new is not None:
                dataset = new if dataset is None else _aggregate(dataset, new)
                labels += n_labels(new)
                key, train_key = jax.random.split(key)
                warm = policy if interactive.warm_start else None
                trained = bc_train(
                    train_key,
                    bc_config,
                    dataset,
                    spec,
                    init_policy=warm,
                    progress=False,
                    capacity=None if stateful else capacity,
                )
                policy, architecture = trained.policy, trained.architecture
            if policy is None or architecture is None or dataset is None:
                raise ValueError(f"round {round_index} gave no expert label; round 0 must label its steps")
            row = {
                "round": round_index,
                "labels": labels,
                "new_labels": 0 if new is None else n_labels(new),
                "dataset_size": n_labels(dataset),
                "env_steps": env_steps,
                **info,
            }
            if interactive.eval_episodes:
                eval_start = time.perf_counter()
                evaluation = evaluate(policy, env_id, interactive.eval_episodes, interactive.eval_seed, expert=expert)
                row.update(
                    mean_return=evaluation.mean_return,
                    std_return=evaluation.std_return,
                    normalized_score=evaluation.normalized_score,
                    disagreement_rate=evaluation.disagreement_rate,
                )
                eval_seconds += time.perf_counter() - eval_start
            row["seconds"] = time.perf_counter() - start
            row["seconds_excluding_eval"] = row["seconds"] - eval_seconds
            rounds.append(row)
            bar.advance(1, labels=labels, **({"ret": row["mean_return"]} if "mean_return" in row else {}))
            if on_round is not None:
                on_round(
                    InteractiveResult(
                        policy=policy, architecture=architecture, spec=spec, metrics=list(rounds), dataset=dataset
                    )
                )
    if policy is None or architecture is None:  # a negative label_budget stops before round 0
        raise ValueError(f"label_budget: expected a budget of at least one label, got {interactive.label_budget}")
    return InteractiveResult(policy=policy, architecture=architecture, spec=spec, metrics=rounds, dataset=dataset)


def _aggregate(dataset: Dataset, new: Dataset) -> Dataset:
    if isinstance(dataset, Transitions):
        assert isinstance(new, Transitions)  # one learner: labeled steps, or labeled episodes, every round
        return concatenate([dataset, new])
    assert isinstance(new, list)
    return [*dataset, *new]
