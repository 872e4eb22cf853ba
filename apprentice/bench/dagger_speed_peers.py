"""DAgger on CartPole-v1 side by side with HumanCompatibleAI's ``imitation``: wall-clock to the end
of the run and to 0.95 expert-normalized.

Both learners get the same expert (``apprentice``'s CartPole rule; the worker receives its gains),
the same budgets (``initial_labels`` expert steps, then rounds of ``steps_per_round`` steps up to
``label_budget`` labels), the same beta schedule (``beta_r = beta_decay ** r``, per step), the same
BC (tanh MLP, batch, Adam learning rate, epochs per round, continuing from the previous round's
policy, entropy bonus 1e-3, no observation normalization) and the same greedy evaluation after
every round (``eval_episodes`` episodes from ``evaluation_seed()``, off the clock). ``imitation``
runs as :mod:`~apprentice.bench.peers.imitation_dagger_worker` in the peer venv, one subprocess
per repeat; ``apprentice`` runs in this process, and its first repeat, which compiles, is
reported apart from the later ones. What a user running DAgger once meets is a fresh process:
those rows add each library's import time (measured in a fresh interpreter, medians) to its
first run.

Differences that remain: imitation collects whole episodes per round (at least the round's
steps), so its label counts overshoot a little where ours stop at the budget; imitation's
default discrete policy also evaluates a value network BC does not use; imitation writes each
round's demos to disk and reads them back (its design for human-in-the-loop resumption).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import jax
import numpy as np

from apprentice import experts
from apprentice.algorithms.bc import BCConfig
from apprentice.algorithms.dagger import DAggerConfig, InteractiveConfig, dagger
from apprentice.bench.configs import DAggerSpeedConfig
from apprentice.bench.peers.venv import PeerUnavailable, ensure_peer_venv
from apprentice.envs.seeds import evaluation_seed
from apprentice.experts.scripted.cartpole import FEEDBACK_GAINS
from apprentice.policies.architecture import Network
from apprentice.progress import progress_bar

WORKER = Path(__file__).parent / "peers" / "imitation_dagger_worker.py"
ENV_ID = "CartPole-v1"


def run_dagger_peer_speed(config: DAggerSpeedConfig = DAggerSpeedConfig(), venv: str = "runs/peer-venv") -> dict:
    """Time both libraries' DAgger, imitation's in the peer venv at ``venv`` (built on first use);
    ``{"skipped": reason}`` when it cannot be built."""
    try:
        python = ensure_peer_venv(venv)
    except PeerUnavailable as error:
        return {"skipped": str(error), "config": asdict(config)}
    expert = experts.load(ENV_ID)
    runs: dict[str, list[list[dict]]] = {"apprentice": [], "imitation": []}
    imports: dict[str, list[float]] = {"apprentice": [], "imitation": []}
    versions = {"jax": jax.__version__}
    with progress_bar(config.repeats, "DAgger on CartPole, side by side") as bar:
        for seed in range(config.repeats):
            runs["apprentice"].append(_ours(config, expert, seed))
            imports["apprentice"].append(_our_import_seconds())
            peer = _worker(python, config, seed)
            runs["imitation"].append(peer["runs"][0])
            imports["imitation"].append(peer["import_seconds"])
            versions.update(torch=peer["torch"], imitation=peer["imitation"], torch_threads=peer["threads"])
            bar.advance(1)
    for row in (row for contestant in runs.values() for run in contestant for row in run):
        row["normalized_score"] = expert.normalized_score(row["mean_return"])
    import_seconds = {name: float(np.median(times)) for name, times in imports.items()}
    summary = [
        _summarize_runs(
            "apprentice, fresh process (imports + compiling run)",
            runs["apprentice"][:1],
            config.threshold,
            import_seconds["apprentice"],
        ),
        _summarize_runs(
            "imitation, fresh process (imports + run)", runs["imitation"], config.threshold, import_seconds["imitation"]
        ),
        _summarize_runs("apprentice (first run, compiling)", runs["apprentice"][:1], config.threshold),
        _summarize_runs("apprentice", runs["apprentice"][1:] or runs["apprentice"], config.threshold),
        _summarize_runs("imitation", runs["imitation"], config.threshold),
    ]
    reference = summary[3]
    for row in summary:
        row["end_ratio_to_apprentice"] = row["seconds_to_end"] / reference["seconds_to_end"]
        both = row["seconds_to_threshold"] is not None and reference["seconds_to_threshold"] is not None
        row["threshold_ratio_to_apprentice"] = (
            row["seconds_to_threshold"] / reference["seconds_to_threshold"] if both else None
        )
    return {
        "config": asdict(config),
        "env_id": ENV_ID,
        "rows": summary,
        "runs": runs,
        "import_seconds": import_seconds,
        "versions": versions,
    }


def _ours(config: DAggerSpeedConfig, expert, seed: int) -> list[dict]:
    interactive = InteractiveConfig(
        initial_labels=config.initial_labels,
        steps_per_round=config.steps_per_round,
        n_rounds=config.n_rounds,
        label_budget=config.label_budget,
        warm_start=True,
        eval_episodes=config.eval_episodes,
        run_seed=seed,
    )
    bc = BCConfig(
        network=Network(hidden_sizes=config.hidden_sizes, activation="tanh"),
        batch_size=config.batch_size,
        learning_rate=config.learning_rate,
        n_epochs=config.epochs,
        validation_fraction=0.0,
        entropy_coef=1e-3,
        normalize_obs=False,
        patience=0,
    )
    dagger_config = DAggerConfig(
        interactive=interactive, bc=bc, beta_schedule="exponential", beta_decay=config.beta_decay
    )
    result = dagger.train(jax.random.key(seed), dagger_config, expert, ENV_ID, progress=False)
    return [
        {
            "round": r["round"],
            "labels": r["labels"],
            "seconds": r["seconds_excluding_eval"],
            "mean_return": r["mean_return"],
        }
        for r in result.metrics
    ]


def _worker(python, config: DAggerSpeedConfig, seed: int) -> dict:
    argv = [str(python), str(WORKER), "--gains", *map(str, FEEDBACK_GAINS), "--initial-labels", str(config.initial_labels),
            "--steps-per-round", str(config.steps_per_round), "--label-budget", str(config.label_budget),
            "--epochs", str(config.epochs), "--batch-size", str(config.batch_size), "--lr", str(config.learning_rate),
            "--hidden", *map(str, config.hidden_sizes), "--beta-decay", str(config.beta_decay),
            "--eval-episodes", str(config.eval_episodes), "--eval-seed", str(evaluation_seed()), "--seed", str(seed)]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"peer DAgger worker: exit {done.returncode}: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _our_import_seconds() -> float:
    """Seconds a fresh interpreter takes to import what ``apprentice train dagger`` needs."""
    probe = (
        "import time; t = time.perf_counter(); import jax, gymnasium; import apprentice.algorithms.dagger; "
        "import apprentice.experts; jax.numpy.zeros(1).block_until_ready(); print(time.perf_counter() - t)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=600, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def _summarize_runs(name: str, runs: list[list[dict]], threshold: float, import_seconds: float = 0.0) -> dict:
    """Medians over runs: wall-clock to the end, and to the first round at ``threshold`` (``None``
    when a run never gets there; then the median is over the runs that did, counted apart);
    ``import_seconds`` is added to both."""
    reached = [next((r for r in run if r["normalized_score"] >= threshold), None) for run in runs]
    hits = [r for r in reached if r is not None]
    return {
        "contestant": name,
        "n_runs": len(runs),
        "import_seconds": import_seconds,
        "seconds_to_end": import_seconds + float(np.median([run[-1]["seconds"] for run in runs])),
        "labels_at_end": float(np.median([run[-1]["labels"] for run in runs])),
        "final_normalized_score": float(np.median([run[-1]["normalized_score"] for run in runs])),
        "runs_reaching_threshold": len(hits),
        "seconds_to_threshold": import_seconds + float(np.median([r["seconds"] for r in hits])) if hits else None,
        "labels_at_threshold": float(np.median([r["labels"] for r in hits])) if hits else None,
    }
