"""The configs of the text preference algorithms (:mod:`apprentice.algorithms.preferences`): next-token
prediction, fits to preference pairs, DPO/IPO, RLHF, and the frontier and reward-generalization
experiments; imports no jax (the methods that build models and optimizers import them when called)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import optax
    from jaxtyping import PRNGKeyArray

    from apprentice.policies.transformer import CharTransformer


@dataclass(frozen=True)
class NextTokenConfig:
    """Train a character transformer to predict the next character (BC on text)."""

    context_length: int = 64
    """Characters of prefix the model sees; a training window is ``context_length + 1`` characters."""
    d_model: int = 96
    """Width of the residual stream (embedding size)."""
    n_layers: int = 3
    """Number of transformer blocks."""
    n_heads: int = 4
    """Attention heads per block; must divide ``d_model``."""
    mlp_ratio: int = 4
    """Width of each block's MLP, in multiples of ``d_model``."""
    head: Literal["tied", "untied"] = "tied"
    """Output head: the transposed token embedding (``tied``) or a separate matrix."""
    batch_size: int = 32
    """Windows per gradient step."""
    n_steps: int = 1500
    """Gradient steps."""
    learning_rate: float = 3e-3
    """Peak AdamW step size."""
    schedule: Literal["cosine", "constant"] = "cosine"
    """After warmup: cosine decay to ``min_lr_ratio * learning_rate`` at the last step, or constant."""
    warmup_steps: int = 100
    """Steps of linear warmup from 0 to ``learning_rate`` (0: none)."""
    min_lr_ratio: float = 0.1
    """Final learning rate of the cosine schedule, as a fraction of ``learning_rate``."""
    weight_decay: float = 0.01
    """AdamW decoupled weight decay, applied to matrices and embeddings only (not biases, norms)."""
    grad_clip: float = 1.0
    """Clip gradients to this global norm (0: no clipping)."""
    validation_fraction: float = 0.1
    """Fraction of the corpus's lines held out to measure validation loss."""
    eval_interval: int = 250
    """Steps per jitted chunk; validation loss is measured after each chunk."""
    max_validation_windows: int = 256
    """Validation uses at most this many non-overlapping windows of the held-out text."""

    def __post_init__(self):
        positive = ("context_length", "d_model", "n_layers", "n_heads", "mlp_ratio", "batch_size", "n_steps",
                    "eval_interval", "max_validation_windows")  # fmt: skip
        for name in positive:
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"NextTokenConfig.{name}: expected a positive integer, got {value!r}")
        if self.d_model % self.n_heads:
            raise ValueError(
                f"NextTokenConfig: expected n_heads to divide d_model, got {self.n_heads} and {self.d_model}"
            )
        if self.schedule not in ("cosine", "constant"):
            raise ValueError(f"NextTokenConfig.schedule: expected 'cosine' or 'constant', got {self.schedule!r}")
        if not 0 <= self.warmup_steps < self.n_steps:
            raise ValueError(
                f"NextTokenConfig.warmup_steps: expected 0 <= warmup_steps < n_steps ({self.n_steps}), got {self.warmup_steps}"
            )
        if self.learning_rate <= 0 or self.weight_decay < 0 or self.grad_clip < 0:
            raise ValueError(
                "NextTokenConfig: expected learning_rate > 0, weight_decay >= 0, grad_clip >= 0, got "
                f"{self.learning_rate}, {self.weight_decay}, {self.grad_clip}"
            )

    def make_model(self, key: PRNGKeyArray, vocab_size: int) -> CharTransformer:
        """A freshly initialized model of this config's architecture."""
        from apprentice.policies.transformer import CharTransformer

        return CharTransformer(
            vocab_size,
            self.context_length,
            self.d_model,
            self.n_layers,
            self.n_heads,
            self.mlp_ratio,
            self.head,
            key=key,
        )

    def learning_rate_schedule(self) -> optax.Schedule:
        """Linear warmup, then cosine decay or constant."""
        import optax

        if self.schedule == "cosine":
            after = optax.cosine_decay_schedule(self.learning_rate, self.n_steps - self.warmup_steps, self.min_lr_ratio)
        else:
            after = optax.constant_schedule(self.learning_rate)
        if self.warmup_steps == 0:
            return after
        warmup = optax.linear_schedule(0.0, self.learning_rate, self.warmup_steps)
        return optax.join_schedules([warmup, after], [self.warmup_steps])

    def optimizer(self) -> optax.GradientTransformation:
        """AdamW (betas 0.9, 0.95) on the schedule, after global-norm clipping."""
        import jax
        import optax

        decay_mask = lambda params: jax.tree.map(lambda x: x.ndim >= 2, params)  # noqa: E731
        adamw = optax.adamw(
            self.learning_rate_schedule(), b1=0.9, b2=0.95, weight_decay=self.weight_decay, mask=decay_mask
        )
        return optax.chain(optax.clip_by_global_norm(self.grad_clip), adamw) if self.grad_clip > 0 else adamw


@dataclass(frozen=True)
class PairTrainingConfig:
    """Steps, batch and optimizer of a fit to preference pairs."""

    n_steps: int = 200
    """Gradient steps."""
    batch_size: int = 64
    """Pairs per step, drawn uniformly with replacement."""
    learning_rate: float = 1e-4
    """Adam step size."""
    grad_clip: float = 1.0
    """Clip gradients to this global norm (0: none)."""
    eval_interval: int = 50
    """Steps per jitted chunk (one row of history each)."""

    def __post_init__(self):
        for name in ("n_steps", "batch_size", "eval_interval"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{type(self).__name__}.{name}: expected a positive integer, got {value!r}")
        if not (self.learning_rate > 0 and self.grad_clip >= 0):
            raise ValueError(
                f"{type(self).__name__}: expected learning_rate > 0 and grad_clip >= 0, got {self.learning_rate}, {self.grad_clip}"
            )

    def optimizer(self) -> optax.GradientTransformation:
        from apprentice.algorithms.preferences.pair_training import clipped_adam

        return clipped_adam(self.learning_rate, self.grad_clip)


@dataclass(frozen=True)
class TextPreferenceConfig(PairTrainingConfig):
    """DPO or IPO on pairs of responses (and the steps, batch and optimizer of the fit)."""

    loss: Literal["dpo", "ipo"] = "dpo"
    """``dpo``: ``-log sigmoid(beta h)``; ``ipo``: ``(h - 1 / (2 beta))^2`` (``beta`` is IPO's ``tau``)."""
    beta: float = 0.1
    """The KL coefficient (DPO's ``beta``, IPO's ``tau``)."""

    def __post_init__(self):
        super().__post_init__()
        if self.loss not in ("dpo", "ipo"):
            raise ValueError(f"TextPreferenceConfig.loss: expected 'dpo' or 'ipo', got {self.loss!r}")
        if not self.beta > 0:
            raise ValueError(f"TextPreferenceConfig.beta: expected a positive KL coefficient, got {self.beta}")


@dataclass(frozen=True)
class TextRLHFConfig:
    """KL-regularized policy gradient on responses."""

    beta: float = 0.1
    """KL coefficient: the optimum is ``pi* ~ pi_ref exp(r / beta)``."""
    n_iterations: int = 200
    """Policy-gradient steps, each on freshly sampled responses."""
    prompts_per_iteration: int = 16
    """Prompts per step."""
    samples_per_prompt: int = 4
    """Responses per prompt (at least 2, for the leave-one-out baseline)."""
    learning_rate: float = 1e-4
    """Adam step size."""
    grad_clip: float = 1.0
    """Clip gradients to this global norm (0: none)."""

    def __post_init__(self):
        for name in ("n_iterations", "prompts_per_iteration"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"TextRLHFConfig.{name}: expected a positive integer, got {value!r}")
        if not isinstance(self.samples_per_prompt, int) or self.samples_per_prompt < 2:
            raise ValueError(
                f"TextRLHFConfig.samples_per_prompt: expected an integer >= 2 (leave-one-out baseline), got {self.samples_per_prompt!r}"
            )
        if not (self.beta >= 0 and self.learning_rate > 0 and self.grad_clip >= 0):
            raise ValueError(
                "TextRLHFConfig: expected beta >= 0, learning_rate > 0 and grad_clip >= 0, got "
                f"{self.beta}, {self.learning_rate}, {self.grad_clip}"
            )

    def optimizer(self) -> optax.GradientTransformation:
        from apprentice.algorithms.preferences.pair_training import clipped_adam

        return clipped_adam(self.learning_rate, self.grad_clip)


@dataclass(frozen=True)
class FrontierConfig:
    """The KL coefficients and budgets of a frontier experiment."""

    dpo_betas: tuple[float, ...] = (0.05, 0.1, 0.2, 0.5, 1.0)
    rlhf_betas: tuple[float, ...] = (0.05, 0.1, 0.2, 0.5, 1.0)
    n_pairs: int = 4096
    """Preference pairs for DPO, sampled from the reference and labeled by Bradley-Terry on the true reward."""
    dpo: TextPreferenceConfig = TextPreferenceConfig()
    """DPO's loop (its ``beta`` is replaced by each of ``dpo_betas``)."""
    rlhf: TextRLHFConfig = TextRLHFConfig()
    """RLHF's loop (its ``beta`` is replaced by each of ``rlhf_betas``)."""
    n_eval: int = 1024
    """Samples per evaluation of reward and KL."""
    samples_per_prompt: int = 64
    """Samples of the reference per prompt to estimate the optimum."""


@dataclass(frozen=True)
class RewardGeneralizationConfig:
    """Data sizes and the two fits of the explicit-against-implicit experiment."""

    n_train_pairs: int = 4096
    n_test_pairs: int = 1024
    explicit: PairTrainingConfig = PairTrainingConfig()
    """The explicit reward model's fit."""
    implicit: TextPreferenceConfig = TextPreferenceConfig()
    """DPO's fit (the implicit reward model is its ``beta log pi / pi_ref``)."""
