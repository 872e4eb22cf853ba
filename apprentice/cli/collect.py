"""``apprentice collect|evaluate|experts|demo``: demonstrations, evaluation and the experts."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apprentice.cli.base import CommonArgs, EnvKwargsArgs, SeededArgs, command_argv, print_result
from apprentice.field_ranges import Count, PositiveInt


@dataclass(frozen=True, kw_only=True)
class CollectArgs(SeededArgs, EnvKwargsArgs):
    env: str
    """Gymnasium env id whose registered expert acts (env copy i is seeded seed + i)."""
    episodes: PositiveInt = 10
    """Number of episodes to record."""
    out: str = ""
    """Output .npz file (one of --out and --minari-id is required)."""
    minari_id: str = ""
    """Also (or instead) export as this local Minari dataset id, e.g. apprentice/cartpole-expert-v0."""
    no_actions: bool = False
    """Record observations only, without the expert's actions (for `apprentice train bco|gaifo`; .npz only)."""


@dataclass(frozen=True, kw_only=True)
class EvaluateArgs(SeededArgs, EnvKwargsArgs):
    policy: str
    """A run directory (or any folder with policy.json and policy.eqx)."""
    episodes: PositiveInt = 20
    """Evaluation episodes."""
    seed: Count = 1_000_000_000
    """Env copy i is seeded seed + i (default: the evaluation seed 10**9, ``envs.seeds.evaluation_seed()``,
    which no collection uses; a literal here so that --help imports no jax)."""
    env: str = ""
    """Evaluate on this env id instead of the one the policy was trained for (spaces must match)."""
    stochastic: bool = False
    """Sample actions instead of taking the mode."""
    video: str = ""
    """Also write a video of the first evaluation episode to this .gif (or .mp4 with imageio-ffmpeg)."""


@dataclass(frozen=True, kw_only=True)
class ExpertsArgs(CommonArgs):
    env: str = ""
    """Measure only this env id's expert (default: all)."""
    measure: bool = False
    """Measure expert and random returns (50 episodes, seed 0) and record them in expert_stats.json in
    the user data directory ($APPRENTICE_DATA_DIR, else $XDG_DATA_HOME/apprentice, else
    ~/.local/share/apprentice), which is read over the stats shipped in the package."""
    install: str = ""
    """Ship a policy trained by `apprentice train sac|ppo`: this run directory's best/ policy (or
    its final one with --install-final) becomes the package's expert for --env, then is measured
    (the measured returns go to the user data directory, as with --measure)."""
    install_final: bool = False
    """With --install: ship the run's final policy instead of its best evaluated one."""


@dataclass(frozen=True, kw_only=True)
class DemoArgs(CommonArgs):
    out: str = "runs/demo"
    """Folder for the table (results.json) and the plot."""


def collect(args: CollectArgs) -> dict[str, Any]:
    """Roll out the env's registered expert and save the episodes."""
    import numpy as np

    from apprentice import experts
    from apprentice.data import export_minari, save_trajectories
    from apprentice.envs import env_spec
    from apprentice.progress import make_console
    from apprentice.rollout import rollout

    if not args.out and not args.minari_id:
        raise ValueError("collect: expected --out FILE.npz or --minari-id NAMESPACE/NAME-v0, got neither")
    if args.no_actions and args.minari_id:
        raise ValueError(
            "collect --no-actions: Minari datasets record actions; expected --out FILE.npz, got --minari-id"
        )
    if args.out:
        require_writable_file(Path(args.out))
    spec = env_spec(args.env)
    expert = experts.load(args.env)
    trajectories = rollout(expert, args.env, n_episodes=args.episodes, seed=args.seed, progress=True)
    if args.no_actions:
        from apprentice.data import without_actions

        trajectories = without_actions(trajectories)
    returns = np.array([t.episode_return for t in trajectories])
    result = {
        "env_id": args.env,
        "n_episodes": len(trajectories),
        "n_steps": int(sum(len(t) for t in trajectories)),
        "mean_return": float(returns.mean()),
        "std_return": float(returns.std()),
        "actions": not args.no_actions,
    }
    if args.out:
        metadata = {"env_id": args.env, "source": f"expert:{args.env}", "seed": args.seed, "env_spec": spec.to_dict()}
        result["out"] = str(save_trajectories(args.out, trajectories, metadata))
    if args.minari_id:
        result["minari_path"] = str(export_minari(args.minari_id, trajectories, args.env))
    make_console().print(
        f"collected {result['n_episodes']} episodes ({result['n_steps']} steps) of {args.env}: "
        f"return {result['mean_return']:.1f} +- {result['std_return']:.1f}"
    )
    return result


def require_writable_file(path: Path) -> None:
    """Before any work: ``--out`` must name a file that can be written (not a folder, in a folder that
    exists or can be made)."""
    if path.is_dir():
        raise ValueError(f"--out {path}: expected a file such as demos.npz, got a directory")
    ancestor = path.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir() or not os.access(ancestor, os.W_OK):
        raise ValueError(f"--out {path}: expected a writable location, but {ancestor} cannot be written")


def load_demos(source: str, env: str = "") -> tuple[list, str]:
    """Trajectories from ``file.npz`` or ``minari:DATASET_ID``, and the env id they are for."""
    trajectories, env_id, _ = load_demos_and_spec(source, env, spec=False)
    return trajectories, env_id


def load_demos_and_spec(source: str, env: str = "", spec: bool = True) -> tuple[list, str, Any]:
    """:func:`load_demos` and the env's ``EnvSpec``: the one the demonstrations recorded (``apprentice
    collect`` writes it), so no env is built only to read its spaces; else, or for another env,
    the env's own (``None`` with ``spec=False``)."""
    from apprentice.data import import_minari, load_trajectories

    if source.startswith("minari:"):
        trajectories, metadata = import_minari(source.removeprefix("minari:"))
    else:
        trajectories, metadata = load_trajectories(source)
    recorded = metadata.get("env_id") or ""
    if env and recorded and env != recorded:
        raise ValueError(f"--env {env!r} differs from the env the demonstrations were recorded in ({recorded!r})")
    env_id = env or recorded
    if not env_id:
        raise ValueError(f"{source}: the demonstrations name no env; expected --env ENV_ID")
    if not spec:
        return trajectories, env_id, None
    from apprentice.envs import env_spec
    from apprentice.envs.spec import EnvSpec

    recorded_spec = metadata.get("env_spec")
    if isinstance(recorded_spec, dict) and recorded_spec.get("env_id") == env_id:
        return trajectories, env_id, EnvSpec.from_dict(recorded_spec)
    return trajectories, env_id, env_spec(env_id)


def evaluate(args: EvaluateArgs) -> dict[str, Any]:
    """Evaluate a saved policy, on its own env or another with the same spaces."""
    import jax

    from apprentice.envs import env_spec
    from apprentice.evaluation import evaluate as run_evaluation
    from apprentice.policies import PolicyActor, load_policy
    from apprentice.progress import make_console
    from apprentice.video import record_episode, require_video_path

    if not Path(args.policy).is_dir():
        raise ValueError(f"--policy {args.policy}: no such run directory")
    if args.video:
        require_video_path(args.video)
    policy, spec = load_policy(args.policy)
    env_id = args.env or spec.env_id
    if not env_id:
        raise ValueError(f"{args.policy}: the policy names no env; expected --env ENV_ID")
    if args.env:
        env_spec(args.env).require_same_spaces(spec, f"env {args.env}", f"policy {args.policy}")
    evaluation = run_evaluation(
        policy, env_id, args.episodes, args.seed, deterministic=not args.stochastic, progress=True
    )
    result = evaluation.to_dict()
    if args.video:
        actor = PolicyActor(policy, jax.random.key(args.seed), deterministic=not args.stochastic, spec=spec)
        recorded = record_episode(actor, env_id, args.video, seed=args.seed)
        result.update(video=recorded["video"], video_frames=recorded["frames"], video_return=recorded["return"])
        make_console().print(f"video of the first episode ({recorded['frames']} frames) written to {recorded['video']}")
    print_result(
        f"evaluation of {args.policy} on {env_id}", {k: v for k, v in result.items() if k not in ("returns", "lengths")}
    )
    return result


def experts(args: ExpertsArgs) -> dict[str, Any]:
    """List experts with their measured returns, or measure and record them."""
    from rich.table import Table

    from apprentice import experts as registry
    from apprentice.evaluation import measure_expert
    from apprentice.progress import make_console

    env_ids = [args.env] if args.env else registry.available()
    if args.install:
        if not args.env:
            raise ValueError("experts --install: expected --env, the env id the policy is the expert for")
        _install_trained_expert(Path(args.install), args.env, final=args.install_final)
    written = None
    if args.measure or args.install:
        for env_id in env_ids:
            written = registry.write_stats(env_id, measure_expert(env_id, progress=True))
    table = Table("env id", "kind", "acts on", "rule", "expert return", "random return", "episodes")
    result = {}
    for env_id in env_ids:
        expert = registry.load(env_id)
        stats = expert.stats
        result[env_id] = {
            "description": expert.description,
            "kind": expert.kind,
            "view": expert.view,
            "stats": stats and dataclasses.asdict(stats),
        }
        shown = (
            ("-", "-", "-")
            if stats is None
            else (
                f"{stats.mean_return:.1f} +- {stats.std_return:.1f}",
                f"{stats.random_mean_return:.1f}",
                str(stats.n_episodes),
            )
        )
        table.add_row(env_id, expert.kind, expert.view, expert.description, *shown)
    console = make_console()
    console.print(table)
    if written is not None:
        console.print(f"measured returns recorded in {written}")
    return result


def training_command(config: dict[str, Any], env_id: str, out: str = "RUN") -> str:
    """The shell command that reruns the run whose ``config.json`` is ``config``, on ``env_id``
    into ``out``: ``apprentice train ppo --out RUN --seed 0 --env ... --anneal-lr ...``."""
    import shlex

    from apprentice.cli import command_spec

    args_type = command_spec(config["command"]).args_type()
    argv = command_argv({**config, "env": env_id, "env_id": env_id}, args_type)
    return "apprentice " + shlex.join([*config["command"].split(), "--out", out, *argv])


def _install_trained_expert(run: Path, env_id: str, final: bool) -> None:
    """Copy a run's policy into the package with how it was trained (see ``experts.trained``)."""
    from apprentice.experts import trained
    from apprentice.runs import load_config, read_metrics, read_result

    config, result = load_config(run), read_result(run)
    selected = "final" if final else "best"
    evaluated = [row for row in read_metrics(run) if row.get("eval_return") is not None]
    chosen = evaluated[-1] if final else max(evaluated, key=lambda row: row["eval_return"])
    training = {
        "description": f"{config['algorithm'].upper()} policy trained by apprentice: the {selected} evaluated policy"
        f" (at {chosen['env_steps']:,} of {result['env_steps']:,} env steps)",
        "command": training_command(config, env_id),
        "algorithm": config["algorithm"],
        "seed": config["seed"],
        "config": config["config"],
        "env_steps": result["env_steps"],
        "train_minutes": round(result["seconds"] / 60, 1),
        "selected": selected,
        "selected_at_env_steps": chosen["env_steps"],
        "best_eval_return": result.get("best_eval_return"),
        "final_eval_return": result.get("final_eval_return"),
    }
    trained.install(run if final else run / "best", env_id, training)


def demo(args: DemoArgs) -> dict[str, Any]:
    """The main job (see :mod:`apprentice.bench.demo`)."""
    from apprentice.bench.demo import run_demo

    return run_demo(Path(args.out))
