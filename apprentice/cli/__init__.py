"""The ``apprentice`` command: parses arguments (tyro), calls the library, prints results.

Every command takes ``--json`` (print one JSON object as the last line of output) and
``--debug`` (show the Python traceback on error instead of one line); see
:mod:`apprentice.cli.base`. The table below names each command's module, arguments and function
as strings: a command's module is imported only when that command runs or shows its ``--help``,
and ``apprentice --help`` imports none. The command modules and the configs they declare import no
jax (the functions that run a command import it), so no ``--help`` loads jax
(``tests/test_cli.py::test_help_does_not_import_jax``).

Modules: :mod:`~apprentice.cli.collect` (collect, evaluate, experts, demo),
:mod:`~apprentice.cli.train`, :mod:`~apprentice.cli.irl`, :mod:`~apprentice.cli.preference_rl`,
:mod:`~apprentice.cli.text` (language models), :mod:`~apprentice.cli.bench`,
:mod:`~apprentice.cli.report`, :mod:`~apprentice.cli.theory`, :mod:`~apprentice.cli.rerun`.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from apprentice.algorithms.registry import ALGORITHMS


class Command(NamedTuple):
    """One command: where its arguments dataclass and its function live, and its one-line summary."""

    module: str
    """Module under ``apprentice.cli``."""
    args: str
    """Name of its arguments dataclass there (a frozen dataclass extending ``base.CommonArgs``)."""
    run: str
    """Name of its function there: ``run(args) -> dict`` (the JSON result)."""
    summary: str

    def args_type(self) -> type:
        return getattr(importlib.import_module(f"apprentice.cli.{self.module}"), self.args)

    def function(self) -> Callable[[Any], dict[str, Any]]:
        return getattr(importlib.import_module(f"apprentice.cli.{self.module}"), self.run)


TRAINING: dict[str, tuple[str, str, str]] = {
    "bc": ("train", "TrainBCArgs", "train_bc"),
    "dagger": ("train", "TrainDAggerArgs", "train_dagger"),
    "hg-dagger": ("train", "TrainHGDAggerArgs", "train_hg_dagger"),
    "dart": ("train", "TrainDARTArgs", "train_dart"),
    "ppo": ("train", "TrainPPOArgs", "train_ppo"),
    "sac": ("train", "TrainSACArgs", "train_sac"),
    "gail": ("irl", "TrainGAILArgs", "train_gail"),
    "airl": ("irl", "TrainAIRLArgs", "train_airl"),
    "sqil": ("sqil", "TrainSQILArgs", "train_sqil"),
    "preference-rl": ("preference_rl", "TrainPreferenceRLArgs", "train_preference_rl"),
    "bco": ("observations_only", "TrainBCOArgs", "train_bco"),
    "gaifo": ("observations_only", "TrainGAIfOArgs", "train_gaifo"),
    "rwr": ("rwr", "TrainRWRArgs", "train_rwr"),
    "awr": ("rwr", "TrainAWRArgs", "train_awr"),
}
"""``train NAME`` for each algorithm of :mod:`apprentice.algorithms.registry` (module, arguments
dataclass, function); the summary is the registry's. Only ``WITHOUT_COMMAND`` may lack one."""

WITHOUT_COMMAND: dict[str, str] = {}
"""Registered algorithms without a ``train NAME`` command, each with the reason (none at present)."""

COMMANDS: dict[str, Command] = {
    "collect": Command("collect", "CollectArgs", "collect", "record expert demonstrations to .npz or Minari"),
    **{f"train {name}": Command(*where, ALGORITHMS[name].summary) for name, where in TRAINING.items()},
    "train mce-irl": Command(
        "irl", "TrainMCEIRLArgs", "train_mce_irl", "maximum-causal-entropy IRL on a tabular MDP, expert soft-optimal"
    ),
    "train next-token": Command(
        "text",
        "TrainNextTokenArgs",
        "train_next_token",
        "a character transformer by next-token prediction (BC on text)",
    ),
    "train reward-model": Command(
        "text", "TrainRewardModelArgs", "train_reward_model", "a Bradley-Terry reward model on text responses"
    ),
    "train dpo": Command(
        "text", "TrainTextPreferenceArgs", "train_dpo", "DPO fine-tuning of a character model on sentiment preferences"
    ),
    "train ipo": Command(
        "text", "TrainTextPreferenceArgs", "train_ipo", "IPO fine-tuning of a character model on sentiment preferences"
    ),
    "train rlhf": Command(
        "text", "TrainTextRLHFArgs", "train_rlhf", "RLHF (REINFORCE + KL penalty) on the true or a learned reward"
    ),
    "rerun": Command("rerun", "RerunArgs", "rerun", "run a run directory's command again from its config.json"),
    "evaluate": Command(
        "collect", "EvaluateArgs", "evaluate", "returns, normalized score and disagreement of a policy"
    ),
    "experts": Command(
        "collect", "ExpertsArgs", "experts", "list the scripted experts; --measure records their returns"
    ),
    "demo": Command("collect", "DemoArgs", "demo", "the main job: BC on CartPole and Pendulum, table and plot"),
    "bench speed": Command(
        "bench",
        "BenchSpeedArgs",
        "bench_speed",
        "BC steps/s, fraction of matmul peak, and side by side with imitation and PyTorch",
    ),
    "bench whole-job": Command(
        "bench",
        "BenchWholeJobArgs",
        "bench_whole_job",
        "a whole BC job as fresh processes, apprentice cold and warm against imitation, time split by phase",
    ),
    "bench rl-speed": Command(
        "bench", "BenchRLSpeedArgs", "bench_rl_speed", "PPO on the pure-JAX backend against Gymnasium"
    ),
    "bench head-speed": Command(
        "bench", "BenchHeadSpeedArgs", "bench_head_speed", "actions per second of each policy head, batch 1 and 256"
    ),
    "bench multimodal": Command(
        "bench",
        "BenchMultimodalArgs",
        "bench_multimodal",
        "every policy head on the two-route task, with action chunks",
    ),
    "bench rwr": Command(
        "bench", "BenchRWRArgs", "bench_rwr", "reward-weighted regression vs BC on mixed-quality demos"
    ),
    "bench rwr-iterated": Command(
        "bench",
        "BenchRWRIteratedArgs",
        "bench_rwr_iterated",
        "iterated RWR and AWR vs BC and PPO: return against env steps",
    ),
    "bench pixels": Command(
        "bench",
        "BenchPixelsArgs",
        "bench_pixels",
        "BC from 64x64 frames: clean against noise-injected demos; CNN steps/s, bytes/frame",
    ),
    "bench labels": Command(
        "bench", "BenchLabelsArgs", "bench_labels", "BC, DART, DAgger, HG-DAgger: score against expert labels"
    ),
    "bench returns": Command(
        "bench", "BenchReturnsArgs", "bench_returns", "BC and DAgger on MuJoCo beside imitation's table; time to expert"
    ),
    "bench observations-only": Command(
        "observations_only",
        "BenchObservationsOnlyArgs",
        "bench_observations_only",
        "BC and GAIL with the expert's actions against BCO, BCO(alpha) and GAIfO without them",
    ),
    "bench irl": Command(
        "bench", "BenchIRLArgs", "bench_irl", "BC, GAIL, AIRL against expert trajectories (the GAIL paper's table)"
    ),
    "bench irl-transfer": Command(
        "bench",
        "BenchIRLTransferArgs",
        "bench_irl_transfer",
        "tabular AIRL rewards re-solved under new dynamics vs the moved policy",
    ),
    "bench sqil": Command(
        "sqil", "BenchSQILArgs", "bench_sqil", "SQIL against GAIL and BC from the same demonstrations"
    ),
    "bench irl-speed": Command(
        "bench", "BenchIRLSpeedArgs", "bench_irl_speed", "GAIL's wall-clock on CartPole: pure-JAX vs Gymnasium"
    ),
    "bench preferences": Command(
        "text",
        "BenchPreferencesArgs",
        "bench_preferences",
        "reward-vs-KL frontier of DPO and RLHF; explicit vs implicit reward models",
    ),
    "bench sampling": Command(
        "text",
        "BenchSamplingArgs",
        "bench_sampling",
        "character-model sampling: key-value cache against a full pass per token",
    ),
    "bench text-compounding": Command(
        "text",
        "BenchTextCompoundingArgs",
        "bench_text_compounding",
        "a character model leaving the template language: eps, (1-eps)^t, the DAgger of text",
    ),
    "report": Command(
        "report", "ReportArgs", "report", "an HTML and Markdown report of run directories: curves, plots, tables"
    ),
    "theory compounding": Command(
        "theory",
        "TheoryCompoundingArgs",
        "theory_compounding",
        "exact compounding error: BC ~ H^2, DAgger ~ H, BC ~ 1/N",
    ),
    "theory policy-iteration": Command(
        "theory",
        "TheoryPolicyIterationArgs",
        "theory_policy_iteration",
        "policy iteration on random MDPs: each step's improvement equals the PDL's side, never negative",
    ),
    "theory shift": Command(
        "theory",
        "TheoryShiftArgs",
        "theory_shift",
        "exact per-step D_TV and mistakes of BC against eps t, 2 eps t and sum_t (eps + 2 eps t)",
    ),
    "theory range-q": Command(
        "theory",
        "TheoryRangeQArgs",
        "theory_range_q",
        "BC's H Range(Q) eps bound beside H^2 eps Range(r): both sides exact, tight case, ratio",
    ),
}


def command_spec(name: str) -> Command:
    """The command called ``name`` (``"train bc"``); ``ValueError`` naming the known ones otherwise."""
    if name not in COMMANDS:
        raise ValueError(f"expected a command of apprentice ({', '.join(COMMANDS)}), got {name!r}")
    return COMMANDS[name]


def parse(name: str, argv: list[str]):
    """The arguments dataclass of command ``name`` parsed from ``argv`` (tyro exits on bad input or --help)."""
    import tyro

    from apprentice.cli.parse_errors import parse_quietly

    command = command_spec(name)
    prog = f"apprentice {name}"
    return parse_quietly(prog, lambda: tyro.cli(command.args_type(), args=argv, prog=prog, description=command.summary))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    argv = [a for a in argv if a != "--debug"]  # accepted anywhere, even before the command's name
    if argv[:1] == ["--version"]:
        from importlib.metadata import version

        print(f"apprentice {version('apprentice')}")
        return 0
    name, rest = match_command(argv)
    if name is None:
        if argv[:1] in (["-h"], ["--help"], []):
            _print_usage()
            return 0
        from apprentice.cli.parse_errors import unknown_command

        print(unknown_command(argv, COMMANDS), file=sys.stderr)
        return 2
    from apprentice.progress import heartbeat

    with heartbeat(f"apprentice {name}"):  # from the parse on: tyro takes seconds on a big config
        return _run(name, [*rest, *(["--debug"] if debug else [])])


def _run(name: str, argv: list[str]) -> int:
    """Parse command ``name``'s arguments, run it, print its JSON; the exit code."""
    args = parse(name, argv)
    from apprentice.cli.base import apply_env_kwargs, claim_out

    try:
        args = apply_env_kwargs(args)
        claim_out(args)
        with _compile_cache(args.compile_cache):
            result = COMMANDS[name].function()(args)
    except KeyboardInterrupt:
        print("apprentice: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # one line for the user; --debug shows the traceback
        if args.debug:
            raise
        message = " ".join(str(error).split()) or type(error).__name__
        print(f"apprentice {name}: error: {message}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result))
    return 0


@contextlib.contextmanager
def _compile_cache(wanted: bool) -> Iterator[None]:
    """JAX's persistent compilation cache around one command, unless turned off (flag or environment)."""
    from apprentice import compile_cache

    if not wanted or compile_cache.disabled_by_environment():
        yield
        return
    with compile_cache.persistent_compile_cache():
        yield


def match_command(argv: list[str]) -> tuple[str | None, list[str]]:
    for words in (2, 1):
        name = " ".join(argv[:words])
        if len(argv) >= words and name in COMMANDS:
            return name, argv[words:]
    return None, argv


def _print_usage() -> None:
    print("usage: apprentice COMMAND [OPTIONS]   (apprentice COMMAND --help for its options)\n")
    for name, command in COMMANDS.items():
        print(f"  {name:<22} {command.summary}")
    print(
        "\n--json (any command) prints the results as one JSON object on the last line;"
        " --debug shows the Python traceback of an error; --version prints the version;"
        " --no-compile-cache (or APPRENTICE_NO_COMPILE_CACHE=1) keeps compiled programs out of the user cache."
    )
