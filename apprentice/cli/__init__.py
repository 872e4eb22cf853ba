"""The ``apprentice`` command: parses arguments (tyro), calls the library, prints results.

Every command takes ``--json`` (print one JSON object as the last line of output) and the
global ``--debug`` (show the Python traceback on error instead of one line).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Annotated, Generic, Literal, TypeVar

import tyro

from apprentice.cli import commands, report, text
from apprentice.algorithms.bc import BCConfig
from apprentice.algorithms.dagger import DAggerConfig, DARTConfig, HGDAggerConfig
from apprentice.algorithms.irl.adversarial import AIRLConfig, GAILConfig
from apprentice.algorithms.irl.mce import MCEIRLConfig
from apprentice.algorithms.rl import PPOConfig, SACConfig
from apprentice.bench.dagger_speed_peers import DAggerSpeedConfig
from apprentice.bench.irl import IRLBenchConfig
from apprentice.bench.irl_speed import IRLSpeedConfig
from apprentice.bench.irl_transfer import TransferBenchConfig
from apprentice.bench.labels import LabelsBenchConfig
from apprentice.bench.returns import ReturnsBenchConfig
from apprentice.bench.rl_speed import RLSpeedConfig
from apprentice.bench.rwr import RWRBenchConfig
from apprentice.bench.speed import SpeedConfig
from apprentice.bench.speed_peers import PeerSpeedConfig
from apprentice.cli.report import ReportArgs
from apprentice.cli.text import (
    BenchPreferencesArgs,
    BenchSamplingArgs,
    TrainNextTokenArgs,
    TrainRewardModelArgs,
    TrainTextPreferenceArgs,
    TrainTextRLHFArgs,
)
from apprentice.theory.compounding import CompoundingConfig


@dataclass(frozen=True)
class CollectArgs:
    env: str
    """Gymnasium env id whose registered expert acts."""
    episodes: int = 10
    """Number of episodes to record."""
    out: str = ""
    """Output .npz file (one of --out and --minari-id is required)."""
    minari_id: str = ""
    """Also (or instead) export as this local Minari dataset id, e.g. apprentice/cartpole-expert-v0."""
    seed: int = 0
    """Env copy i is seeded seed + i."""
    json: bool = False
    """Print one JSON object with the results as the last line."""


@dataclass(frozen=True)
class TrainBCArgs:
    demos: str
    """Demonstrations: an .npz file from `apprentice collect`, or minari:DATASET_ID."""
    out: str
    """Run directory to write (config.json, metrics.jsonl, result.json, policy)."""
    config: Annotated[BCConfig, tyro.conf.OmitArgPrefixes] = BCConfig()
    env: str = ""
    """Env id, when the demonstrations do not name one."""
    seed: int = 0
    """Seed of the split, the initialization and the minibatch order."""
    eval_episodes: int = 10
    """Episodes to evaluate the trained policy on (seed 1000); 0 to skip."""
    json: bool = False
    """Print one JSON object with the results as the last line."""


InteractiveAlgorithmConfig = TypeVar("InteractiveAlgorithmConfig", DAggerConfig, HGDAggerConfig, DARTConfig)


@dataclass(frozen=True)
class TrainInteractiveArgs(Generic[InteractiveAlgorithmConfig]):
    env: str
    """Gymnasium env id; its registered expert labels the states."""
    out: str
    """Run directory to write (config.json, metrics.jsonl with one row per round, result.json, policy)."""
    config: Annotated[InteractiveAlgorithmConfig, tyro.conf.OmitArgPrefixes]
    seed: int = 0
    """Seed of initialization, minibatch order and the learner's sampling."""
    json: bool = False
    """Print one JSON object with the results as the last line."""


RLAlgorithmConfig = TypeVar("RLAlgorithmConfig", PPOConfig, SACConfig)


@dataclass(frozen=True)
class TrainRLArgs(Generic[RLAlgorithmConfig]):
    env: str
    """Gymnasium env id (SAC: continuous actions only)."""
    out: str
    """Run directory: the final policy, best/ (the best evaluated policy), metrics.jsonl; rewritten at every evaluation."""
    config: Annotated[RLAlgorithmConfig, tyro.conf.OmitArgPrefixes]
    seed: int = 0
    """Seed of initialization, exploration, minibatch order and the training envs."""
    json: bool = False
    """Print one JSON object with the results as the last line."""


AdversarialAlgorithmConfig = TypeVar("AdversarialAlgorithmConfig", GAILConfig, AIRLConfig)


@dataclass(frozen=True)
class TrainAdversarialArgs(Generic[AdversarialAlgorithmConfig]):
    demos: str
    """Expert demonstrations: an .npz file from `apprentice collect`, or minari:DATASET_ID."""
    out: str
    """Run directory: policy, discriminator.eqx, metrics.jsonl (discriminator accuracy, learned and true return)."""
    config: Annotated[AdversarialAlgorithmConfig, tyro.conf.OmitArgPrefixes]
    env: str = ""
    """Env id, when the demonstrations do not name one."""
    subsample: int = 1
    """Keep every this-many-th expert step, from a random offset per episode (the GAIL paper used 20)."""
    seed: int = 0
    """Seed of initialization, sampling and the training envs."""
    json: bool = False
    """Print one JSON object with the results as the last line."""


@dataclass(frozen=True)
class TrainMCEIRLArgs:
    config: Annotated[MCEIRLConfig, tyro.conf.OmitArgPrefixes] = MCEIRLConfig(
        horizon=20, learning_rate=0.5, occupancy_tol=5e-4)
    mdp: Literal["imitation-5-state", "random"] = "imitation-5-state"
    """The tabular MDP: imitation's 5-state test MDP (horizon 20), or a random one."""
    n_states: int = 10
    """States of the random MDP."""
    n_actions: int = 3
    """Actions of the random MDP."""
    seed: int = 0
    """Seed of the random MDP and of the reward initialization."""
    json: bool = False
    """Print one JSON object with the results as the last line."""


@dataclass(frozen=True)
class EvaluateArgs:
    policy: str
    """A run directory (or any folder with policy.json and policy.eqx)."""
    episodes: int = 20
    """Evaluation episodes."""
    seed: int = 1000
    """Env copy i is seeded seed + i."""
    env: str = ""
    """Evaluate on this env id instead of the one the policy was trained for (spaces must match)."""
    stochastic: bool = False
    """Sample actions instead of taking the mode."""
    json: bool = False
    """Print one JSON object with the results as the last line."""


@dataclass(frozen=True)
class ExpertsArgs:
    env: str = ""
    """Measure only this env id's expert (default: all)."""
    measure: bool = False
    """Measure expert and random returns (50 episodes, seed 0) and record them in the package."""
    install: str = ""
    """Ship a policy trained by `apprentice train sac|ppo`: this run directory's best/ policy (or
    its final one with --install-final) becomes the package's expert for --env, then is measured."""
    install_final: bool = False
    """With --install: ship the run's final policy instead of its best evaluated one."""
    json: bool = False
    """Print one JSON object with the results as the last line."""


@dataclass(frozen=True)
class DemoArgs:
    out: str = "runs/demo"
    """Folder for the table (results.json) and the plot."""
    json: bool = False
    """Print one JSON object with the results as the last line."""


@dataclass(frozen=True)
class BenchSpeedArgs:
    config: Annotated[SpeedConfig, tyro.conf.OmitArgPrefixes] = SpeedConfig()
    peers: PeerSpeedConfig = PeerSpeedConfig()
    """The side-by-side run against imitation and a plain PyTorch loop (built in their own venv)."""
    dagger: DAggerSpeedConfig = DAggerSpeedConfig()
    """DAgger on CartPole side by side with imitation (in the peer venv of --peers.venv)."""
    skip_peers: bool = False
    """Measure only apprentice (no peer venv, no PyTorch, no DAgger side by side)."""
    out: str = "runs/bench-speed"
    """Folder for results.json and the plot."""
    json: bool = False
    """Print one JSON object with the results as the last line."""


@dataclass(frozen=True)
class BenchRLSpeedArgs:
    config: Annotated[RLSpeedConfig, tyro.conf.OmitArgPrefixes] = RLSpeedConfig()
    out: str = "runs/bench-rl-speed"
    """Folder for results.json and the plot."""
    json: bool = False
    """Print one JSON object with the results as the last line."""


@dataclass(frozen=True)
class BenchRWRArgs:
    config: Annotated[RWRBenchConfig, tyro.conf.OmitArgPrefixes] = RWRBenchConfig()
    json: bool = False
    """Print one JSON object with the results as the last line."""


@dataclass(frozen=True)
class BenchLabelsArgs:
    config: Annotated[LabelsBenchConfig, tyro.conf.OmitArgPrefixes] = LabelsBenchConfig()
    json: bool = False
    """Print one JSON object with the results as the last line."""


@dataclass(frozen=True)
class BenchReturnsArgs:
    config: Annotated[ReturnsBenchConfig, tyro.conf.OmitArgPrefixes] = ReturnsBenchConfig()
    json: bool = False
    """Print one JSON object with the results as the last line."""


@dataclass(frozen=True)
class BenchIRLArgs:
    config: Annotated[IRLBenchConfig, tyro.conf.OmitArgPrefixes] = IRLBenchConfig()
    json: bool = False
    """Print one JSON object with the results as the last line."""


@dataclass(frozen=True)
class BenchIRLSpeedArgs:
    config: Annotated[IRLSpeedConfig, tyro.conf.OmitArgPrefixes] = IRLSpeedConfig()
    json: bool = False
    """Print one JSON object with the results as the last line."""


@dataclass(frozen=True)
class BenchIRLTransferArgs:
    config: Annotated[TransferBenchConfig, tyro.conf.OmitArgPrefixes] = TransferBenchConfig()
    json: bool = False
    """Print one JSON object with the results as the last line."""


@dataclass(frozen=True)
class TheoryCompoundingArgs:
    config: Annotated[CompoundingConfig, tyro.conf.OmitArgPrefixes] = CompoundingConfig()
    json: bool = False
    """Print one JSON object with the results as the last line."""


COMMANDS = {
    "collect": (CollectArgs, commands.collect, "record expert demonstrations to .npz or Minari"),
    "train bc": (TrainBCArgs, commands.train_bc, "behavior cloning (and reward-weighted regression)"),
    "train dagger": (TrainInteractiveArgs[DAggerConfig], commands.train_dagger, "DAgger: the learner drives, the expert labels every state"),
    "train hg-dagger": (TrainInteractiveArgs[HGDAggerConfig], commands.train_hg_dagger, "HG-DAgger: the expert takes over when a gate says so"),
    "train dart": (TrainInteractiveArgs[DARTConfig], commands.train_dart, "DART: noisy expert demonstrations, clean labels"),
    "train ppo": (TrainRLArgs[PPOConfig], commands.train_ppo, "PPO (discrete or continuous; pure-JAX envs when available)"),
    "train sac": (TrainRLArgs[SACConfig], commands.train_sac, "soft actor-critic (continuous actions); trains experts"),
    "train mce-irl": (TrainMCEIRLArgs, commands.train_mce_irl, "maximum-causal-entropy IRL on a tabular MDP, expert soft-optimal"),
    "train gail": (TrainAdversarialArgs[GAILConfig], commands.train_gail, "GAIL: PPO on a discriminator's reward"),
    "train airl": (TrainAdversarialArgs[AIRLConfig], commands.train_airl, "AIRL: a shaped, transferable reward and its policy"),
    "train next-token": (TrainNextTokenArgs, text.train_next_token, "a character transformer by next-token prediction (BC on text)"),
    "train reward-model": (TrainRewardModelArgs, text.train_reward_model, "a Bradley-Terry reward model on text responses"),
    "train dpo": (TrainTextPreferenceArgs, text.train_dpo, "DPO fine-tuning of a character model on sentiment preferences"),
    "train ipo": (TrainTextPreferenceArgs, text.train_ipo, "IPO fine-tuning of a character model on sentiment preferences"),
    "train rlhf": (TrainTextRLHFArgs, text.train_rlhf, "RLHF (REINFORCE + KL penalty) on the true or a learned reward"),
    "evaluate": (EvaluateArgs, commands.evaluate, "returns, normalized score and disagreement of a policy"),
    "experts": (ExpertsArgs, commands.experts, "list the scripted experts; --measure records their returns"),
    "demo": (DemoArgs, commands.demo, "the main job: BC on CartPole and Pendulum, table and plot"),
    "bench speed": (BenchSpeedArgs, commands.bench_speed, "BC steps/s, fraction of matmul peak, and side by side with imitation and PyTorch"),
    "bench rl-speed": (BenchRLSpeedArgs, commands.bench_rl_speed, "PPO on the pure-JAX backend against Gymnasium"),
    "bench rwr": (BenchRWRArgs, commands.bench_rwr, "reward-weighted regression vs BC on mixed-quality demos"),
    "bench labels": (BenchLabelsArgs, commands.bench_labels, "BC, DART, DAgger, HG-DAgger: score against expert labels"),
    "bench returns": (BenchReturnsArgs, commands.bench_returns, "BC and DAgger on MuJoCo beside imitation's table; time to expert"),
    "bench irl": (BenchIRLArgs, commands.bench_irl, "BC, GAIL, AIRL against expert trajectories (the GAIL paper's table)"),
    "bench irl-transfer": (BenchIRLTransferArgs, commands.bench_irl_transfer,
                           "tabular AIRL rewards re-solved under new dynamics vs the moved policy"),
    "bench irl-speed": (BenchIRLSpeedArgs, commands.bench_irl_speed, "GAIL's wall-clock on CartPole: pure-JAX vs Gymnasium"),
    "bench preferences": (BenchPreferencesArgs, text.bench_preferences,
                          "reward-vs-KL frontier of DPO and RLHF; explicit vs implicit reward models"),
    "bench sampling": (BenchSamplingArgs, text.bench_sampling, "character-model sampling: key-value cache against a full pass per token"),
    "report": (ReportArgs, report.report, "an HTML and Markdown report of run directories: curves, plots, tables"),
    "theory compounding": (TheoryCompoundingArgs, commands.theory_compounding,
                           "exact compounding error: BC ~ H^2, DAgger ~ H, BC ~ 1/N"),
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    argv = [a for a in argv if a != "--debug"]
    name, rest = _match_command(argv)
    if name is None:
        _print_usage()
        return 0 if argv[:1] in (["-h"], ["--help"], []) else 2
    args_type, run, summary = COMMANDS[name]
    args = tyro.cli(args_type, args=rest, prog=f"apprentice {name}", description=summary)
    try:
        result = run(args)
    except KeyboardInterrupt:
        print("apprentice: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # one line for the user; --debug shows the traceback
        if debug:
            raise
        message = " ".join(str(error).split()) or type(error).__name__
        print(f"apprentice {name}: error: {message}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result))
    return 0


def _match_command(argv: list[str]) -> tuple[str | None, list[str]]:
    for words in (2, 1):
        name = " ".join(argv[:words])
        if len(argv) >= words and name in COMMANDS:
            return name, argv[words:]
    return None, argv


def _print_usage() -> None:
    print("usage: apprentice COMMAND [OPTIONS]   (apprentice COMMAND --help for its options)\n")
    for name, (_, _, summary) in COMMANDS.items():
        print(f"  {name:<22} {summary}")
    print("\n--debug (any command) shows the Python traceback of an error.")

