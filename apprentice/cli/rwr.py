"""``apprentice train rwr|awr``: iterated reward-weighted regression and advantage-weighted
regression, from scratch or from demonstrations, each into a run directory rewritten after every
iteration (``metrics.jsonl``: one row per iteration, with the env steps so far)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

import tyro

from apprentice.algorithms.configs.rwr import AWRConfig, RWRConfig
from apprentice.cli.base import EnvKwargsArgs, RunArgs, print_result, run_config

PolicySearchAlgorithmConfig = TypeVar("PolicySearchAlgorithmConfig", RWRConfig, AWRConfig)


@dataclass(frozen=True, kw_only=True)
class TrainPolicySearchArgs(RunArgs, EnvKwargsArgs, Generic[PolicySearchAlgorithmConfig]):
    env: str = ""
    """Gymnasium env id (or the one the demonstrations name)."""
    demos: str = ""
    """Demonstrations to start from (iteration 0 fits them; with --n-iterations 0 that is all: offline):
    an .npz file from `apprentice collect`, or minari:DATASET_ID. Empty: from scratch (random episodes)."""
    config: Annotated[PolicySearchAlgorithmConfig, tyro.conf.OmitArgPrefixes]


TrainRWRArgs = TrainPolicySearchArgs[RWRConfig]
TrainAWRArgs = TrainPolicySearchArgs[AWRConfig]


def train_rwr(args) -> dict[str, Any]:
    """Iterated RWR into a run directory."""
    from apprentice.algorithms.rwr import iterated

    return _train_policy_search(args, "rwr", iterated.train)


def train_awr(args) -> dict[str, Any]:
    """AWR into a run directory."""
    from apprentice.algorithms.rwr import awr

    return _train_policy_search(args, "awr", awr.train)


def _train_policy_search(args, algorithm: str, train_fn) -> dict[str, Any]:
    import jax

    from apprentice.cli.collect import load_demos_and_spec
    from apprentice.runs import write_run

    demos = None
    env_id = args.env
    if args.demos:
        demos, env_id, _ = load_demos_and_spec(args.demos, args.env, spec=False)
    if not env_id:
        raise ValueError(f"train {algorithm}: expected --env (or --demos that name their env), got neither")
    config = run_config(f"train {algorithm}", args, algorithm=algorithm, env_id=env_id)

    def summary(trained) -> dict[str, Any]:
        last = trained.metrics[-1]
        return {
            "algorithm": algorithm,
            "env_id": env_id,
            "out": str(args.out),
            "iterations": len(trained.metrics),
            "from_demonstrations": demos is not None,
            **{
                k: last.get(k)
                for k in ("env_steps", "sample_return", "mean_return", "std_return", "normalized_score", "seconds")
            },
        }

    def checkpoint(trained) -> None:
        write_run(
            args.out,
            config,
            trained.metrics,
            summary(trained),
            policy=trained.policy,
            spec=trained.spec,
            architecture=trained.architecture,
        )

    trained = train_fn(jax.random.key(args.seed), args.config, env_id, demos, progress=True, on_iteration=checkpoint)
    result = summary(trained)
    print_result(f"{algorithm} on {env_id} -> {args.out}", result)
    return result
