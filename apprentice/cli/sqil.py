"""``apprentice train sqil`` and ``apprentice bench sqil``: soft Q imitation learning.

``train sqil`` learns from demonstrations and the env into a run directory (rewritten at every
evaluation), then scores the final policy (``mean_return``, ``normalized_score``). Its flags are
``SQILConfig``'s own (``--demo-fraction``) and those of its two learners with their names as
prefixes (``--soft-q.total-steps`` for discrete actions, ``--sac.total-steps`` for continuous
ones; see :data:`apprentice.cli.base.NESTED_PREFIXES`: both have ``total_steps``, ``batch_size``,
``gamma`` ...). ``bench sqil`` runs SQIL, GAIL and BC from the same demonstrations
(:mod:`apprentice.bench.sqil`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import tyro

from apprentice.algorithms.configs.sqil import SQILConfig
from apprentice.bench.sqil_config import SQILBenchConfig
from apprentice.cli.base import NESTED_PREFIXES, CommonArgs, EnvKwargsArgs, RunArgs, print_result, run_config
from apprentice.cli.collect import load_demos
from apprentice.field_ranges import Count


@dataclass(frozen=True, kw_only=True)
class TrainSQILArgs(RunArgs, EnvKwargsArgs):
    demos: str
    """Expert demonstrations: an .npz file from `apprentice collect`, or minari:DATASET_ID (the run
    directory also gets best/: the best evaluated policy)."""
    config: Annotated[SQILConfig, NESTED_PREFIXES] = SQILConfig()
    env: str = ""
    """Env id, when the demonstrations do not name one."""
    eval_episodes: Count = 10
    """Episodes to score the final policy on (from the evaluation seed 10**9); 0 to skip."""


@dataclass(frozen=True, kw_only=True)
class BenchSQILArgs(CommonArgs):
    config: Annotated[SQILBenchConfig, tyro.conf.OmitArgPrefixes] = SQILBenchConfig()


def train_sqil(args: TrainSQILArgs) -> dict[str, Any]:
    """SQIL from demonstrations into a run directory, checkpointed at every evaluation."""
    import jax

    from apprentice.algorithms.irl import sqil
    from apprentice.envs import evaluation_seed
    from apprentice.evaluation import evaluate
    from apprentice.runs import write_run

    trajectories, env_id = load_demos(args.demos, args.env)
    config = run_config("train sqil", args, algorithm="sqil", env_id=env_id)
    base = {"algorithm": "sqil", "out": str(args.out), "n_demo_episodes": len(trajectories)}

    def checkpoint(result, summary: dict[str, Any] | None = None) -> None:
        write_run(
            args.out,
            config,
            result.metrics,
            summary or {**base, **result.summary()},
            policy=result.policy,
            spec=result.spec,
            architecture=result.architecture,
            best_policy=result.best_policy,
        )

    result = sqil.train(jax.random.key(args.seed), args.config, env_id, trajectories, on_evaluation=checkpoint)
    summary = {**base, **result.summary()}
    if args.eval_episodes:
        evaluation = evaluate(result.policy, env_id, args.eval_episodes, seed=evaluation_seed())
        summary.update(
            mean_return=evaluation.mean_return,
            std_return=evaluation.std_return,
            normalized_score=evaluation.normalized_score,
        )
        checkpoint(result, summary)
    print_result(f"sqil on {env_id} -> {args.out}", summary)
    return summary


def bench_sqil(args: BenchSQILArgs) -> dict[str, Any]:
    """SQIL against GAIL and BC from the same demonstrations: table, JSON and plot."""
    from apprentice.bench.sqil import run_sqil_bench

    return run_sqil_bench(args.config)
