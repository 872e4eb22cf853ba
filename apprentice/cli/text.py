"""The language commands: ``train next-token|reward-model|dpo|ipo|rlhf``, ``bench preferences|sampling|text-compounding``.

Each fine-tuning command starts from a language model written by ``train next-token`` (``--base``);
without one it first trains the default model into ``OUT/base``. Preference pairs are responses
of the base model to corpus sentence starts, labeled by Bradley-Terry on the sentiment reward.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import tyro

from apprentice.algorithms.configs.preferences import (
    FrontierConfig,
    NextTokenConfig,
    PairTrainingConfig,
    RewardGeneralizationConfig,
    TextPreferenceConfig,
    TextRLHFConfig,
)
from apprentice.bench.configs import PreferencesBenchConfig, SamplingSpeedConfig, TextCompoundingConfig
from apprentice.cli.base import CommonArgs, RunArgs, SeededArgs, print_result, run_config
from apprentice.field_ranges import HeldOutFraction, NonNegative, PositiveInt
from apprentice.progress import make_console
from apprentice.runs import write_run

if TYPE_CHECKING:
    from apprentice.policies.transformer import CharTransformer

console = make_console()


@dataclass(frozen=True, kw_only=True)
class TrainNextTokenArgs(RunArgs):
    config: Annotated[NextTokenConfig, tyro.conf.OmitArgPrefixes] = NextTokenConfig()


@dataclass(frozen=True, kw_only=True)
class TrainRewardModelArgs(RunArgs):
    base: str = ""
    """Run directory of `apprentice train next-token` (the reference); empty: train the default one into OUT/base."""
    config: Annotated[PairTrainingConfig, tyro.conf.OmitArgPrefixes] = PairTrainingConfig()
    n_pairs: PositiveInt = 4096
    """Preference pairs (before the held-out split)."""
    held_out_fraction: HeldOutFraction = 0.2
    """Share of pairs kept out of training, to measure accuracy."""
    label_temperature: NonNegative = 1.0
    """Bradley-Terry temperature of the synthetic labels (smaller: fewer reversed labels)."""


@dataclass(frozen=True, kw_only=True)
class TrainTextPreferenceArgs(RunArgs):
    base: str = ""
    """Run directory of `apprentice train next-token` (the reference); empty: train the default one into OUT/base."""
    config: Annotated[TextPreferenceConfig, tyro.conf.OmitArgPrefixes] = TextPreferenceConfig()
    n_pairs: PositiveInt = 4096
    """Preference pairs sampled from the base model."""
    label_temperature: NonNegative = 1.0
    """Bradley-Terry temperature of the synthetic labels."""
    eval_samples: PositiveInt = 1024
    """Responses sampled to measure reward and KL before and after."""


@dataclass(frozen=True, kw_only=True)
class TrainTextRLHFArgs(RunArgs):
    base: str = ""
    """Run directory of `apprentice train next-token` (the reference); empty: train the default one into OUT/base."""
    config: Annotated[TextRLHFConfig, tyro.conf.OmitArgPrefixes] = TextRLHFConfig()
    reward_model: str = ""
    """Run directory of `apprentice train reward-model` to maximize its reward; empty: the true sentiment reward."""
    eval_samples: PositiveInt = 1024
    """Responses sampled to measure reward and KL before and after."""


@dataclass(frozen=True, kw_only=True)
class BenchSamplingArgs(CommonArgs):
    config: Annotated[SamplingSpeedConfig, tyro.conf.OmitArgPrefixes] = SamplingSpeedConfig()


@dataclass(frozen=True, kw_only=True)
class BenchTextCompoundingArgs(CommonArgs):
    config: Annotated[TextCompoundingConfig, tyro.conf.OmitArgPrefixes] = TextCompoundingConfig()


@dataclass(frozen=True, kw_only=True)
class BenchPreferencesArgs(SeededArgs):
    out: str = "runs/bench-preferences"
    """Folder for results.json, frontier.png and the base model (when --base is empty)."""
    base: str = ""
    """Run directory of `apprentice train next-token` (the reference); empty: train the default one into OUT/base."""
    frontier: FrontierConfig = FrontierConfig()
    generalization: RewardGeneralizationConfig = RewardGeneralizationConfig()
    generalization_seeds: PositiveInt = 3
    """Independent repeats of the explicit-against-implicit experiment."""


def train_next_token(args) -> dict[str, Any]:
    """Next-token prediction (behavior cloning on text) on the shipped corpus."""
    import jax

    from apprentice.algorithms.preferences.next_token import train
    from apprentice.data.text import load_corpus
    from apprentice.policies.transformer_io import LANGUAGE_MODEL, save_text_model

    result = train(jax.random.key(args.seed), args.config, load_corpus())
    samples = _samples(result.model, result.vocab, 4, args.seed)
    summary = {
        "out": str(args.out), "validation_loss": result.validation_loss,
        "validation_bits_per_char": result.metrics[-1]["val_bits_per_char"], "unigram_entropy": result.unigram_entropy,
        "n_parameters": result.model.n_parameters(), "seconds": round(result.metrics[-1]["seconds"], 1), "samples": samples,
    }  # fmt: skip
    save_text_model(args.out, result.model, result.model, result.vocab, LANGUAGE_MODEL)
    write_run(args.out, run_config("train next-token", args), result.metrics, summary)
    print_result(f"next-token prediction -> {args.out}", summary)
    return summary


def train_reward_model(args) -> dict[str, Any]:
    """An explicit Bradley-Terry reward model on responses of the base model."""
    import equinox as eqx
    import jax
    import jax.numpy as jnp

    from apprentice.algorithms.preferences.losses import preference_accuracy
    from apprentice.algorithms.preferences.text_policy import text_preferences, true_order
    from apprentice.algorithms.preferences.text_reward_model import train_text_reward_model
    from apprentice.policies.transformer_io import REWARD_MODEL, save_text_model

    reference, vocab, task = _reference_and_task(args.base, args.out, args.seed)
    data_key, split_key, train_key = jax.random.split(jax.random.key(args.seed), 3)
    data = text_preferences(data_key, reference, task, args.n_pairs, temperature=args.label_temperature)
    train, held_out = data.split(split_key, args.held_out_fraction)
    result = train_text_reward_model(train_key, args.config, reference, train, task.newline)
    summary = {"out": str(args.out), "n_train_pairs": len(train), "train_accuracy": result.metrics[-1]["accuracy"]}
    if held_out is not None:
        score = eqx.filter_jit(lambda m, p, r: m.rewards(p, r, task.newline))

        def accuracy(pairs):
            chosen, rejected = (
                score(result.model, jnp.asarray(pairs.context), jnp.asarray(r)) for r in (pairs.chosen, pairs.rejected)
            )
            return float(preference_accuracy(chosen, rejected))

        summary.update({
            "n_held_out_pairs": len(held_out),
            "held_out_accuracy_vs_labels": accuracy(held_out),
            "held_out_accuracy_vs_true_order": accuracy(true_order(held_out, task)),
        })  # fmt: skip
    save_text_model(args.out, result.model, result.model.backbone, vocab, REWARD_MODEL)
    write_run(args.out, run_config("train reward-model", args), result.metrics, summary)
    print_result(f"reward model -> {args.out}", summary)
    return summary


def train_dpo(args) -> dict[str, Any]:
    """DPO on responses of the base model."""
    return _train_text_preferences(args, "dpo")


def train_ipo(args) -> dict[str, Any]:
    """IPO on responses of the base model."""
    return _train_text_preferences(args, "ipo")


def _train_text_preferences(args, loss: str) -> dict[str, Any]:
    import jax

    from apprentice.algorithms.preferences.text_dpo import train_text_preferences
    from apprentice.algorithms.preferences.text_policy import text_preferences

    if args.config.loss != loss and args.config.loss != "dpo":
        raise ValueError(f"train {loss}: expected --loss {loss} or none, got --loss {args.config.loss}")
    config = dataclasses.replace(args.config, loss=loss)
    reference, vocab, task = _reference_and_task(args.base, args.out, args.seed)
    data_key, train_key, eval_key = jax.random.split(jax.random.key(args.seed), 3)
    data = text_preferences(data_key, reference, task, args.n_pairs, temperature=args.label_temperature)
    result = train_text_preferences(train_key, config, reference, data, task.newline)
    return _finish_fine_tuning(args, f"train {loss}", reference, result.model, vocab, task, result.metrics, eval_key)


def train_rlhf(args) -> dict[str, Any]:
    """RLHF (REINFORCE with a leave-one-out baseline and a KL penalty) on the true or a learned reward."""
    import equinox as eqx
    import jax
    import jax.numpy as jnp
    import numpy as np

    from apprentice.algorithms.preferences.text_reward_model import TextRewardModel
    from apprentice.algorithms.preferences.text_rlhf import train_text_rlhf
    from apprentice.policies.transformer_io import REWARD_MODEL, load_text_model

    reference, vocab, task = _reference_and_task(args.base, args.out, args.seed)
    reward_fn: Callable[[Any, Any], np.ndarray] | None = None
    if args.reward_model:
        reward_model, reward_vocab = load_text_model(
            args.reward_model, REWARD_MODEL, lambda backbone: TextRewardModel(backbone, key=jax.random.key(0))
        )
        if reward_vocab != vocab:
            raise ValueError(
                f"--reward-model {args.reward_model}: expected the base model's vocabulary {vocab.chars!r}, got {reward_vocab.chars!r}"
            )
        score = eqx.filter_jit(lambda m, p, r: m.rewards(p, r, task.newline))

        def learned_reward(prompts, responses):
            return np.asarray(score(reward_model, jnp.asarray(prompts), jnp.asarray(responses)))

        reward_fn = learned_reward

    train_key, eval_key = jax.random.split(jax.random.key(args.seed))
    result = train_text_rlhf(train_key, args.config, reference, task, reward_fn=reward_fn)
    return _finish_fine_tuning(args, "train rlhf", reference, result.model, vocab, task, result.metrics, eval_key)


def bench_preferences(args) -> dict[str, Any]:
    """The reward-against-KL frontier of DPO and RLHF, and explicit against implicit reward models."""
    import jax

    from apprentice.bench.preferences import run_preferences_bench

    reference, _, task = _reference_and_task(args.base, args.out, args.seed)
    config = PreferencesBenchConfig(args.frontier, args.generalization, args.generalization_seeds)
    return run_preferences_bench(jax.random.key(args.seed), reference, task, config, args.out)


def bench_sampling(args) -> dict[str, Any]:
    """Key-value-cached sampling against the full-pass reference sampler."""
    from apprentice.bench.sampling_speed import run_sampling_speed

    result = run_sampling_speed(args.config)
    print_result("sampling: key-value cache against a full pass per token", result)
    return result


def bench_text_compounding(args) -> dict[str, Any]:
    """Compounding error of a character model against the template language, and the DAgger of text."""
    from apprentice.bench.text_compounding import run_text_compounding

    result = run_text_compounding(args.config)
    c = result["compounding"]
    fit = c["invalid_tokens_fit"]
    shown = {
        "teacher-forced eps (held-out prefixes)": round(c["teacher_forced_error"], 5),
        "on-policy hazard": round(c["on_policy_hazard"], 5),
        f"P(left by t={c['positions'][-1]}) measured / (1-eps)^t": f"{c['left_by'][-1]:.3f} / {c['predicted_left_by'][-1]:.3f}",
        "E invalid tokens exponent": "-"
        if fit is None
        else f"{fit['exponent']:.2f} [{fit['ci_low']:.2f}, {fit['ci_high']:.2f}]",
        **{
            f"{arm} mistakes/token at {row['budget']} labels": f"{row['line_mistake_rate']:.4f} +- {row['line_mistake_rate_std']:.4f}"
            for arm, entry in result["comparison"].items()
            for row in entry["rows"]
        },
        "plot": result["plot"],
    }
    print_result(f"text compounding -> {args.config.out}", shown)
    return result


def _reference_and_task(base: str, out: str, seed: int):
    """The base model (loaded, or the default trained into OUT/base), its vocabulary, and the sentiment task."""
    from apprentice.algorithms.preferences.text_policy import sentiment_task
    from apprentice.data.text import load_corpus
    from apprentice.policies.transformer_io import LANGUAGE_MODEL, load_text_model

    if not base:
        base = str(Path(out) / "base")
        if not (Path(base) / f"{LANGUAGE_MODEL}.eqx").is_file():
            console.print(f"no --base given: training the default language model into {base}")
            train_next_token(TrainNextTokenArgs(out=base, seed=seed))
    reference, vocab = load_text_model(base, LANGUAGE_MODEL)
    reference = cast("CharTransformer", reference)  # no build=: the bare language model
    prompt_length = 6
    n_new = min(
        48, reference.context_length - prompt_length
    )  # prompt and response fit the context (a reward model reads both)
    return reference, vocab, sentiment_task(vocab, load_corpus(), prompt_length, n_new)


def _finish_fine_tuning(args, command, reference, model, vocab, task, history, eval_key) -> dict[str, Any]:
    from apprentice.algorithms.preferences.text_policy import evaluate_text_policy
    from apprentice.policies.transformer_io import LANGUAGE_MODEL, save_text_model

    before = evaluate_text_policy(eval_key, reference, reference, task, args.eval_samples)
    after = evaluate_text_policy(eval_key, model, reference, task, args.eval_samples)
    summary = {
        "out": str(args.out), "reference_reward": before["reward"], "reward": after["reward"],
        "reward_stderr": after["reward_stderr"], "kl": after["kl"], "kl_stderr": after["kl_stderr"],
        "samples": _samples(model, vocab, 4, args.seed, task),
    }  # fmt: skip
    save_text_model(args.out, model, model, vocab, LANGUAGE_MODEL)
    write_run(args.out, run_config(command, args), history, summary)
    print_result(f"{command.removeprefix('train ')} -> {args.out}", summary)
    return summary


def _samples(model, vocab, n: int, seed: int, task=None) -> list[str]:
    """``n`` sentences sampled at temperature 1: responses to the task's first prompts, or from a newline."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    from apprentice.algorithms.preferences.text_policy import sample_responses

    if task is None:
        prompts, n_new = jnp.asarray(np.tile(vocab.encode("\n"), (n, 1))), min(60, model.context_length)
    else:
        prompts, n_new = jnp.asarray(task.prompts[:: max(1, len(task.prompts) // n)][:n]), task.n_new
    responses = sample_responses(model, jax.random.key(seed + 1), prompts, n_new)
    return [
        vocab.decode(np.concatenate([p, r]))[1:].split("\n", 1)[0]
        for p, r in zip(np.asarray(prompts), np.asarray(responses))
    ]
