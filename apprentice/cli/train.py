"""``apprentice train bc|dagger|hg-dagger|dart|ppo|sac``: each writes a run directory.

The configs come from :mod:`apprentice.algorithms.configs`, which imports no jax, so ``--help``
of these commands does not load it (inverse RL is in :mod:`apprentice.cli.irl`).

Every run directory's ``config.json`` (see :func:`apprentice.cli.base.run_config`) holds every
argument of the command, so ``apprentice rerun RUN_DIR`` reproduces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

import tyro

from apprentice.algorithms.configs.bc import BCConfig
from apprentice.algorithms.configs.dagger import DAggerConfig, DARTConfig, HGDAggerConfig
from apprentice.algorithms.configs.rl import PPOConfig, SACConfig
from apprentice.cli.base import EnvKwargsArgs, RunArgs, print_result, run_config
from apprentice.cli.collect import load_demos_and_spec
from apprentice.field_ranges import Count


@dataclass(frozen=True, kw_only=True)
class TrainBCArgs(RunArgs, EnvKwargsArgs):
    demos: str
    """Demonstrations: an .npz file from `apprentice collect`, or minari:DATASET_ID."""
    config: Annotated[BCConfig, tyro.conf.OmitArgPrefixes] = BCConfig()
    env: str = ""
    """Env id, when the demonstrations do not name one."""
    eval_episodes: Count = 10
    """Episodes to evaluate the trained policy on (from the evaluation seed 10**9); 0 to skip."""


InteractiveAlgorithmConfig = TypeVar("InteractiveAlgorithmConfig", DAggerConfig, HGDAggerConfig, DARTConfig)


@dataclass(frozen=True, kw_only=True)
class TrainInteractiveArgs(RunArgs, EnvKwargsArgs, Generic[InteractiveAlgorithmConfig]):
    env: str
    """Gymnasium env id; its registered expert labels the states (metrics.jsonl: one row per round)."""
    config: Annotated[InteractiveAlgorithmConfig, tyro.conf.OmitArgPrefixes]


RLAlgorithmConfig = TypeVar("RLAlgorithmConfig", PPOConfig, SACConfig)


@dataclass(frozen=True, kw_only=True)
class TrainRLArgs(RunArgs, EnvKwargsArgs, Generic[RLAlgorithmConfig]):
    env: str
    """Gymnasium env id (SAC: continuous actions only). The run directory also gets best/ (the best
    evaluated policy) and is rewritten at every evaluation."""
    config: Annotated[RLAlgorithmConfig, tyro.conf.OmitArgPrefixes]


TrainDAggerArgs = TrainInteractiveArgs[DAggerConfig]
TrainHGDAggerArgs = TrainInteractiveArgs[HGDAggerConfig]
TrainDARTArgs = TrainInteractiveArgs[DARTConfig]
TrainPPOArgs = TrainRLArgs[PPOConfig]
TrainSACArgs = TrainRLArgs[SACConfig]


def train_bc(args: TrainBCArgs) -> dict[str, Any]:
    """Behavior cloning from a demonstrations file into a run directory."""
    import jax

    from apprentice.algorithms import bc
    from apprentice.envs import evaluation_seed
    from apprentice.evaluation import evaluate
    from apprentice.runs import write_run

    trajectories, env_id, spec = load_demos_and_spec(args.demos, args.env)
    trained = bc.train(jax.random.key(args.seed), args.config, trajectories, spec, progress=True)
    last = trained.metrics[trained.best_epoch - 1]
    result = {
        "algorithm": "bc",
        "env_id": env_id,
        "out": str(args.out),
        "n_demo_episodes": len(trajectories),
        "n_demo_steps": sum(len(trajectory) for trajectory in trajectories),
        "best_epoch": trained.best_epoch,
        "epochs_run": len(trained.metrics),
        "train_loss": last["train_loss"],
        "val_score": last.get("val_score"),
        "train_seconds": trained.metrics[-1]["seconds"],
    }
    if args.eval_episodes:
        evaluation = evaluate(trained.policy, env_id, args.eval_episodes, seed=evaluation_seed())
        result.update(
            mean_return=evaluation.mean_return,
            std_return=evaluation.std_return,
            normalized_score=evaluation.normalized_score,
        )
    config = run_config("train bc", args, algorithm="bc", env_id=env_id)
    write_run(
        args.out, config, trained.metrics, result, policy=trained.policy, spec=spec, architecture=trained.architecture
    )
    print_result(f"behavior cloning on {env_id} -> {args.out}", result)
    return result


def train_dagger(args) -> dict[str, Any]:
    """DAgger into a run directory."""
    from apprentice.algorithms.dagger import dagger

    return _train_interactive(args, "dagger", dagger.train)


def train_hg_dagger(args) -> dict[str, Any]:
    """HG-DAgger (the built-in gate: --gate action-discrepancy or state-risk) into a run directory."""
    from apprentice.algorithms.dagger import hg_dagger

    return _train_interactive(args, "hg-dagger", hg_dagger.train)


def train_dart(args) -> dict[str, Any]:
    """DART into a run directory."""
    from apprentice.algorithms.dagger import dart

    return _train_interactive(args, "dart", dart.train)


def _train_interactive(args, algorithm: str, train_fn) -> dict[str, Any]:
    """Run an interactive algorithm, rewriting the run directory after every round."""
    import jax
    from rich.table import Table

    from apprentice import experts as registry
    from apprentice.envs import env_spec
    from apprentice.progress import make_console
    from apprentice.runs import write_run

    spec = env_spec(args.env)
    config = run_config(f"train {algorithm}", args, algorithm=algorithm, env_id=args.env)

    def summary(trained) -> dict[str, Any]:
        last = trained.metrics[-1]
        return {
            "algorithm": algorithm,
            "env_id": args.env,
            "out": str(args.out),
            "rounds": len(trained.metrics),
            **{
                k: last.get(k)
                for k in (
                    "labels",
                    "env_steps",
                    "mean_return",
                    "std_return",
                    "normalized_score",
                    "disagreement_rate",
                    "seconds",
                )
            },
        }

    def checkpoint(trained) -> None:
        write_run(
            args.out,
            config,
            trained.metrics,
            summary(trained),
            policy=trained.policy,
            spec=spec,
            architecture=trained.architecture,
        )

    trained = train_fn(
        jax.random.key(args.seed), args.config, registry.load(args.env), args.env, progress=True, on_round=checkpoint
    )
    result = summary(trained)
    table = Table(
        "round", "labels", "return", "normalized", "disagreement", title=f"{algorithm} on {args.env} -> {args.out}"
    )
    for row in trained.metrics:
        evaluated = "mean_return" in row
        table.add_row(
            str(row["round"]),
            str(row["labels"]),
            f"{row['mean_return']:.1f} +- {row['std_return']:.1f}" if evaluated else "-",
            f"{row['normalized_score']:.3f}" if evaluated else "-",
            f"{row['disagreement_rate']:.3f}" if evaluated else "-",
        )
    make_console().print(table)
    return result


def train_ppo(args) -> dict[str, Any]:
    """PPO into a run directory, checkpointed at every evaluation."""
    from apprentice.algorithms.rl import ppo

    return _train_rl(args, "ppo", ppo.train)


def train_sac(args) -> dict[str, Any]:
    """Soft actor-critic into a run directory, checkpointed at every evaluation."""
    from apprentice.algorithms.rl import sac

    return _train_rl(args, "sac", sac.train)


def _train_rl(args, algorithm: str, train_fn) -> dict[str, Any]:
    import jax

    from apprentice.runs import write_run

    config = run_config(f"train {algorithm}", args, algorithm=algorithm, env_id=args.env)

    def checkpoint(result) -> None:
        write_run(
            args.out,
            config,
            result.metrics,
            {"algorithm": algorithm, "out": str(args.out), **result.summary()},
            policy=result.policy,
            spec=result.spec,
            architecture=result.architecture,
            best_policy=result.best_policy,
        )

    result = train_fn(jax.random.key(args.seed), args.config, args.env, on_evaluation=checkpoint)
    summary = {"algorithm": algorithm, "out": str(args.out), **result.summary()}
    print_result(f"{algorithm} on {args.env} -> {args.out}", summary)
    return summary
