"""The configs of GAIL, AIRL (:mod:`apprentice.algorithms.irl.adversarial`), MCE IRL
(:mod:`apprentice.algorithms.irl.mce`) and tabular AIRL (:mod:`apprentice.algorithms.irl.tabular_airl`); imports no jax."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal, get_args

from apprentice.algorithms.configs.rl import PPOConfig
from apprentice.field_ranges import Discount, NonNegative, Positive, PositiveInt, Ranged, UnitStep

RewardInput = Literal["state", "state_action"]
"""What the reward sees: ``state`` gives r(s) (the same for every action), ``state_action`` r(s, a)."""

RewardKind = Literal["logit", "positive", "negative"]
"""How the learner's reward is read off the discriminator's logit (``reward_from_logit``)."""
REWARD_KINDS: tuple[str, ...] = get_args(RewardKind)

DiscriminatorInput = Literal["state_action", "state_pair"]
"""What GAIL's discriminator sees: ``(s, a)`` (GAIL), or ``(s, s')`` (GAIfO: no actions needed)."""


def require_reward_kind(kind: str) -> None:
    if kind not in REWARD_KINDS:
        *others, last = map(repr, REWARD_KINDS)
        raise ValueError(f"reward kind: expected {', '.join(others)} or {last}, got {kind!r}")


@dataclass(frozen=True)
class AdversarialConfig(Ranged):
    """What GAIL and AIRL share: the PPO inner loop and the discriminator's training."""

    algorithm: ClassVar[str] = "adversarial"
    discriminator_input: ClassVar[DiscriminatorInput] = "state_action"
    """``(s, a)``, or ``(s, s')`` for GAIfO (``configs/observations_only.py``), whose demonstrations need no actions."""
    ppo: PPOConfig = field(default_factory=PPOConfig)
    """The PPO that optimizes the discriminator's reward (its total_steps is the run's length).
    Its ``network`` is also the body of the discriminator's networks: one architecture, so an
    encoder that reads the learner's observations reads them for the discriminator too."""
    disc_learning_rate: NonNegative = 3e-4
    """Adam step size of the discriminator."""
    disc_epochs: PositiveInt = 2
    """Discriminator passes per rollout."""
    disc_minibatches: PositiveInt = 1
    """Minibatches per pass (each has rollout_size / disc_minibatches learner and as many expert samples)."""
    grad_penalty: NonNegative = 0.0
    """Weight of the gradient penalty ``E[(||grad_x l(x_mix)|| - 1)^2]`` on expert/learner mixtures (0: off)."""
    reward: RewardKind = "positive"
    """The learner's reward from the logit: ``l``, ``-log(1 - D)`` (>= 0) or ``log D`` (<= 0); see
    ``reward_from_logit``. Where episodes end early the sign decides what ending is worth (the
    absorbing-state bias, Kostrikov et al. 2019): on CartPole-v1 (1 expert episode, 100k steps)
    GAIL and AIRL with ``l`` learned to drop the pole at once (return ~10), with ``-log(1 - D)``
    they balanced (GAIL 402, AIRL 500). Where the expert ends episodes early (reaching a goal),
    use ``negative``."""

    def __post_init__(self) -> None:
        super().__post_init__()
        rollout_size = self.ppo.n_envs * self.ppo.n_steps
        if rollout_size % self.disc_minibatches:
            raise ValueError(
                f"{type(self).__name__}: the rollout of {rollout_size} steps must split into "
                f"disc_minibatches = {self.disc_minibatches} equal minibatches"
            )
        require_reward_kind(self.reward)
        self.ppo.network.require_memoryless(f"{type(self).__name__}.ppo.network (recurrent GAIL and AIRL)")


@dataclass(frozen=True)
class GAILConfig(AdversarialConfig):
    """GAIL (Ho & Ermon 2016): the discriminator ``d(s, a)`` is an MLP."""

    algorithm: ClassVar[str] = "gail"


@dataclass(frozen=True)
class AIRLConfig(AdversarialConfig):
    """AIRL (Fu, Luo & Levine 2018): ``D = exp(f) / (exp(f) + pi)`` with ``f = g + gamma h(s') - h(s)``."""

    algorithm: ClassVar[str] = "airl"
    state_only: bool = True
    """``g(s)`` instead of ``g(s, a)``: the reward that transfers to new dynamics."""


def check_discount(discount: float, horizon: int | None) -> float:
    """Return ``discount`` as a float after checking it suits ``horizon`` (None: infinite)."""
    discount = float(discount)
    if horizon is None and not 0.0 <= discount < 1.0:
        raise ValueError(
            f"an infinite-horizon (horizon=None) problem needs a discount in [0, 1); got {discount}. "
            "Use a finite horizon for discount 1."
        )
    if not 0.0 <= discount <= 1.0:
        raise ValueError(f"discount must be in [0, 1] for a finite horizon; got {discount}")
    return discount


@dataclass(frozen=True)
class MCEIRLConfig(Ranged):
    """Tabular MCE IRL: match the expert's discounted occupancy with a soft-optimal policy."""

    horizon: PositiveInt | None = None
    """H, the number of actions per episode; None for the infinite-horizon discounted problem."""
    discount: Discount = 0.99
    """gamma: in [0, 1] for a finite horizon (1 = undiscounted), in [0, 1) for an infinite one."""
    reward_model: Literal["linear", "mlp"] = "linear"
    """``linear``: r = phi^T theta (theta starts at 0); ``mlp``: r = MLP(phi)."""
    reward_input: RewardInput = "state"
    """``state``: r(s), matched on the state occupancy; ``state_action``: r(s, a), on rho(s, a)."""
    hidden_sizes: tuple[int, ...] = (32, 32)
    """Hidden widths of the MLP reward (unused by the linear one)."""
    learning_rate: NonNegative = 0.1
    """Adam step size on the reward parameters (one-hot linear rewards tolerate 0.5; MLPs ~0.01)."""
    max_iterations: PositiveInt = 5000
    """Most gradient steps (each one soft value iteration plus one forward pass)."""
    occupancy_tol: NonNegative = 1e-3
    """Stop once max |learner occupancy - expert occupancy| is at most this."""
    gradient_tol: NonNegative = 1e-8
    """Also stop once the L2 norm of the parameter gradient is at most this (features that cannot
    match the expert exactly end here); 0 disables it."""
    soft_vi_tol: Positive = 1e-10
    """Infinite horizon: sup-norm accuracy of each soft value iteration (warm-started)."""
    soft_vi_max_sweeps: PositiveInt = 100_000
    """Infinite horizon: most soft Bellman sweeps per iteration."""

    def __post_init__(self) -> None:
        super().__post_init__()
        check_discount(self.discount, self.horizon)
        if self.reward_model not in ("linear", "mlp"):
            raise ValueError(f"reward_model must be 'linear' or 'mlp'; got {self.reward_model!r}")
        if self.reward_input not in ("state", "state_action"):
            raise ValueError(f"reward_input must be 'state' or 'state_action'; got {self.reward_input!r}")
        if any(int(width) != width or width < 1 for width in self.hidden_sizes):
            raise ValueError(f"hidden_sizes must be positive integers; got {self.hidden_sizes}")


RewardShape = Literal["state", "state_action"]
"""``state``: ``g(s)`` (disentangled, transfers); ``state_action``: ``g(s, a)``."""

Shaping = Literal["next_state", "expected"]
"""``next_state``: ``gamma h(s')`` at the sampled next state (the paper); ``expected``:
``gamma E_{s'|s,a} h(s')``, which only an exact (model-based) discriminator can use."""


@dataclass(frozen=True)
class TabularAIRLConfig(Ranged):
    """Exact tabular AIRL: a discriminator ``f - log pi`` against a soft-optimal learner."""

    reward_shape: RewardShape = "state"
    """``state``: ``g(s)`` (the disentangled reward of the paper); ``state_action``: ``g(s, a)``."""
    shaping: Shaping = "next_state"
    """``next_state``: ``f = g + gamma h(s') - h(s)`` (the paper); ``expected``: ``gamma h(s')``
    replaced by its mean over ``P(.|s, a)`` (recovers a state reward exactly under stochastic
    dynamics too; see the module doc)."""
    n_iterations: PositiveInt = 1000
    """Outer iterations (each ``disc_steps`` Adam steps, then one policy update)."""
    disc_steps: PositiveInt = 20
    """Adam steps on the discriminator loss per outer iteration, the policy held fixed."""
    learning_rate: NonNegative = 0.05
    """Adam step size on ``g`` and ``h`` (the Adam state persists across iterations)."""
    policy_step: UnitStep = 0.2
    """In (0, 1]: ``log pi <- (1 - step) log pi + step log pi_g``, renormalized; 1 takes the
    exact soft-optimal policy of ``g`` each iteration, which stalls on deterministic dynamics
    (see the module doc); 0.2 converged on every MDP tried."""
    init_scale: NonNegative = 0.0
    """Std of the normal draw (from the key) for the initial ``g`` and ``h``; 0 starts both at 0,
    so the first policy is uniform."""
    soft_vi_tol: Positive = 1e-10
    """Sup-norm accuracy of each (warm-started) soft value iteration."""
    soft_vi_max_sweeps: PositiveInt = 100_000
    """Most soft Bellman sweeps per policy update."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.reward_shape not in ("state", "state_action"):
            raise ValueError(f"reward_shape must be 'state' or 'state_action'; got {self.reward_shape!r}")
        if self.shaping not in ("next_state", "expected"):
            raise ValueError(f"shaping must be 'next_state' or 'expected'; got {self.shaping!r}")
