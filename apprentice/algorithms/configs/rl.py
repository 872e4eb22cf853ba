"""The reinforcement-learning configs (PPO, SAC; see :mod:`apprentice.algorithms.rl`); imports no jax."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from apprentice.envs.seeds import evaluation_seed, require_evaluation_seed
from apprentice.field_ranges import (
    Count,
    Discount,
    Fraction,
    NonNegative,
    Positive,
    PositiveInt,
    Ranged,
    Real,
    UnitStep,
)
from apprentice.policies.architecture import Network


@dataclass(frozen=True)
class PPOConfig(Ranged):
    """Proximal policy optimization; defaults are rl-baselines3-zoo's CartPole-v1 settings (500 within 100k steps)."""

    total_steps: PositiveInt = 100_000
    """Environment steps in all (summed over env copies)."""
    n_envs: PositiveInt = 8
    """Env copies stepped together."""
    n_steps: PositiveInt = 32
    """Steps per env copy in each rollout (a rollout is n_envs * n_steps transitions)."""
    n_epochs: PositiveInt = 10
    """Passes over each rollout."""
    n_minibatches: PositiveInt = 4
    """Minibatches per pass."""
    learning_rate: NonNegative = 1e-3
    """Adam step size (annealed linearly to 0 when anneal_lr; 0 freezes the policy and the value)."""
    anneal_lr: bool = True
    """Decay the step size linearly to 0 over the run."""
    gamma: Discount = 0.98
    """Discount factor."""
    gae_lambda: Fraction = 0.8
    """GAE's lambda: 0 is one-step TD, 1 is Monte Carlo."""
    clip_coef: Positive = 0.2
    """Clip range epsilon of the probability ratio."""
    ent_coef: NonNegative = 0.0
    """Weight of the entropy bonus."""
    vf_coef: NonNegative = 0.5
    """Weight of the value loss."""
    max_grad_norm: Positive = 0.5
    """Clip the global gradient norm to this."""
    normalize_obs: bool = True
    """Normalize observations by running statistics (frozen during each update)."""
    network: Network = Network(hidden_sizes=(64, 64), activation="tanh")
    """The body of the policy and of the value network (built apart, from this one description).
    With a core (gru or lstm) the agent has memory: the policy and the value share the encoder and
    the core, train on whole rollout segments from their first hidden state, and draw minibatches
    along env copies (Gymnasium backend only)."""
    backend: Literal["auto", "gymnasium", "jax"] = "auto"
    """Environment backend: the pure-JAX one (whole run in one jit) when the env has it, under auto."""
    eval_every: Count = 0
    """Evaluate the deterministic policy every this many env steps (0: only at the end; the jax
    backend evaluates only at the end and refuses a smaller value)."""
    eval_episodes: PositiveInt = 10
    """Episodes per evaluation."""
    eval_seed: Count = evaluation_seed()
    """First seed of the evaluation envs (in the evaluation band of ``apprentice.envs.seeds``,
    apart from the training envs' seeds)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if (self.n_envs * self.n_steps) % self.n_minibatches:
            raise ValueError(
                f"PPOConfig: n_envs * n_steps = {self.n_envs * self.n_steps} must divide into"
                f" n_minibatches = {self.n_minibatches} equal minibatches"
            )
        memory = self.network.core if self.network.core != "none" else f"{self.network.frame_stack}-frame stack"
        if self.network.stateful and self.n_envs % self.n_minibatches:
            raise ValueError(
                f"PPOConfig: a {memory} draws minibatches along env copies, so n_envs = {self.n_envs}"
                f" must divide into n_minibatches = {self.n_minibatches}"
            )
        if self.network.stateful and self.backend == "jax":
            raise ValueError(f"PPOConfig: a {memory} runs on the gymnasium backend; got backend='jax'")
        require_evaluation_seed(self.eval_seed, self.eval_episodes, "PPOConfig.eval_seed")

    @property
    def n_iterations(self) -> int:
        """Rollout-and-update iterations: total_steps // (n_envs * n_steps), at least 1."""
        return max(1, self.total_steps // (self.n_envs * self.n_steps))


@dataclass(frozen=True)
class SACConfig(Ranged):
    """Soft actor-critic for continuous actions; defaults follow the paper's v2 settings."""

    total_steps: PositiveInt = 100_000
    """Environment steps in all (summed over env copies)."""
    learning_starts: Count = 5_000
    """Uniformly random actions for this many steps before the first update."""
    buffer_size: PositiveInt = 1_000_000
    """Replay capacity in transitions."""
    batch_size: PositiveInt = 256
    """Transitions per gradient update."""
    gamma: Discount = 0.99
    """Discount factor."""
    tau: UnitStep = 0.005
    """Polyak rate of the target critics."""
    learning_rate: NonNegative = 3e-4
    """Adam step size of the actor and the critics."""
    alpha_learning_rate: NonNegative = 3e-4
    """Adam step size of the log-temperature."""
    initial_alpha: Positive = 1.0
    """Starting temperature."""
    target_entropy_per_dim: Real = -1.0
    """Target entropy per action dimension, measured for actions rescaled to [-1, 1]."""
    updates_per_step: PositiveInt = 1
    """Gradient updates per environment step (the update-to-data ratio)."""
    update_every: PositiveInt = 1
    """Env steps (per env copy) between bursts of updates; each burst does all the updates due
    since the last one in one jitted scan. 8 measured 1.6x the updates/s of 1 on Hopper-v5 (2-core CPU)."""
    n_envs: PositiveInt = 1
    """Env copies stepped together."""
    network: Network = Network(hidden_sizes=(256, 256), activation="relu")
    """The body of the actor and of each critic (memoryless: SAC has no recurrent form yet)."""
    eval_every: Count = 10_000
    """Evaluate the deterministic policy every this many env steps (0: only at the end)."""
    eval_episodes: PositiveInt = 5
    """Episodes per evaluation."""
    eval_seed: Count = evaluation_seed()
    """First seed of the evaluation envs (in the evaluation band of ``apprentice.envs.seeds``,
    apart from the training envs' seeds)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.network.require_memoryless("SACConfig.network")
        require_evaluation_seed(self.eval_seed, self.eval_episodes, "SACConfig.eval_seed")
