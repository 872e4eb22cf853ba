"""The configs of the preference algorithms (:mod:`apprentice.algorithms.preferences`): next-token
prediction, fits to preference pairs, DPO/IPO, RLHF, the frontier and reward-generalization
experiments, the Bradley-Terry reward model (``RewardModelConfig``) and RL from preferences on a
Gymnasium env (``PreferenceRLConfig``, ``apprentice train preference-rl``); imports no jax (the
methods that build models and optimizers import them when called)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from apprentice.algorithms.configs.rl import PPOConfig
from apprentice.field_ranges import (
    AtLeastTwo,
    Count,
    Fraction,
    HeldOutFraction,
    NonNegative,
    Positive,
    PositiveInt,
    Ranged,
    Real,
)
from apprentice.policies.activation import Activation

if TYPE_CHECKING:
    import optax
    from jaxtyping import PRNGKeyArray

    from apprentice.policies.transformer import CharTransformer


@dataclass(frozen=True)
class NextTokenConfig(Ranged):
    """Train a character transformer to predict the next character (BC on text)."""

    context_length: PositiveInt = 64
    """Characters of prefix the model sees; a training window is ``context_length + 1`` characters."""
    d_model: PositiveInt = 96
    """Width of the residual stream (embedding size)."""
    n_layers: PositiveInt = 3
    """Number of transformer blocks."""
    n_heads: PositiveInt = 4
    """Attention heads per block; must divide ``d_model``."""
    mlp_ratio: PositiveInt = 4
    """Width of each block's MLP, in multiples of ``d_model``."""
    head: Literal["tied", "untied"] = "tied"
    """Output head: the transposed token embedding (``tied``) or a separate matrix."""
    batch_size: PositiveInt = 32
    """Windows per gradient step."""
    n_steps: PositiveInt = 1500
    """Gradient steps."""
    learning_rate: NonNegative = 3e-3
    """Peak AdamW step size."""
    schedule: Literal["cosine", "constant"] = "cosine"
    """After warmup: cosine decay to ``min_lr_ratio * learning_rate`` at the last step, or constant."""
    warmup_steps: Count = 100
    """Steps of linear warmup from 0 to ``learning_rate`` (0: none)."""
    min_lr_ratio: Fraction = 0.1
    """Final learning rate of the cosine schedule, as a fraction of ``learning_rate``."""
    weight_decay: NonNegative = 0.01
    """AdamW decoupled weight decay, applied to matrices and embeddings only (not biases, norms)."""
    grad_clip: NonNegative = 1.0
    """Clip gradients to this global norm (0: no clipping)."""
    validation_fraction: HeldOutFraction = 0.1
    """Fraction of the corpus's lines held out to measure validation loss."""
    eval_interval: PositiveInt = 250
    """Steps per jitted chunk; validation loss is measured after each chunk."""
    max_validation_windows: PositiveInt = 256
    """Validation uses at most this many non-overlapping windows of the held-out text."""

    def __post_init__(self) -> None:
        super().__post_init__()
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
class PairTrainingConfig(Ranged):
    """Steps, batch and optimizer of a fit to preference pairs."""

    n_steps: PositiveInt = 200
    """Gradient steps."""
    batch_size: PositiveInt = 64
    """Pairs per step, drawn uniformly with replacement."""
    learning_rate: NonNegative = 1e-4
    """Adam step size."""
    grad_clip: NonNegative = 1.0
    """Clip gradients to this global norm (0: none)."""
    eval_interval: PositiveInt = 50
    """Steps per jitted chunk (one row of history each)."""

    def optimizer(self) -> optax.GradientTransformation:
        from apprentice.algorithms.preferences.pair_training import clipped_adam

        return clipped_adam(self.learning_rate, self.grad_clip)


@dataclass(frozen=True)
class TextPreferenceConfig(PairTrainingConfig):
    """DPO or IPO on pairs of responses (and the steps, batch and optimizer of the fit)."""

    loss: Literal["dpo", "ipo"] = "dpo"
    """``dpo``: ``-log sigmoid(beta h)``; ``ipo``: ``(h - 1 / (2 beta))^2`` (``beta`` is IPO's ``tau``)."""
    beta: Positive = 0.1
    """The KL coefficient (DPO's ``beta``, IPO's ``tau``)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.loss not in ("dpo", "ipo"):
            raise ValueError(f"TextPreferenceConfig.loss: expected 'dpo' or 'ipo', got {self.loss!r}")


@dataclass(frozen=True)
class TextRLHFConfig(Ranged):
    """KL-regularized policy gradient on responses."""

    beta: NonNegative = 0.1
    """KL coefficient: the optimum is ``pi* ~ pi_ref exp(r / beta)``."""
    n_iterations: PositiveInt = 200
    """Policy-gradient steps, each on freshly sampled responses."""
    prompts_per_iteration: PositiveInt = 16
    """Prompts per step."""
    samples_per_prompt: AtLeastTwo = 4
    """Responses per prompt (at least 2, for the leave-one-out baseline)."""
    learning_rate: NonNegative = 1e-4
    """Adam step size."""
    grad_clip: NonNegative = 1.0
    """Clip gradients to this global norm (0: none)."""

    def optimizer(self) -> optax.GradientTransformation:
        from apprentice.algorithms.preferences.pair_training import clipped_adam

        return clipped_adam(self.learning_rate, self.grad_clip)


@dataclass(frozen=True)
class FrontierConfig(Ranged):
    """The KL coefficients and budgets of a frontier experiment."""

    dpo_betas: tuple[float, ...] = (0.05, 0.1, 0.2, 0.5, 1.0)
    """DPO's KL coefficients: one DPO run each, a point of its reward-against-KL curve."""
    rlhf_betas: tuple[float, ...] = (0.05, 0.1, 0.2, 0.5, 1.0)
    """RLHF's KL coefficients: one RLHF run each, a point of its reward-against-KL curve."""
    n_pairs: PositiveInt = 4096
    """Preference pairs for DPO, sampled from the reference and labeled by Bradley-Terry on the true reward."""
    dpo: TextPreferenceConfig = TextPreferenceConfig()
    """DPO's loop (its ``beta`` is replaced by each of ``dpo_betas``)."""
    rlhf: TextRLHFConfig = TextRLHFConfig()
    """RLHF's loop (its ``beta`` is replaced by each of ``rlhf_betas``)."""
    n_eval: PositiveInt = 1024
    """Samples per evaluation of reward and KL."""
    samples_per_prompt: PositiveInt = 64
    """Samples of the reference per prompt to estimate the optimum."""


@dataclass(frozen=True)
class RewardGeneralizationConfig(Ranged):
    """Data sizes and the two fits of the explicit-against-implicit experiment."""

    n_train_pairs: PositiveInt = 4096
    """Preference pairs both reward models are fit on."""
    n_test_pairs: PositiveInt = 1024
    """Held-out pairs each reward model's accuracy is measured on (in distribution and shifted)."""
    explicit: PairTrainingConfig = PairTrainingConfig()
    """The explicit reward model's fit."""
    implicit: TextPreferenceConfig = TextPreferenceConfig()
    """DPO's fit (the implicit reward model is its ``beta log pi / pi_ref``)."""


@dataclass(frozen=True)
class RewardModelConfig(Ranged):
    """A Bradley-Terry reward model trained with Adam on minibatches of preference pairs."""

    hidden_sizes: tuple[int, ...] = (64, 64)
    """Widths of the hidden layers of the default reward MLP (``RewardMLP``; ``()``: linear)."""
    activation: Activation = "relu"
    """Hidden-layer nonlinearity of the default MLP."""
    learning_rate: NonNegative = 1e-3
    """Adam step size."""
    batch_size: PositiveInt = 64
    """Pairs per gradient step."""
    n_epochs: PositiveInt = 50
    """Passes over the training pairs."""
    held_out_fraction: HeldOutFraction = 0.1
    """Fraction of pairs held out to measure accuracy (0: none; ignored when ``held_out`` is given)."""
    margin: Real = 0.0
    """``m`` in ``-log sigmoid(r_w - r_l - m)``."""
    centering_coef: NonNegative = 0.0
    """``c`` of the centering term ``c (r_w + r_l)^2``."""
    soft_labels: bool = True
    """Fit the data's ``probability`` when it has one (else hard labels)."""
    vocab_size: PositiveInt | None = None
    """One-hot size for integer items (discrete ids, tokens) in the default MLP."""


Normalization = Literal["rms", "standardize", "none"]
NORMALIZATIONS: tuple[str, ...] = ("rms", "standardize", "none")


@dataclass(frozen=True)
class PreferenceRLConfig(Ranged):
    """Rounds of: collect segments, label random pairs, refit the reward model, train PPO on it."""

    n_rounds: PositiveInt = 3
    """Rounds of collection, labelling, reward fitting and PPO."""
    n_comparisons: AtLeastTwo = 200
    """Pairs of segments labelled in each round (a ``held_out_fraction`` of them held out)."""
    segment_length: PositiveInt = 25
    """Steps ``k`` per segment (Christiano et al. compare 1-2 s clips, 25-50 steps of control)."""
    temperature: NonNegative = 1.0
    """The rater's Bradley-Terry temperature ``T`` on segment returns (0: always picks the higher)."""
    soft_labels: bool = False
    """Store the rater's probability ``P(chosen > rejected)`` as a soft label (else only its sampled choice)."""
    rollout_steps: PositiveInt = 4000
    """Env steps collected per round from the policy (and as many from a random policy when mixing)."""
    random_fraction: Fraction = 0.25
    """Fraction of each round's segments taken from a uniformly random policy after round 0 (round 0
    is all random); keeps comparisons where an episode ends once the policy stops ending them."""
    held_out_fraction: HeldOutFraction = 0.2
    """Fraction of each round's pairs held out for the reward model's accuracy and correlations."""
    use_actions: bool = False
    """Learn ``r_hat(o, a)`` (as Christiano et al.) instead of ``r_hat(o)``. Measured on CartPole-v1
    (defaults, 2 rounds, seeds 0/1/2, true return after round 2): ``r_hat(o, a)`` 500/105/500 (on
    seed 1 the reward fitted to random-policy segments paid ~0.5 more per step for pushing left,
    and PPO drove the cart off the track); ``r_hat(o)`` 500/500/303."""
    reward_normalization: Normalization = "rms"
    """How PPO sees ``r_hat``: ``rms``: ``r_hat / sqrt(mean r_hat^2)`` over the live steps of the
    training segments (scale only, so the absorbing state stays at 0); ``standardize``:
    ``(r_hat - mean) / std`` (moves the absorbing state's worth; the ablation); ``none``. Measured on
    CartPole-v1 (defaults, 2 rounds, seeds 0/1, true return after round 2): ``rms`` 500/500,
    ``standardize`` 24/9 (it learned to drop the pole at once), ``none`` (with ``r_hat(o, a)``) 500/500."""
    reward_model: RewardModelConfig = field(
        default_factory=lambda: RewardModelConfig(n_epochs=100, batch_size=64, held_out_fraction=0.0)
    )
    """The reward model's network and training, per round (warm-started from the previous round).
    Its ``held_out_fraction`` must be 0 (``held_out_fraction`` above holds pairs out) and its
    ``vocab_size`` None (step features are real vectors)."""
    ppo: PPOConfig = field(default_factory=lambda: PPOConfig(total_steps=50_000))
    """The PPO of each round (``total_steps`` per round), on the learned reward."""

    def __post_init__(self) -> None:
        super().__post_init__()
        where = "PreferenceRLConfig."
        if self.rollout_steps < self.segment_length:
            raise ValueError(
                f"{where}rollout_steps: expected at least segment_length = {self.segment_length} steps "
                f"to cut segments from, got {self.rollout_steps}"
            )
        n_held_out = round(self.held_out_fraction * self.n_comparisons)
        if not 0.0 < self.held_out_fraction < 1.0 or not 1 <= n_held_out < self.n_comparisons:
            raise ValueError(
                f"{where}held_out_fraction: expected a value in (0, 1) that holds out at least one and "
                f"not all of the n_comparisons = {self.n_comparisons} pairs per round, "
                f"got {self.held_out_fraction} ({n_held_out} pairs)"
            )
        if isinstance(self.reward_model, RewardModelConfig) and self.reward_model.held_out_fraction != 0.0:
            raise ValueError(
                f"{where}reward_model.held_out_fraction: the rounds hold out {where}held_out_fraction of "
                f"their pairs themselves; expected 0, got {self.reward_model.held_out_fraction}"
            )
        if isinstance(self.reward_model, RewardModelConfig) and self.reward_model.vocab_size is not None:
            raise ValueError(
                f"{where}reward_model.vocab_size: step features are real vectors, not token ids; "
                f"expected None, got {self.reward_model.vocab_size}"
            )
        if self.reward_normalization not in NORMALIZATIONS:
            raise ValueError(
                f"{where}reward_normalization: expected one of {', '.join(map(repr, NORMALIZATIONS))}, "
                f"got {self.reward_normalization!r}"
            )
        if not isinstance(self.reward_model, RewardModelConfig):
            raise ValueError(
                f"{where}reward_model: expected a RewardModelConfig, got {type(self.reward_model).__name__}"
            )
        if not isinstance(self.ppo, PPOConfig):
            raise ValueError(f"{where}ppo: expected a PPOConfig, got {type(self.ppo).__name__}")
