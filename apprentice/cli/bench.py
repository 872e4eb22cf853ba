"""``apprentice bench ...``: the benchmark suites of :mod:`apprentice.bench`, each printing a table.

The language benchmarks (``bench preferences``, ``bench sampling``) are in :mod:`apprentice.cli.text`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import tyro
from rich.table import Table

from apprentice.bench.configs import (
    DAggerSpeedConfig,
    HeadSpeedConfig,
    IRLBenchConfig,
    IRLSpeedConfig,
    LabelsBenchConfig,
    MultimodalBenchConfig,
    PeerSpeedConfig,
    PixelsBenchConfig,
    ReturnsBenchConfig,
    RLSpeedConfig,
    RWRBenchConfig,
    SpeedConfig,
    TransferBenchConfig,
    WholeJobConfig,
)
from apprentice.bench.rwr_iterated_config import RWRIteratedBenchConfig
from apprentice.cli.base import CommonArgs, print_result
from apprentice.progress import make_console

console = make_console()


@dataclass(frozen=True, kw_only=True)
class BenchSpeedArgs(CommonArgs):
    config: Annotated[SpeedConfig, tyro.conf.OmitArgPrefixes] = SpeedConfig()
    peers: PeerSpeedConfig = PeerSpeedConfig()
    """The side-by-side run against imitation and a plain PyTorch loop (built in their own venv)."""
    dagger: DAggerSpeedConfig = DAggerSpeedConfig()
    """DAgger on CartPole side by side with imitation (in the peer venv of --peers.venv)."""
    skip_peers: bool = False
    """Measure only apprentice (no peer venv, no PyTorch, no DAgger side by side)."""
    out: str = "runs/bench-speed"
    """Folder for results.json and the plot."""


@dataclass(frozen=True, kw_only=True)
class BenchWholeJobArgs(CommonArgs):
    config: Annotated[WholeJobConfig, tyro.conf.OmitArgPrefixes] = WholeJobConfig()
    out: str = "runs/bench-whole-job"
    """Folder for results.json."""


@dataclass(frozen=True, kw_only=True)
class BenchRLSpeedArgs(CommonArgs):
    config: Annotated[RLSpeedConfig, tyro.conf.OmitArgPrefixes] = RLSpeedConfig()
    out: str = "runs/bench-rl-speed"
    """Folder for results.json and the plot."""


@dataclass(frozen=True, kw_only=True)
class BenchHeadSpeedArgs(CommonArgs):
    config: Annotated[HeadSpeedConfig, tyro.conf.OmitArgPrefixes] = HeadSpeedConfig()


@dataclass(frozen=True, kw_only=True)
class BenchMultimodalArgs(CommonArgs):
    config: Annotated[MultimodalBenchConfig, tyro.conf.OmitArgPrefixes] = MultimodalBenchConfig()


@dataclass(frozen=True, kw_only=True)
class BenchRWRArgs(CommonArgs):
    config: Annotated[RWRBenchConfig, tyro.conf.OmitArgPrefixes] = RWRBenchConfig()


@dataclass(frozen=True, kw_only=True)
class BenchRWRIteratedArgs(CommonArgs):
    config: Annotated[RWRIteratedBenchConfig, tyro.conf.OmitArgPrefixes] = RWRIteratedBenchConfig()


@dataclass(frozen=True, kw_only=True)
class BenchPixelsArgs(CommonArgs):
    config: Annotated[PixelsBenchConfig, tyro.conf.OmitArgPrefixes] = PixelsBenchConfig()


@dataclass(frozen=True, kw_only=True)
class BenchLabelsArgs(CommonArgs):
    config: Annotated[LabelsBenchConfig, tyro.conf.OmitArgPrefixes] = LabelsBenchConfig()


@dataclass(frozen=True, kw_only=True)
class BenchReturnsArgs(CommonArgs):
    config: Annotated[ReturnsBenchConfig, tyro.conf.OmitArgPrefixes] = ReturnsBenchConfig()


@dataclass(frozen=True, kw_only=True)
class BenchIRLArgs(CommonArgs):
    config: Annotated[IRLBenchConfig, tyro.conf.OmitArgPrefixes] = IRLBenchConfig()


@dataclass(frozen=True, kw_only=True)
class BenchIRLSpeedArgs(CommonArgs):
    config: Annotated[IRLSpeedConfig, tyro.conf.OmitArgPrefixes] = IRLSpeedConfig()


@dataclass(frozen=True, kw_only=True)
class BenchIRLTransferArgs(CommonArgs):
    config: Annotated[TransferBenchConfig, tyro.conf.OmitArgPrefixes] = TransferBenchConfig()


def bench_speed(args) -> dict[str, Any]:
    """BC steps/s, the fraction of the matmul peak (see :mod:`apprentice.bench.speed`) and, unless
    ``--skip-peers``, the same BC in imitation and plain PyTorch (:mod:`apprentice.bench.speed_peers`)."""

    from apprentice.bench.speed import run_speed
    from apprentice.bench.speed_peers import run_peer_speed
    from apprentice.io_utils import atomic_write_text
    from apprentice.report.plots import plot_peer_speed, plot_speed

    result = run_speed(args.config)
    out = Path(args.out)
    result["plot"] = str(plot_speed(result, out / "speed.png"))
    shown = ("steps_per_second", "bc_flops_per_second", "matmul_peak_flops_per_second", "fraction_of_peak", "plot")
    print_result("BC speed (median of interleaved repeats)", {k: result[k] for k in shown})
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


def bench_whole_job(args) -> dict[str, Any]:
    """The BC job as fresh processes: apprentice cold and warm beside imitation (:mod:`apprentice.bench.whole_job`)."""
    from apprentice.bench.whole_job import run_whole_job
    from apprentice.io_utils import atomic_write_text

    result = run_whole_job(args.config)
    if result["peer_skipped"]:
        console.print(f"[yellow]imitation left out: {result['peer_skipped']}[/yellow]")
    rows = result["contestants"]
    phases = list(dict.fromkeys(key for row in rows.values() for key in row["phases"]))
    table = Table(title=f"BC on {args.config.episodes} {args.config.env} episodes ({result['n_samples']} samples, "
                        f"{result['gradient_steps']} steps), fresh processes, medians of {args.config.rounds} rounds")  # fmt: skip
    for column in ("contestant", "wall s", *phases, "imitation / it"):
        table.add_column(column)
    for name, row in rows.items():
        cells = [f"{row['phases'][key]:.2f}" if key in row["phases"] else "" for key in phases]
        ratio = f"{row['imitation_over']:.2f}" if "imitation_over" in row else ""
        table.add_row(name, f"{row['wall_seconds']:.2f}", *cells, ratio)
    console.print(table)
    result["out"] = str(Path(args.out) / "results.json")
    atomic_write_text(Path(result["out"]), json.dumps(result, indent=2) + "\n")
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
    table = Table(
        "contestant",
        "runs",
        "s to end",
        "labels",
        "final score",
        f"s to {config.threshold}",
        "labels then",
        "time / apprentice's",
        title=f"DAgger on {result['env_id']}, medians over runs -> {result['plot']}",
    )
    for row in result["rows"]:
        reached = row["seconds_to_threshold"] is not None
        table.add_row(
            row["contestant"],
            str(row["n_runs"]),
            f"{row['seconds_to_end']:.2f}",
            f"{row['labels_at_end']:.0f}",
            f"{row['final_normalized_score']:.3f}",
            f"{row['seconds_to_threshold']:.2f} ({row['runs_reaching_threshold']}/{row['n_runs']} runs)"
            if reached
            else "not reached",
            f"{row['labels_at_threshold']:.0f}" if reached else "-",
            f"{row['end_ratio_to_apprentice']:.2f} (end)",
        )
    console.print(table)
    return result


def bench_rl_speed(args) -> dict[str, Any]:
    """PPO env-steps/s on both backends (see :mod:`apprentice.bench.rl_speed`)."""

    from apprentice.bench.rl_speed import run_rl_speed
    from apprentice.io_utils import atomic_write_text
    from apprentice.report.rl_plots import plot_rl_speed

    result = run_rl_speed(args.config)
    out = Path(args.out)
    result["plot"] = str(plot_rl_speed(result, out / "rl_speed.png"))
    atomic_write_text(out / "results.json", json.dumps(result, indent=2) + "\n")
    shown = [k for k in result if not k.endswith("_curve")]
    print_result("PPO speed: pure-JAX backend against Gymnasium", {k: result[k] for k in shown})
    return result


def bench_head_speed(args) -> dict[str, Any]:
    """Actions/s of each policy head at batch 1 and 256 (see :mod:`apprentice.bench.head_speed`)."""
    from apprentice.bench.head_speed import run_head_speed

    result = run_head_speed(args.config)
    table = {f"{row['head']} @ batch {row['batch_size']}": round(row["actions_per_second"]) for row in result["rows"]}
    print_result("actions per second, compiled, per head", table)
    return result


def bench_multimodal(args) -> dict[str, Any]:
    """Every head on the two-route task (see :mod:`apprentice.bench.multimodal`)."""
    from apprentice.bench.multimodal import run_multimodal

    result = run_multimodal(args.config)
    table = {
        f"{row['env_id'].split('/')[-1]} {row['head']} chunk {row['chunk']}": (
            f"success {row['success_rate']:.2f} +- {row['success_rate_std']:.2f}, "
            f"left {row['left_fraction']:.2f} right {row['right_fraction']:.2f}"
        )
        for row in result["summary"]
    }
    print_result("two routes: success and route balance (mean over seeds)", table)
    return result


def bench_rwr(args) -> dict[str, Any]:
    """Reward-weighted regression against BC (see :mod:`apprentice.bench.rwr`)."""
    from apprentice.bench.rwr import run_rwr

    return run_rwr(args.config)


def bench_rwr_iterated(args) -> dict[str, Any]:
    """Iterated RWR and AWR against BC and PPO (see :mod:`apprentice.bench.rwr_iterated`)."""
    from apprentice.bench.rwr_iterated import run_rwr_iterated

    return run_rwr_iterated(args.config)


def bench_pixels(args) -> dict[str, Any]:
    """BC from 64x64 frames, clean and noise-injected demonstrations (see :mod:`apprentice.bench.pixels`)."""
    from apprentice.bench.pixels import run_pixels

    result = run_pixels(args.config)
    table = Table(title=f"BC from pixels on {args.config.env_id} -> {result['out']}")
    for column in ("demo noise", "seed", "return", "train loss", "seconds"):
        table.add_column(column)
    for row in result["rows"]:
        table.add_row(
            f"{row['noise']:g}",
            str(row["seed"]),
            f"{row['mean_return']:.1f} +- {row['std_return']:.1f}",
            f"{row['train_loss']:.3f}",
            f"{row['seconds']:.0f}",
        )
    console.print(table)
    speed = result["speed"]
    console.print(
        f"Nature CNN: {speed['steps_per_second']:.1f} gradient steps/s at batch {speed['batch_size']}; "
        f"{speed['bytes_per_frame']} bytes per stored frame ({speed['frame_dtype']} {speed['frame_shape']})"
    )
    return result


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
    table = Table(
        "backend",
        "seed",
        "env steps",
        "seconds (compile included)",
        "return",
        "normalized",
        title=f"{result['method']} on {result['env_id']} from {result['n_demos']} expert episode(s)",
    )
    for row in result["runs"]:
        table.add_row(
            row["backend"],
            str(row["seed"]),
            str(row["env_steps"]),
            f"{row['wall_seconds_with_compile']:.1f}",
            f"{row['eval_return']:.1f}",
            f"{row['normalized_score']:.3f}",
        )
    make_console().print(table)
    make_console().print(
        f"pure-JAX seed 0: {result['jax_compile_seconds']} s compiling + {result['jax_run_seconds']} s running"
    )
    return result
