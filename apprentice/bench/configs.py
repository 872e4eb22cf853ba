"""The configs of the benchmark suites (:mod:`apprentice.bench`) and what their checks need, in one
module that imports neither jax nor numpy, so ``apprentice bench ... --help`` stays fast. Each
suite's module imports its config from here and re-exports it (the theory commands' configs are
in ``theory_configs.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from apprentice.algorithms.configs.bc import BCLoss
from apprentice.algorithms.configs.dagger import rounds_for_budget
from apprentice.algorithms.configs.irl import RewardKind, TabularAIRLConfig
from apprentice.algorithms.configs.preferences import FrontierConfig, NextTokenConfig, RewardGeneralizationConfig
from apprentice.algorithms.configs.rl import PPOConfig
from apprentice.field_ranges import Count, Positive, PositiveInt, Ranged
from apprentice.policies.architecture import HeadKind

# --- bench speed (speed.py, speed_peers.py, dagger_speed_peers.py) --------------------------------


@dataclass(frozen=True)
class SpeedConfig:
    """What the BC speed benchmark trains on."""

    obs_dim: int = 11
    """Observation size (11 is Hopper's)."""
    action_dim: int = 3
    """Action size (3 is Hopper's)."""
    hidden_sizes: tuple[int, ...] = (256, 256)
    """MLP widths."""
    batch_size: int = 256
    """Samples per gradient step."""
    steps_per_epoch: int = 200
    """Gradient steps in one jitted epoch (the dataset has steps_per_epoch * batch_size samples)."""
    repeats: int = 5
    """Interleaved (peak, BC) measurement pairs."""
    matmul_size: int = 2048
    """Side of the square matmul that measures the peak."""


PEER_VARIANTS = ("imitation", "imitation_pi_only", "torch_loop")


@dataclass(frozen=True)
class PeerSpeedConfig:
    """What every contestant trains, and how often it is measured."""

    obs_dim: int = 11
    """Observation size (Hopper's)."""
    action_dim: int = 3
    """Action size (Hopper's)."""
    hidden_sizes: tuple[int, ...] = (256, 256)
    """MLP widths of every contestant's policy."""
    batch_size: int = 256
    """Samples per gradient step."""
    steps_per_epoch: int = 200
    """Gradient steps per epoch (the data holds ``steps_per_epoch * batch_size`` samples)."""
    epochs: int = 3
    """Epochs per timed run: the wall-clock reported is for this many."""
    learning_rate: float = 3e-4
    """Adam step size of every contestant."""
    rounds: int = 3
    """Timed runs per contestant, interleaved."""
    variants: tuple[str, ...] = PEER_VARIANTS
    """PyTorch contestants (``imitation``: its default policy, which also runs an unused value
    network; ``imitation_pi_only``: no value network; ``torch_loop``: a plain loop)."""
    torch_threads: tuple[int, ...] = (0, 1)
    """``torch.set_num_threads`` settings to measure (0: torch's default)."""
    venv: str = "runs/peer-venv"
    """Where the peer venv lives (built on first use, about 2 minutes and 1.7 GB)."""


@dataclass(frozen=True)
class DAggerSpeedConfig:
    """The DAgger run both libraries make, and how often it is repeated."""

    initial_labels: int = 500
    """Round 0: expert-driven, labeled steps."""
    steps_per_round: int = 500
    """Steps of each later round, every one labeled."""
    label_budget: int = 3000
    """The run ends at this many labels."""
    epochs: int = 4
    """BC epochs per round over every label so far (imitation's default)."""
    batch_size: int = 32
    """imitation's default BC batch."""
    learning_rate: float = 1e-3
    """Adam's learning rate (imitation's default)."""
    hidden_sizes: tuple[int, ...] = (32, 32)
    """Tanh hidden layers (imitation's default discrete policy)."""
    beta_decay: float = 0.5
    """``beta_r = beta_decay ** r``: the probability that the expert acts in round ``r``."""
    eval_episodes: int = 20
    """Greedy evaluation episodes after every round (off the clock)."""
    threshold: float = 0.95
    """Expert-normalized score that counts as reaching the expert."""
    repeats: int = 3
    """Runs per library (seeds 0, 1, ...), interleaved."""

    @property
    def n_rounds(self) -> int:
        return rounds_for_budget(self.label_budget, self.initial_labels, self.steps_per_round)


# --- bench rl-speed (rl_speed.py) -----------------------------------------------------------------


@dataclass(frozen=True)
class RLSpeedConfig:
    """What the RL speed benchmark runs."""

    env: str = "CartPole-v1"
    """An env id with a pure-JAX twin."""
    total_steps: int = 100_000
    """PPO env steps per run (PPOConfig defaults otherwise)."""
    n_seeds: int = 5
    """Seeds of the vmapped JAX run (0 to skip it)."""
    eval_episodes: int = 20
    """Evaluation episodes on the Gymnasium env, deterministic actions, from ``evaluation_seed()``."""
    env_only_steps: int = 1_000_000
    """Random-action steps for the env-only rate of the JAX backend (1024 envs in a scan)."""


# --- bench head-speed (head_speed.py) ------------------------------------------------------------


@dataclass(frozen=True)
class HeadSpeedConfig:
    """What the head sampling-cost benchmark times."""

    heads: tuple[HeadKind, ...] = ("gaussian", "deterministic", "gmm", "discretized", "diffusion", "flow")
    """Heads to time (with HeadOptions' defaults: 5 components, 21 bins, 50 diffusion levels, 10 flow steps)."""
    batch_sizes: tuple[int, ...] = (1, 256)
    """Observations per call of the jitted, vmapped act."""
    obs_dim: int = 8
    """Vector observation size (an MLP encoder of 256x256)."""
    action_dim: int = 2
    """Continuous action size, in the box [-1, 1]."""
    min_seconds: float = 1.0
    """Time each (head, batch) for at least this long after compiling."""
    out: str = "runs/bench-head-speed"
    """Folder for results.json (rewritten when done)."""


# --- bench multimodal (multimodal.py) ------------------------------------------------------------


@dataclass(frozen=True)
class MultimodalBenchConfig:
    """Every head on the two-route task, with and without action chunks."""

    envs: tuple[str, ...] = ("apprentice/TwoRoutes-v0", "apprentice/TwoRoutes-Switching-v0")
    """Multimodal tasks with a route statistic (``apprentice.envs.two_routes``)."""
    heads: tuple[HeadKind, ...] = ("gaussian", "deterministic", "gmm", "discretized", "diffusion", "flow")
    """Policy heads to train (HeadOptions' defaults otherwise)."""
    chunks: tuple[int, ...] = (1, 8)
    """Action-chunk lengths (1: none; chunks are executed open loop)."""
    seeds: tuple[int, ...] = (0, 1, 2)
    """Training seeds (and demonstration seeds by the collection scheme)."""
    n_demos: int = 40
    """Expert episodes per run."""
    n_epochs: int = 500
    """BC epochs (the diffusion and flow heads need many gradient steps)."""
    eval_episodes: int = 100
    """Episodes per policy, sampled actions, from the evaluation seed band."""
    plot_paths: int = 30
    """Paths drawn per panel of the figure (seed 0)."""
    out: str = "runs/bench-multimodal"
    """Folder for results.json and multimodal_paths.png (rewritten after every run)."""


# --- bench rwr (rwr.py) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RWRBenchConfig:
    """Mixed-quality behavior cloning on a continuous-control env."""

    env_id: str = "Pendulum-v1"
    """Env with a registered expert."""
    n_expert_episodes: int = 10
    """Episodes of the expert in the dataset."""
    n_degraded_episodes: int = 20
    """Episodes of the degraded demonstrator in the dataset."""
    degradations: tuple[str, ...] = ("reversed", "weak")
    """Which degraded demonstrators to mix in (one dataset each)."""
    seeds: tuple[int, ...] = (0, 1, 2)
    """Training seeds."""
    temperatures: tuple[float, ...] = (100.0, 300.0)
    """Temperatures T of the exp(R / T) weights, in units of return (one method each)."""
    loss: BCLoss = "mse"
    """Behavior-cloning loss shared by all three methods (other BC settings are the defaults)."""
    eval_episodes: int = 20
    """Evaluation episodes (from ``evaluation_seed()``, which no collection uses)."""
    out: str = "runs/bench-rwr"
    """Folder for results.json and the plot."""


# --- bench labels (labels.py) ---------------------------------------------------------------------

LABEL_METHODS = ("BC", "DART", "DAgger", "HG-DAgger")


@dataclass(frozen=True)
class LabelsBenchConfig:
    """Label efficiency of the interactive algorithms against behavior cloning."""

    envs: tuple[str, ...] = ("CartPole-v1", "LunarLander-v3", "Pendulum-v1")
    """Env ids (each needs a registered expert)."""
    budgets: tuple[int, ...] = (200, 500, 1000, 2000, 5000, 10000)
    """Expert-label budgets."""
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    """Seeds (data collection, initialization, minibatches)."""
    methods: tuple[str, ...] = LABEL_METHODS
    """Subset of BC, DART, DAgger, HG-DAgger."""
    rounds: int = 4
    """Rounds after round 0 for the interactive methods."""
    epochs: int = 30
    """BC epochs per (re)training ..."""
    min_steps: int = 2000
    """... but at least this many gradient steps."""
    eval_episodes: int = 20
    """Evaluation episodes of each final policy (from ``evaluation_seed()``)."""
    out: str = "runs/bench-labels"
    """Folder for one JSON per env, the merged results.json and the plot."""
    plot_only: bool = False
    """Only merge the JSON files already in ``out`` into the table and plot."""


# --- bench returns (returns.py) -------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnsBenchConfig:
    """BC and DAgger returns on MuJoCo, against imitation's published table."""

    envs: tuple[str, ...] = ("Hopper-v5", "HalfCheetah-v5", "Walker2d-v5")
    """Env ids (each needs a registered expert with measured returns)."""
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    """Seeds (demo collection, initialization, minibatches, DAgger's rollouts)."""
    demo_counts: tuple[int, ...] = (4, 10, 25)
    """Expert episodes BC is trained on; the largest is the one in the table."""
    bc_epochs: int = 200
    """BC epochs (best validation epoch kept, 10% of episodes held out)."""
    initial_labels: int = 5000
    """DAgger's round 0: expert-driven, labeled steps."""
    steps_per_round: int = 5000
    """DAgger's later rounds: learner-driven steps, each labeled by the expert."""
    label_budget: int = 25000
    """DAgger stops at this many labels (25 episodes of 1000 steps: BC's largest demo count)."""
    dagger_epochs: int = 100
    """BC epochs of each DAgger retraining (from scratch, on every label so far)."""
    round_eval_episodes: int = 20
    """Evaluation episodes after each DAgger round (the time-to-expert curve)."""
    eval_episodes: int = 50
    """Evaluation episodes of each final policy (the table)."""
    threshold: float = 0.95
    """Expert-normalized score that counts as reaching the expert."""
    out: str = "runs/bench-returns"
    """Folder for one JSON per env, the merged results.json and the plots."""
    plot_only: bool = False
    """Only merge the JSON files already in ``out`` into the tables and plots."""

    def __post_init__(self):
        if not self.demo_counts or min(self.demo_counts) < 1:
            raise ValueError(f"demo_counts: expected positive episode counts, got {self.demo_counts}")
        if not 0 < self.initial_labels <= self.label_budget:
            raise ValueError(
                f"initial_labels: expected 1..label_budget ({self.label_budget}), got {self.initial_labels}"
            )
        if self.steps_per_round < 1:
            raise ValueError(f"steps_per_round: expected a positive step count, got {self.steps_per_round}")

    @property
    def n_rounds(self) -> int:
        """DAgger rounds after round 0 needed to reach ``label_budget``."""
        return rounds_for_budget(self.label_budget, self.initial_labels, self.steps_per_round)


# --- bench irl (irl.py) ---------------------------------------------------------------------------

IRL_METHODS = ("BC", "GAIL", "AIRL")


@dataclass(frozen=True)
class EnvSettings:
    """How GAIL and AIRL are run on one env."""

    reward: RewardKind
    """The learner's reward from the discriminator (see ``AdversarialConfig.reward``): ``positive``
    where the expert survives to the time limit, ``negative`` where it ends episodes at a goal."""
    ppo: PPOConfig
    """The inner PPO (its ``total_steps`` is the run's length)."""
    grad_penalty: float = 0.0
    """The discriminator's gradient penalty (``AdversarialConfig.grad_penalty``)."""


ENV_SETTINGS = {
    "CartPole-v1": EnvSettings("positive", PPOConfig(total_steps=200_000)),
    # Without the penalty AIRL's discriminator separated the 13 expert samples perfectly and no
    # seed swung up (-500 on 5 of 5, 4 trajectories); with it all five reached -80 to -84.
    "Acrobot-v1": EnvSettings("negative", PPOConfig(total_steps=200_000), grad_penalty=1.0),
    "MountainCar-v0": EnvSettings("negative", PPOConfig(total_steps=200_000), grad_penalty=1.0),
    "Pendulum-v1": EnvSettings(
        "logit",
        PPOConfig(
            total_steps=1_000_000,
            n_envs=16,
            n_steps=256,
            n_epochs=10,
            n_minibatches=16,
            learning_rate=1e-3,
            gamma=0.95,
            gae_lambda=0.95,
        ),
    ),
}


@dataclass(frozen=True)
class IRLBenchConfig:
    """BC, GAIL and AIRL against the number of expert trajectories."""

    envs: tuple[str, ...] = ("CartPole-v1", "Acrobot-v1", "MountainCar-v0")
    """Env ids, each with settings in ``ENV_SETTINGS`` and a registered expert."""
    demo_counts: tuple[int, ...] = (1, 4, 7, 10)
    """Numbers of expert trajectories."""
    n_seeds: int = 5
    """Seeds per method and count (seed s: its own demonstrations, shared by BC, GAIL and AIRL)."""
    methods: tuple[str, ...] = IRL_METHODS
    """Subset of BC, GAIL, AIRL."""
    subsample: int = 20
    """Keep every this-many-th expert step (1: all)."""
    total_steps: int = 0
    """PPO env steps of each GAIL/AIRL run (0: the env's default in ENV_SETTINGS)."""
    eval_episodes: int = 20
    """Evaluation episodes of each final policy (from ``evaluation_seed()``)."""
    out: str = "runs/bench-irl"
    """Folder for one JSON per env, the merged results.json, results.md and the plot."""
    plot_only: bool = False
    """Only merge the JSON files already in ``out`` into the table and plot."""

    def __post_init__(self):
        unknown_methods = set(self.methods) - set(IRL_METHODS)
        if unknown_methods:
            raise ValueError(f"methods: expected some of {IRL_METHODS}, got {sorted(unknown_methods)}")
        unknown_envs = set(self.envs) - set(ENV_SETTINGS)
        if unknown_envs:
            raise ValueError(f"envs: expected some of {tuple(ENV_SETTINGS)}, got {sorted(unknown_envs)}")
        for name in ("n_seeds", "subsample", "eval_episodes"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}: expected a positive integer, got {getattr(self, name)}")
        if not self.demo_counts or min(self.demo_counts) < 1:
            raise ValueError(f"demo_counts: expected positive trajectory counts, got {self.demo_counts}")


# --- bench irl-speed (irl_speed.py) ---------------------------------------------------------------


@dataclass(frozen=True)
class IRLSpeedConfig:
    """What the adversarial wall-clock benchmark runs."""

    env: str = "CartPole-v1"
    """An env id with settings in ``apprentice.bench.irl.ENV_SETTINGS`` and a pure-JAX twin."""
    method: str = "GAIL"
    """GAIL or AIRL."""
    n_demos: int = 1
    """Expert episodes (all steps kept)."""
    total_steps: int = 0
    """PPO env steps of each run (0: the env's default in ``apprentice.bench.irl.ENV_SETTINGS``)."""
    seeds: tuple[int, ...] = (0, 1, 2)
    """Seeds of the JAX-backend runs."""
    gymnasium_seeds: tuple[int, ...] = (0,)
    """Seeds of the Gymnasium-backend runs (empty to skip)."""
    eval_episodes: int = 20
    """Evaluation episodes of each final policy."""


# --- bench irl-transfer (irl_transfer.py) ---------------------------------------------------------

MAZE_NAMES = ("shifting", "swapped")
"""The gridworld pairs of ``irl_transfer.MAZES`` (their names only: the builders import numpy, which
``--help`` does not need)."""


@dataclass(frozen=True)
class TransferBenchConfig:
    """What the reward-transfer benchmark runs."""

    mazes: tuple[str, ...] = ("shifting", "swapped")
    """Gridworld pairs (``shifting``: the wall's gap moves; ``swapped``: up/down swap)."""
    expert_data: tuple[str, ...] = ("exact", "demos")
    """``exact``: the expert's exact occupancy; ``demos``: sampled episodes."""
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    """Seeds (initial g, h and the demonstrations)."""
    n_demos: int = 30
    """Expert episodes for ``demos``."""
    demo_steps: int = 60
    """Steps per episode (gamma^60 = 0.002 at gamma 0.9)."""
    size: int = 6
    """Grid side."""
    slip: float = 0.1
    """Probability that a move is replaced by a random one."""
    gamma: float = 0.9
    """Discount."""
    goal_reward: float = 5.0
    """Reward per step in the goal cell (the soft-optimal expert's temperature is 1)."""
    airl: TabularAIRLConfig = field(default_factory=lambda: TabularAIRLConfig(init_scale=0.1))
    """AIRL settings (``reward_shape`` and ``shaping`` are set per method)."""
    out: str = "runs/bench-irl-transfer"
    """Folder for results.json, results.md and transfer.png ('' writes nothing)."""

    def __post_init__(self) -> None:
        unknown = set(self.mazes) - set(MAZE_NAMES)
        if unknown:
            raise ValueError(f"mazes: expected some of {sorted(MAZE_NAMES)}, got {sorted(unknown)}")
        unknown = set(self.expert_data) - {"exact", "demos"}
        if unknown:
            raise ValueError(f"expert_data: expected 'exact' and/or 'demos', got {sorted(unknown)}")
        if not self.seeds:
            raise ValueError("seeds: expected at least one seed, got none")
        for name in ("n_demos", "demo_steps"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be a positive integer; got {getattr(self, name)}")


# --- bench preferences (preferences.py) -----------------------------------------------------------


@dataclass(frozen=True)
class PreferencesBenchConfig:
    frontier: FrontierConfig = FrontierConfig()
    generalization: RewardGeneralizationConfig = RewardGeneralizationConfig()
    generalization_seeds: int = 3
    """Independent repeats (pairs, split and both fits) of the explicit-against-implicit experiment."""


# --- bench sampling (sampling_speed.py) -----------------------------------------------------------


@dataclass(frozen=True)
class SamplingSpeedConfig:
    """The responses both samplers draw, and the (untrained) model they draw them from."""

    n_responses: int = 256
    """Responses sampled at once (vmapped), each to its own prompt."""
    prompt_length: int = 6
    """Characters of each prompt."""
    n_new: int = 48
    """Characters sampled after each prompt."""
    d_model: int = 96
    """Width of the model's residual stream."""
    n_layers: int = 3
    """Transformer blocks of the model."""
    n_heads: int = 4
    """Attention heads per block."""
    repeats: int = 5
    """Alternating (cached, reference) timing pairs; medians are reported."""


@dataclass(frozen=True)
class PixelsBenchConfig:
    """What the pixel BC benchmark trains and measures."""

    env_id: str = "apprentice/PixelCartPole-v1"
    """A pixel env whose expert acts on the state."""
    n_demos: int = 20
    """Demonstration episodes per run."""
    noises: tuple[float, ...] = (0.0, 0.2)
    """Probability of executing a random action while demonstrating (labels stay the expert's)."""
    seeds: tuple[int, ...] = (0,)
    """Training seeds (and demonstration seeds by the collection scheme)."""
    frame_stack: int = 2
    """Frames the policy sees (motion needs at least 2)."""
    n_epochs: int = 60
    """BC epochs."""
    batch_size: int = 256
    """Samples per step: the labels are noisy near upright, a large batch averages them."""
    learning_rate: float = 3e-4
    """Adam step size."""
    speed_batch_size: int = 64
    """Batch of the gradient-steps-per-second measurement."""
    eval_episodes: int = 20
    """Evaluation episodes of each policy (from the evaluation seed band)."""
    out: str = "runs/bench-pixels"
    """Folder for results.json (rewritten after every run)."""


# --- bench text-compounding (text_compounding.py) -------------------------------------------------


def _compounding_language_model() -> NextTokenConfig:
    """A small character model whose context holds a 64-character sample (about two sentences)."""
    return NextTokenConfig(context_length=64, d_model=64, n_layers=2, n_heads=4, n_steps=1500, warmup_steps=50,
                           eval_interval=250)  # fmt: skip


@dataclass(frozen=True)
class TextCompoundingConfig:
    """Compounding error of a character model against the template language, and the DAgger of text.

    The model's fields (``--d-model``, ``--n-steps``, ...) are those of the base model; the
    comparison trains the same architecture for ``comparison_steps`` steps per model.
    """

    out: str = "runs/bench-text-compounding"
    """Folder for results.json and text_compounding.png."""
    seed: int = 0
    """Base seed: the held-out split, initializations, samples."""
    model: NextTokenConfig = field(default_factory=_compounding_language_model)
    """The base model, trained by next-token prediction on the corpus lines not held out."""
    held_out_fraction: float = 0.1
    """Share of the corpus's lines held out (never trained on): the prefixes of the teacher-forced error."""
    n_samples: int = 2048
    """Free-running samples of the base model, each ``context_length`` characters after a newline."""
    lengths: tuple[int, ...] = (2, 4, 8, 16, 32, 64)
    """Lengths T at which the expected number of invalid tokens is fitted (each <= context_length)."""
    n_groups: int = 16
    """The samples are cut into this many groups: the replicates of the exponent's bootstrap."""
    budgets: tuple[int, ...] = (3000, 10000, 30000)
    """Labeled tokens of each model of the comparison (next-token, corpus sets, DAgger)."""
    corpus_share: float = 0.5
    """Share of a DAgger budget spent on corpus labels in round 0; the rest labels its rollouts."""
    dagger_rounds: int = 1
    """DAgger rounds after round 0 (each samples, labels, aggregates and retrains from scratch)."""
    comparison_steps: int = 800
    """Gradient steps of every model of the comparison (the same for each arm and budget)."""
    comparison_seeds: tuple[int, ...] = (0, 1)
    """Seeds of the comparison (line order, initialization, rollouts)."""
    eval_samples: int = 256
    """Free-running samples behind each comparison model's invalid rate."""

    def __post_init__(self) -> None:
        if not 0.0 < self.held_out_fraction < 1.0 or not 0.0 < self.corpus_share < 1.0:
            raise ValueError(
                f"held_out_fraction and corpus_share: expected values in (0, 1), got {self.held_out_fraction}, {self.corpus_share}"
            )
        if len(self.lengths) < 2 or min(self.lengths) < 1 or max(self.lengths) > self.model.context_length:
            raise ValueError(
                f"lengths: expected >= 2 values in [1, {self.model.context_length}] (context_length), got {self.lengths}"
            )
        if not self.budgets or min(self.budgets) < 2 * (self.dagger_rounds + 1):
            raise ValueError(
                f"budgets: expected positive label counts >= {2 * (self.dagger_rounds + 1)}, got {self.budgets}"
            )
        for name in ("n_samples", "n_groups", "dagger_rounds", "comparison_steps", "eval_samples"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ValueError(f"{name}: expected a positive integer, got {getattr(self, name)!r}")
        if self.n_groups > self.n_samples:
            raise ValueError(f"n_groups: expected at most n_samples ({self.n_samples}), got {self.n_groups}")


@dataclass(frozen=True)
class WholeJobConfig(Ranged):
    """The user's whole BC job, each run a fresh process: apprentice cold and warm, imitation beside it."""

    env: str = "Hopper-v5"
    """Env whose registered expert records the demonstrations (once, not timed)."""
    episodes: PositiveInt = 25
    """Expert episodes the job learns from."""
    n_epochs: PositiveInt = 20
    """BC epochs (no validation split, no early stopping)."""
    batch_size: PositiveInt = 256
    """Samples per gradient step."""
    learning_rate: Positive = 1e-3
    """Adam step size, in both libraries."""
    hidden_sizes: tuple[int, ...] = (256, 256)
    """MLP widths, in both libraries."""
    rounds: PositiveInt = 3
    """Rounds; each runs every contestant once, in an order that rotates from round to round."""
    peer: bool = True
    """Also time imitation's BC (in the peer venv, built on first use)."""
    venv: str = "runs/peer-venv"
    """Where the peer venv with imitation lives (see apprentice.bench.peers.venv)."""
    peer_threads: Count = 1
    """torch threads of imitation's job (0: torch's default, one per core). On the shared 2-core
    machine its default ran the job 5.4x slower than one thread (309 s against 57 s)."""
