"""``apprentice train bco|gaifo`` and ``apprentice bench observations-only``: imitation from
demonstrations without the expert's actions (record them with ``apprentice collect --no-actions``).

``train bco`` takes the fields of ``BCOConfig`` as flat flags (``--pre-demonstration-steps``,
``--alpha``, ``--n-iterations``) and its two BC configs with their names as prefixes
(``--inverse-dynamics.loss mse``, ``--bc.n-epochs 50``; see :data:`apprentice.cli.base.NESTED_PREFIXES`).
``train gaifo`` takes GAIL's flags. Demonstrations that do hold actions are read as observations
alone: BCO drops the actions before training, GAIfO's discriminator never reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import tyro

from apprentice.algorithms.configs.observations_only import BCOConfig, GAIfOConfig
from apprentice.bench.observations_only_config import ObservationsOnlyBenchConfig
from apprentice.cli.base import NESTED_PREFIXES, CommonArgs, EnvKwargsArgs, RunArgs, print_result, run_config
from apprentice.cli.collect import load_demos_and_spec
from apprentice.field_ranges import Count, PositiveInt

INVERSE_DYNAMICS_DIR = "inverse_dynamics"
"""Where ``train bco`` saves its inverse dynamics model (a policy over ``(s, s')``) in the run directory."""


@dataclass(frozen=True, kw_only=True)
class TrainBCOArgs(RunArgs, EnvKwargsArgs):
    demos: str
    """Demonstrations (observations are enough): an .npz file from `apprentice collect --no-actions`, or
    minari:DATASET_ID (the run directory also gets inverse_dynamics/, the model p(a | s, s'))."""
    config: Annotated[BCOConfig, NESTED_PREFIXES] = BCOConfig()
    env: str = ""
    """Env id, when the demonstrations do not name one (BCO acts in it to learn the inverse dynamics)."""
    eval_episodes: Count = 10
    """Episodes to evaluate the trained policy on (from the evaluation seed 10**9); 0 to skip."""


@dataclass(frozen=True, kw_only=True)
class TrainGAIfOArgs(RunArgs, EnvKwargsArgs):
    demos: str
    """Demonstrations (observations are enough): an .npz file from `apprentice collect --no-actions`, or
    minari:DATASET_ID (the run directory also gets discriminator.eqx, and best/: the best evaluated policy)."""
    config: Annotated[GAIfOConfig, tyro.conf.OmitArgPrefixes] = GAIfOConfig()
    env: str = ""
    """Env id, when the demonstrations do not name one."""
    subsample: PositiveInt = 1
    """Keep every this-many-th expert pair (s, s'), from a random offset per episode."""


@dataclass(frozen=True, kw_only=True)
class BenchObservationsOnlyArgs(CommonArgs):
    config: Annotated[ObservationsOnlyBenchConfig, tyro.conf.OmitArgPrefixes] = ObservationsOnlyBenchConfig()


def train_bco(args: TrainBCOArgs) -> dict[str, Any]:
    """BCO(alpha) from (observation-only) demonstrations into a run directory."""
    import jax

    from apprentice.algorithms.observations_only import bco
    from apprentice.data import without_actions
    from apprentice.envs import evaluation_seed
    from apprentice.evaluation import evaluate
    from apprentice.policies.serialization import save_policy
    from apprentice.runs import write_run

    trajectories, env_id, spec = load_demos_and_spec(args.demos, args.env)
    trained = bco.train(jax.random.key(args.seed), args.config, env_id, without_actions(trajectories), progress=True)
    last = trained.metrics[-1]
    result: dict[str, Any] = {
        "algorithm": "bco",
        "env_id": env_id,
        "out": str(args.out),
        "n_demo_episodes": len(trajectories),
        "n_demo_steps": sum(len(t) for t in trajectories),
        "demos_had_actions": all(t.has_actions for t in trajectories),
        **{k: v for k, v in last.items() if k != "round"},
        "rounds": len(trained.metrics),
        # The recorded actions, if any, were dropped before training; here they only grade the labels.
        **bco.label_quality(trajectories, trained.labeled, spec),
    }
    if args.eval_episodes:
        evaluation = evaluate(trained.policy, env_id, args.eval_episodes, seed=evaluation_seed())
        result.update(
            mean_return=evaluation.mean_return,
            std_return=evaluation.std_return,
            normalized_score=evaluation.normalized_score,
        )
    config = run_config("train bco", args, algorithm="bco", env_id=env_id)
    write_run(
        args.out, config, trained.metrics, result, policy=trained.policy, spec=spec, architecture=trained.architecture
    )
    model = trained.inverse_dynamics
    save_policy(Path(args.out) / INVERSE_DYNAMICS_DIR, model.policy, model.training.spec, model.policy.architecture)
    print_result(f"BCO on {env_id} -> {args.out}", result)
    return result


def train_gaifo(args: TrainGAIfOArgs) -> dict[str, Any]:
    """GAIfO from (observation-only) demonstrations into a run directory: GAIL's command
    (:func:`apprentice.cli.irl.train_gail`) with the discriminator on ``(s, s')``, plus the
    expert-normalized score of the final evaluation."""
    import json

    from apprentice import experts
    from apprentice.cli.irl import train_gail
    from apprentice.io_utils import atomic_write_text, jsonable
    from apprentice.runs import RESULT_FILE

    summary = train_gail(args)
    env_id = summary["env_id"]
    mean_return = summary["final_eval_return"]
    normalized = None
    if env_id in experts.available() and mean_return is not None:
        expert = experts.load(env_id)
        normalized = expert.normalized_score(mean_return) if expert.stats is not None else None
    summary = {**summary, "mean_return": mean_return, "normalized_score": normalized}
    atomic_write_text(Path(args.out) / RESULT_FILE, json.dumps(jsonable(summary), indent=2) + "\n")
    return summary


def bench_observations_only(args: BenchObservationsOnlyArgs) -> dict[str, Any]:
    """BC and GAIL with actions against BCO, BCO(alpha) and GAIfO without (see
    :mod:`apprentice.bench.observations_only`)."""
    from apprentice.bench.observations_only import run_observations_only_bench

    return run_observations_only_bench(args.config)
