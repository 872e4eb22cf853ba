"""``apprentice train preference-rl``: a reward model from a synthetic rater's comparisons, and PPO on it.

The rounds of :func:`apprentice.algorithms.preferences.control.train` on a Gymnasium env, into a
run directory rewritten after every round. The flags are the fields of ``PreferenceRLConfig``
(``--n-rounds``, ``--n-comparisons`` ...), and those of the two configs nested in it with their
names as prefixes: ``--reward-model.n-epochs``, ``--ppo.total-steps`` (see
:data:`apprentice.cli.base.NESTED_PREFIXES`: the reward model and PPO both have ``learning_rate``,
``n_epochs``, ``hidden_sizes`` and ``activation``, and the reward model's ``held_out_fraction`` and
``soft_labels`` are also fields of the rounds, so one flat namespace cannot hold them).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from apprentice.algorithms.configs.preferences import PreferenceRLConfig
from apprentice.cli.base import NESTED_PREFIXES, EnvKwargsArgs, RunArgs, run_config

REWARD_FILE = "reward.eqx"
"""The learned per-step reward the last round's PPO optimized (``LearnedReward``'s arrays, by
``eqx.tree_serialise_leaves``), beside the policy in the run directory."""

SUMMARY_KEYS = (
    "n_comparisons",
    "held_out_accuracy",
    "true_ranking_accuracy",
    "step_reward_correlation",
    "segment_return_correlation",
    "eval_return",
    "normalized_return",
    "train_return",
    "env_steps",
    "seconds",
)
"""The last round's metrics that go into ``result.json`` and the ``--json`` line."""


@dataclass(frozen=True, kw_only=True)
class TrainPreferenceRLArgs(RunArgs, EnvKwargsArgs):
    env: str
    """Gymnasium env id; the synthetic rater compares segments by its true reward (metrics.jsonl:
    one row per round; the run directory also gets reward.eqx and is rewritten after every round)."""
    config: Annotated[PreferenceRLConfig, NESTED_PREFIXES]


def train_preference_rl(args: TrainPreferenceRLArgs) -> dict[str, Any]:
    """RL from synthetic preferences into a run directory, checkpointed after every round."""
    import equinox as eqx
    import jax
    from rich.table import Table

    from apprentice.algorithms.preferences import control
    from apprentice.io_utils import atomic_open
    from apprentice.progress import make_console
    from apprentice.runs import write_run

    config = run_config("train preference-rl", args, algorithm="preference-rl", env_id=args.env)

    def summary(trained: control.PreferenceRLResult) -> dict[str, Any]:
        last = trained.metrics[-1]
        return {
            "algorithm": "preference-rl",
            "env_id": args.env,
            "out": str(args.out),
            "rounds": len(trained.metrics),
            **{key: last.get(key) for key in SUMMARY_KEYS},
        }

    def checkpoint(trained: control.PreferenceRLResult) -> None:
        write_run(
            args.out,
            config,
            trained.metrics,
            summary(trained),
            policy=trained.policy,
            spec=trained.spec,
            architecture=trained.rl.architecture,
        )
        with atomic_open(Path(args.out) / REWARD_FILE, "wb") as handle:
            eqx.tree_serialise_leaves(handle, trained.reward_fn)

    trained = control.train(jax.random.key(args.seed), args.config, args.env, progress=True, on_round=checkpoint)
    table = Table(
        "round",
        "comparisons",
        "held-out accuracy",
        "true ranking accuracy",
        "return",
        "normalized",
        title=f"preference-rl on {args.env} -> {args.out}",
    )
    for row in trained.metrics:
        table.add_row(
            str(row["round"]),
            str(row["n_comparisons"]),
            _fraction(row["held_out_accuracy"]),
            _fraction(row["true_ranking_accuracy"]),
            f"{row['eval_return']:.1f}",
            _fraction(row["normalized_return"]),
        )
    make_console().print(table)
    return summary(trained)


def _fraction(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
