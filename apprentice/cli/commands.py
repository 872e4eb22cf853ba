"""What each CLI command does, on parsed arguments; each returns its JSON-able result."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import jax
import numpy as np
from rich.table import Table

from apprentice.progress import make_console

console = make_console()


def collect(args) -> dict[str, Any]:
    """Roll out the env's registered expert and save the episodes."""
    from apprentice import experts
    from apprentice.data import export_minari, save_trajectories
    from apprentice.envs import env_spec
    from apprentice.rollout import rollout

    if not args.out and not args.minari_id:
        raise ValueError("collect: expected --out FILE.npz or --minari-id NAMESPACE/NAME-v0, got neither")
    spec = env_spec(args.env)
    expert = experts.load(args.env)
    trajectories = rollout(expert, args.env, n_episodes=args.episodes, seed=args.seed, progress=True)
    returns = np.array([t.episode_return for t in trajectories])
    result = {
        "env_id": args.env,
        "n_episodes": len(trajectories),
        "n_steps": int(sum(len(t) for t in trajectories)),
        "mean_return": float(returns.mean()),
        "std_return": float(returns.std()),
    }
    if args.out:
        metadata = {"env_id": args.env, "source": f"expert:{args.env}", "seed": args.seed, "env_spec": spec.to_dict()}
        result["out"] = str(save_trajectories(args.out, trajectories, metadata))
    if args.minari_id:
        result["minari_path"] = str(export_minari(args.minari_id, trajectories, args.env))
    console.print(
        f"collected {result['n_episodes']} episodes ({result['n_steps']} steps) of {args.env}: "
        f"return {result['mean_return']:.1f} +- {result['std_return']:.1f}"
    )
    return result


def load_demos(source: str, env: str = "") -> tuple[list, str]:
    """Trajectories from ``file.npz`` or ``minari:DATASET_ID``, and the env id they are for."""
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
    return trajectories, env_id


def train_bc(args) -> dict[str, Any]:
    """Behavior cloning from a demonstrations file into a run directory."""
    from apprentice.algorithms import bc
    from apprentice.envs import env_spec
    from apprentice.evaluation import evaluate
    from apprentice.runs import write_run

    trajectories, env_id = load_demos(args.demos, args.env)
    spec = env_spec(env_id)
    trained = bc.train(jax.random.key(args.seed), args.config, trajectories, spec, progress=True)
    last = trained.history[trained.best_epoch - 1]
    result = {
        "algorithm": "bc",
        "env_id": env_id,
        "out": str(args.out),
        "n_demo_episodes": len(trajectories),
        "best_epoch": trained.best_epoch,
        "epochs_run": len(trained.history),
        "train_loss": last["train_loss"],
        "val_score": last.get("val_score"),
        "train_seconds": trained.history[-1]["seconds"],
    }
    if args.eval_episodes:
        evaluation = evaluate(trained.policy, env_id, args.eval_episodes, seed=1000)
        result.update(mean_return=evaluation.mean_return, std_return=evaluation.std_return,
                      normalized_score=evaluation.normalized_score)
    config = {
        "command": "train bc",
        "algorithm": "bc",
        "env_id": env_id,
        "demos": args.demos,
        "seed": args.seed,
        "config": dataclasses.asdict(args.config),
    }
    write_run(args.out, config, trained.policy, spec, trained.architecture, trained.history, result)
    _print_result(f"behavior cloning on {env_id} -> {args.out}", result)
    return result


def train_dagger(args) -> dict[str, Any]:
    """DAgger into a run directory."""
    from apprentice.algorithms.dagger import dagger

    return _train_interactive(args, "dagger", dagger.train)


def train_hg_dagger(args) -> dict[str, Any]:
    """HG-DAgger (action-discrepancy gate) into a run directory."""
    from apprentice.algorithms.dagger import hg_dagger

    return _train_interactive(args, "hg-dagger", hg_dagger.train)


def train_dart(args) -> dict[str, Any]:
    """DART into a run directory."""
    from apprentice.algorithms.dagger import dart

    return _train_interactive(args, "dart", dart.train)


def _train_interactive(args, algorithm: str, train_fn) -> dict[str, Any]:
    """Run an interactive algorithm, rewriting the run directory after every round."""
    from apprentice import experts as registry
    from apprentice.envs import env_spec
    from apprentice.runs import write_run

    spec = env_spec(args.env)
    config = {"command": f"train {algorithm}", "algorithm": algorithm, "env_id": args.env, "seed": args.seed,
              "config": dataclasses.asdict(args.config)}

    def summary(trained) -> dict[str, Any]:
        last = trained.rounds[-1]
        return {"algorithm": algorithm, "env_id": args.env, "out": str(args.out), "rounds": len(trained.rounds),
                **{k: last.get(k) for k in ("labels", "env_steps", "mean_return", "std_return", "normalized_score",
                                            "disagreement_rate", "seconds")}}

    def checkpoint(trained) -> None:
        write_run(args.out, config, trained.policy, spec, trained.architecture, trained.rounds, summary(trained))

    trained = train_fn(jax.random.key(args.seed), args.config, registry.load(args.env), args.env, progress=True,
                       on_round=checkpoint)
    result = summary(trained)
    table = Table("round", "labels", "return", "normalized", "disagreement", title=f"{algorithm} on {args.env} -> {args.out}")
    for row in trained.rounds:
        evaluated = "mean_return" in row
        table.add_row(str(row["round"]), str(row["labels"]),
                      f"{row['mean_return']:.1f} +- {row['std_return']:.1f}" if evaluated else "-",
                      f"{row['normalized_score']:.3f}" if evaluated else "-",
                      f"{row['disagreement_rate']:.3f}" if evaluated else "-")
    console.print(table)
    return result


def train_ppo(args) -> dict[str, Any]:
    """PPO into a run directory, checkpointed at every evaluation."""
    from apprentice.algorithms.rl import ppo

    return _train_rl(args, "ppo", ppo.train)


def train_sac(args) -> dict[str, Any]:
    """Soft actor-critic into a run directory, checkpointed at every evaluation."""
    from apprentice.algorithms.rl import sac

    return _train_rl(args, "sac", sac.train)


def train_mce_irl(args) -> dict[str, Any]:
    """MCE IRL against the soft-optimal expert of a tabular MDP's true reward."""
    from apprentice.algorithms.irl import mce, policy_visitation, soft_value_iteration_finite
    from apprentice.algorithms.irl.reference_mdps import imitation_five_state_mdp
    from apprentice.theory.mdp import random_finite_horizon_mdp

    config = args.config
    if config.horizon is None:
        raise ValueError("train mce-irl: expected --horizon (the command's MDPs are finite-horizon)")
    if args.mdp == "imitation-5-state":
        mdp = imitation_five_state_mdp()
        if config.horizon != mdp.horizon:
            raise ValueError(f"train mce-irl: imitation's 5-state MDP has horizon {mdp.horizon}, got --horizon {config.horizon}")
    else:
        mdp = random_finite_horizon_mdp(args.seed, args.n_states, args.n_actions, config.horizon)
    expert = policy_visitation(mdp, soft_value_iteration_finite(mdp, discount=config.discount).policy, config.discount)
    result = mce.train(jax.random.key(args.seed), config, mdp, expert)
    summary = {
        "algorithm": "mce-irl", "mdp": args.mdp, "discount": config.discount, "iterations": result.n_iterations,
        "converged": result.converged, "occupancy_linf": float(result.log.occupancy_linf[-1]),
        "learner_return": float(result.log.learner_return[-1]), "expert_return": float(result.log.expert_return),
        "seconds": round(result.seconds, 3),
    }
    _print_result(f"MCE IRL on {args.mdp}", summary)
    return summary


def train_gail(args) -> dict[str, Any]:
    """GAIL from demonstrations into a run directory."""
    return _train_adversarial(args)


def train_airl(args) -> dict[str, Any]:
    """AIRL from demonstrations into a run directory."""
    return _train_adversarial(args)


def _train_adversarial(args) -> dict[str, Any]:
    import equinox as eqx

    from apprentice.algorithms.irl import adversarial
    from apprentice.data import subsample
    from apprentice.io_utils import atomic_open
    from apprentice.runs import write_run

    trajectories, env_id = load_demos(args.demos, args.env)
    algorithm = args.config.algorithm
    expert = subsample(trajectories, args.subsample, seed=args.seed)
    trained = adversarial.train(jax.random.key(args.seed), args.config, env_id, expert)
    rl = trained.rl
    summary = {"algorithm": algorithm, "out": str(args.out), "n_demo_episodes": len(trajectories),
               "n_expert_samples": len(expert), **rl.summary()}
    last = rl.metrics[-1]
    summary.update({k: last.get(k) for k in ("disc_accuracy_expert", "disc_accuracy_learner", "learned_reward_mean")})
    config = {"command": f"train {algorithm}", "algorithm": algorithm, "env_id": env_id, "demos": args.demos,
              "subsample": args.subsample, "seed": args.seed, "config": dataclasses.asdict(args.config)}
    write_run(args.out, config, rl.policy, rl.spec, rl.architecture, rl.metrics, summary)
    with atomic_open(Path(args.out) / "discriminator.eqx", "wb") as handle:
        eqx.tree_serialise_leaves(handle, trained.discriminator)
    _print_result(f"{algorithm} on {env_id} -> {args.out}", summary)
    return summary


def _train_rl(args, algorithm: str, train_fn) -> dict[str, Any]:
    from apprentice.runs import write_run
    from apprentice.policies.serialization import save_policy

    config = {"command": f"train {algorithm}", "algorithm": algorithm, "env_id": args.env, "seed": args.seed,
              "config": dataclasses.asdict(args.config)}

    def checkpoint(result) -> None:
        write_run(args.out, config, result.policy, result.spec, result.architecture, result.metrics,
                  {"algorithm": algorithm, "out": str(args.out), **result.summary()})
        if result.best_policy is not None:
            save_policy(Path(args.out) / "best", result.best_policy, result.spec, result.architecture)

    result = train_fn(jax.random.key(args.seed), args.config, args.env, on_evaluation=checkpoint)
    summary = {"algorithm": algorithm, "out": str(args.out), **result.summary()}
    _print_result(f"{algorithm} on {args.env} -> {args.out}", summary)
    return summary


def evaluate(args) -> dict[str, Any]:
    """Evaluate a saved policy, on its own env or another with the same spaces."""
    from apprentice.envs import env_spec
    from apprentice.evaluation import evaluate as run_evaluation
    from apprentice.policies import load_policy

    policy, spec = load_policy(args.policy)
    env_id = args.env or spec.env_id
    if not env_id:
        raise ValueError(f"{args.policy}: the policy names no env; expected --env ENV_ID")
    if args.env:
        env_spec(args.env).require_same_spaces(spec, f"env {args.env}", f"policy {args.policy}")
    evaluation = run_evaluation(policy, env_id, args.episodes, args.seed, deterministic=not args.stochastic, progress=True)
    result = evaluation.to_dict()
    _print_result(f"evaluation of {args.policy} on {env_id}", {k: v for k, v in result.items() if k not in ("returns", "lengths")})
    return result


def experts(args) -> dict[str, Any]:
    """List experts with their measured returns, or measure and record them."""
    from apprentice import experts as registry
    from apprentice.evaluation import measure_expert

    env_ids = [args.env] if args.env else registry.available()
    if args.install:
        if not args.env:
            raise ValueError("experts --install: expected --env, the env id the policy is the expert for")
        _install_trained_expert(Path(args.install), args.env, final=args.install_final)
    if args.measure or args.install:
        for env_id in env_ids:
            registry.write_stats(env_id, measure_expert(env_id, progress=True))
    table = Table("env id", "expert return", "random return", "episodes")
    result = {}
    for env_id in env_ids:
        expert = registry.load(env_id)
        stats = expert.stats
        result[env_id] = {"description": expert.description, "stats": stats and dataclasses.asdict(stats)}
        shown = ("-", "-", "-") if stats is None else (
            f"{stats.mean_return:.1f} +- {stats.std_return:.1f}", f"{stats.random_mean_return:.1f}", str(stats.n_episodes))
        table.add_row(env_id, *shown)
    console.print(table)
    return result


def _install_trained_expert(run: Path, env_id: str, final: bool) -> None:
    """Copy a run's policy into the package with how it was trained (see ``experts.trained``)."""
    import json

    from apprentice.experts import trained

    config_path, result_path = run / "config.json", run / "result.json"
    if not config_path.is_file() or not result_path.is_file():
        raise ValueError(f"{run}: expected a run directory of `apprentice train sac|ppo` (config.json, result.json)")
    config, result = json.loads(config_path.read_text()), json.loads(result_path.read_text())
    options = " ".join(f"--{k.replace('_', '-')} {' '.join(map(str, v)) if isinstance(v, list) else v}"
                       for k, v in config["config"].items())
    selected = "final" if final else "best"
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines() if line.strip()]
    evaluated = [row for row in rows if row.get("eval_return") is not None]
    chosen = evaluated[-1] if final else max(evaluated, key=lambda row: row["eval_return"])
    training = {
        "description": f"{config['algorithm'].upper()} policy trained by apprentice: the {selected} evaluated policy"
                       f" (at {chosen['env_steps']:,} of {result['env_steps']:,} env steps)",
        "command": f"apprentice {config['command']} --env {env_id} --out RUN --seed {config['seed']} {options}",
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


def demo(args) -> dict[str, Any]:
    """The main job (see :mod:`apprentice.bench.demo`)."""
    from apprentice.bench.demo import run_demo

    return run_demo(Path(args.out))


def bench_speed(args) -> dict[str, Any]:
    """BC steps/s, the fraction of the matmul peak (see :mod:`apprentice.bench.speed`) and, unless
    ``--skip-peers``, the same BC in imitation and plain PyTorch (:mod:`apprentice.bench.speed_peers`)."""
    import json

    from apprentice.bench.speed import run_speed
    from apprentice.bench.speed_peers import run_peer_speed
    from apprentice.io_utils import atomic_write_text
    from apprentice.report.plots import plot_peer_speed, plot_speed

    result = run_speed(args.config)
    out = Path(args.out)
    result["plot"] = str(plot_speed(result, out / "speed.png"))
    shown = ("steps_per_second", "bc_flops_per_second", "matmul_peak_flops_per_second", "fraction_of_peak", "plot")
    _print_result("BC speed (median of interleaved repeats)", {k: result[k] for k in shown})
    if not args.skip_peers:
        peers = run_peer_speed(args.peers)
        result["peers"] = peers
        if "skipped" in peers:
            console.print(f"[yellow]side-by-side run skipped: {peers['skipped']}[/yellow]")
        else:
            peers["plot"] = str(plot_peer_speed(peers, out / "speed_peers.png"))
            table = Table(title=f"BC, {peers['steps_timed']} steps of batch {args.peers.batch_size}, medians of "
                                f"{args.peers.rounds} interleaved rounds -> {peers['plot']}")  # fmt: skip
            for column in ("contestant", "seconds", "steps/s", "time / apprentice's"):
                table.add_column(column)
            for row in peers["rows"]:
                table.add_row(row["contestant"], f"{row['seconds']:.3f}", f"{row['steps_per_second']:.0f}",
                              f"{row['time_ratio_to_apprentice']:.2f}")  # fmt: skip
            console.print(table)
        result["dagger_peers"] = _bench_dagger_peers(args.dagger, args.peers.venv, out)
    atomic_write_text(out / "results.json", json.dumps(result, indent=2) + "\n")
    return result


def _bench_dagger_peers(config, venv: str, out: Path) -> dict[str, Any]:
    """DAgger on CartPole in apprentice and imitation (see :mod:`apprentice.bench.dagger_speed_peers`)."""
    from apprentice.bench.dagger_speed_peers import run_dagger_peer_speed
    from apprentice.report.plots import plot_dagger_race

    result = run_dagger_peer_speed(config, venv)
    if "skipped" in result:
        console.print(f"[yellow]DAgger side-by-side run skipped: {result['skipped']}[/yellow]")
        return result
    result["plot"] = str(plot_dagger_race(result, out / "dagger_peers.png"))
    table = Table("contestant", "runs", "s to end", "labels", "final score", f"s to {config.threshold}", "labels then",
                  "time / apprentice's", title=f"DAgger on {result['env_id']}, medians over runs -> {result['plot']}")
    for row in result["rows"]:
        reached = row["seconds_to_threshold"] is not None
        table.add_row(row["contestant"], str(row["n_runs"]), f"{row['seconds_to_end']:.2f}", f"{row['labels_at_end']:.0f}",
                      f"{row['final_normalized_score']:.3f}",
                      f"{row['seconds_to_threshold']:.2f} ({row['runs_reaching_threshold']}/{row['n_runs']} runs)" if reached else "not reached",
                      f"{row['labels_at_threshold']:.0f}" if reached else "-",
                      f"{row['end_ratio_to_apprentice']:.2f} (end)")
    console.print(table)
    return result


def bench_rl_speed(args) -> dict[str, Any]:
    """PPO env-steps/s on both backends (see :mod:`apprentice.bench.rl_speed`)."""
    import json

    from apprentice.bench.rl_speed import run_rl_speed
    from apprentice.io_utils import atomic_write_text
    from apprentice.report.rl_plots import plot_rl_speed

    result = run_rl_speed(args.config)
    out = Path(args.out)
    result["plot"] = str(plot_rl_speed(result, out / "rl_speed.png"))
    atomic_write_text(out / "results.json", json.dumps(result, indent=2) + "\n")
    shown = [k for k in result if not k.endswith("_curve")]
    _print_result("PPO speed: pure-JAX backend against Gymnasium", {k: result[k] for k in shown})
    return result


def bench_rwr(args) -> dict[str, Any]:
    """Reward-weighted regression against BC (see :mod:`apprentice.bench.rwr`)."""
    from apprentice.bench.rwr import run_rwr

    return run_rwr(args.config)


def bench_labels(args) -> dict[str, Any]:
    """Label efficiency (see :mod:`apprentice.bench.labels`)."""
    from apprentice.bench.labels import run_labels

    return run_labels(args.config)


def bench_returns(args) -> dict[str, Any]:
    """BC and DAgger on MuJoCo (see :mod:`apprentice.bench.returns`)."""
    from apprentice.bench.returns import run_returns

    return run_returns(args.config)


def bench_irl(args) -> dict[str, Any]:
    """BC, GAIL and AIRL against expert trajectories (see :mod:`apprentice.bench.irl`)."""
    from apprentice.bench.irl import run_irl_bench

    return run_irl_bench(args.config)


def bench_irl_transfer(args) -> dict[str, Any]:
    """Reward transfer with tabular AIRL (see :mod:`apprentice.bench.irl_transfer`)."""
    from apprentice.bench.irl_transfer import print_transfer_table, run_transfer_bench

    result = run_transfer_bench(args.config)
    print_transfer_table(result["rows"])
    return result


def bench_irl_speed(args) -> dict[str, Any]:
    """GAIL's wall-clock on both backends (see :mod:`apprentice.bench.irl_speed`)."""
    from apprentice.bench.irl_speed import run_irl_speed

    result = run_irl_speed(args.config)
    table = Table("backend", "seed", "env steps", "seconds (compile included)", "return", "normalized",
                  title=f"{result['method']} on {result['env_id']} from {result['n_demos']} expert episode(s)")
    for row in result["runs"]:
        table.add_row(row["backend"], str(row["seed"]), str(row["env_steps"]), f"{row['wall_seconds_with_compile']:.1f}",
                      f"{row['eval_return']:.1f}", f"{row['normalized_score']:.3f}")
    make_console().print(table)
    make_console().print(f"pure-JAX seed 0: {result['jax_compile_seconds']} s compiling + {result['jax_run_seconds']} s running")
    return result


def theory_compounding(args) -> dict[str, Any]:
    """The exact compounding-error study (see :mod:`apprentice.theory.compounding`)."""
    from apprentice.theory.compounding import run_compounding

    return run_compounding(args.config)


def _print_result(title: str, result: dict[str, Any]) -> None:
    table = Table(title=title, show_header=False)
    for key, value in result.items():
        table.add_row(key, f"{value:.4g}" if isinstance(value, float) else str(value))
    console.print(table)
