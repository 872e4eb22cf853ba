"""Deep RL from preferences on control tasks (Christiano et al. 2017), at CPU scale.

Each round collects trajectory segments ``sigma = ((o_0, a_0), ..., (o_{k-1}, a_{k-1}))`` from
the current policy (a uniformly random one in round 0, and a ``random_fraction`` of random-policy
segments in later rounds), asks a synthetic Bradley-Terry rater that knows the env's true reward

    P(sigma_1 > sigma_2) = sigmoid((sum_t r(o^1_t, a^1_t) - sum_t r(o^2_t, a^2_t)) / T)

to compare random pairs, fits a per-step reward ``r_hat(o, a)`` to all comparisons so far by the
same model with ``T = 1`` (:class:`~apprentice.algorithms.preferences.reward_model.SegmentReturn`
over a :class:`~apprentice.algorithms.preferences.reward_model.RewardMLP`, trained by
``reward_model.train``), and trains PPO on ``r_hat`` (``ppo.train(..., reward_fn=...)``), which
still reports the env's true return.

Absorbing states. Where an episode terminates inside a segment, the rest of the segment is an
absorbing state whose true reward is 0, and the model gives it exactly ``r_hat = 0`` (each step
carries an ``alive`` flag that multiplies the learned reward). Bradley-Terry fixes a per-step
reward only up to a constant; this pins the constant so that "the episode ended" is worth 0 to
both the rater and the learner, as it is to PPO, which stops bootstrapping at a true terminal.
On CartPole, where every live step earns 1, the comparisons then teach that living is worth more
than ending, and ``r_hat > 0`` on live steps. Subtracting the mean of the learned reward (the usual
"standardize") breaks that anchor: a live step whose reward falls below 0 makes ending the episode
early attractive (``reward_normalization="standardize"``, kept as the ablation that shows it).

Differences from the paper, for CPU scale: each round trains a fresh PPO agent on the current
reward (not one agent trained throughout), one reward model (no ensemble) and pairs drawn at
random (no disagreement-based query selection).

Example:
    >>> result = train(jax.random.key(0), PreferenceRLConfig(), "CartPole-v1")
    >>> result.normalized_return, result.metrics[-1]["true_ranking_accuracy"]
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, PRNGKeyArray

from apprentice import experts
from apprentice.algorithms.configs.preferences import Normalization, PreferenceRLConfig
from apprentice.algorithms.preferences import reward_model
from apprentice.algorithms.preferences.reward_model import RewardMLP, SegmentReturn
from apprentice.algorithms.rl import ppo
from apprentice.algorithms.rl.common import RLResult
from apprentice.data.preferences import Preferences, bradley_terry_probability, sample_bradley_terry_labels
from apprentice.data.trajectory import Trajectory
from apprentice.envs.make import env_spec
from apprentice.envs.seeds import Stream, drawn_collection_seed
from apprentice.envs.spec import EnvSpec, executed_actions
from apprentice.policies.activation import Activation
from apprentice.policies.actor import PolicyActor
from apprentice.policies.base import Policy
from apprentice.rollout import RandomActor, rollout

QUERY_ENVS = 8
"""Env copies of each query rollout (the policy's and the random policy's)."""

# ---------------------------------------------------------------- the learned reward


def step_features(spec: EnvSpec, obs: Array, action: Array, use_actions: bool = True) -> Float[Array, " features"]:
    """``[o, phi(a), 1]``: the flattened observation, the action (one-hot when discrete, clipped into
    its box when continuous; left out without ``use_actions``) and the ``alive`` flag (1; absorbing
    steps are all zeros)."""
    obs = jnp.ravel(obs).astype(jnp.float32)
    if not use_actions:
        return jnp.concatenate([obs, jnp.ones(1)])
    if spec.action_kind == "discrete":
        action_features = jax.nn.one_hot(jnp.asarray(action, jnp.int32).reshape(()), spec.action_dim)
    else:
        action_features = jnp.ravel(executed_actions(spec, jnp.asarray(action, jnp.float32).reshape(spec.action_shape)))
    return jnp.concatenate([obs, action_features, jnp.ones(1)])


class AbsorbingStepReward(eqx.Module):
    """``r_hat(step) = alive * f((x - mu) / s)``: a :class:`RewardMLP` ``f`` on standardized step
    features ``x``, exactly 0 on absorbing steps (``alive = 0``, the last feature).

    ``mu`` and ``s`` are fixed at construction (behind ``stop_gradient``, so training leaves them).

    Example:
        >>> step_reward = AbsorbingStepReward.create(np.ones((10, 7)), key=jax.random.key(0))
        >>> float(step_reward(jnp.zeros(7)))  # an absorbing step
        0.0
    """

    net: RewardMLP
    feature_mean: Float[Array, " features"]
    feature_std: Float[Array, " features"]

    @staticmethod
    def create(
        live_steps: Float[np.ndarray, "n step"],
        *,
        hidden_sizes: tuple[int, ...] = (64, 64),
        activation: Activation = "relu",
        key: PRNGKeyArray,
    ) -> AbsorbingStepReward:
        """A fresh reward whose feature statistics come from ``live_steps`` (rows with the alive flag)."""
        features = np.asarray(live_steps, np.float32)[:, :-1]
        std = features.std(axis=0)
        net = RewardMLP((features.shape[1],), hidden_sizes=hidden_sizes, activation=activation, key=key)
        return AbsorbingStepReward(net, jnp.asarray(features.mean(axis=0)), jnp.asarray(np.where(std > 1e-6, std, 1.0)))

    def __call__(self, step: Float[Array, " step"]) -> Float[Array, ""]:
        features, alive = step[:-1], step[-1]
        normalized = (features - jax.lax.stop_gradient(self.feature_mean)) / jax.lax.stop_gradient(self.feature_std)
        return alive * self.net(normalized)


class LearnedReward(eqx.Module):
    """PPO's ``reward_fn(obs, action, next_obs) = (r_hat(o, a) - offset) / scale`` (``next_obs`` unused).

    Example:
        >>> reward_fn = LearnedReward(step_reward, jnp.asarray(0.0), jnp.asarray(1.0), spec)
        >>> ppo.train(key, PPOConfig(), "CartPole-v1", reward_fn=reward_fn)
    """

    step_reward: AbsorbingStepReward
    offset: Float[Array, ""]
    scale: Float[Array, ""]
    spec: EnvSpec = eqx.field(static=True)
    use_actions: bool = eqx.field(static=True, default=True)

    def __call__(self, obs: Array, action: Array, next_obs: Array) -> Float[Array, ""]:
        return (self.step_reward(step_features(self.spec, obs, action, self.use_actions)) - self.offset) / self.scale


def normalized_reward(
    step_reward: AbsorbingStepReward,
    live_steps: Float[np.ndarray, "n step"],
    spec: EnvSpec,
    normalization: Normalization,
    use_actions: bool = True,
) -> LearnedReward:
    """:class:`LearnedReward` with ``offset, scale`` from ``r_hat`` on ``live_steps`` (see the config's
    ``reward_normalization``)."""
    rewards = np.asarray(jax.vmap(step_reward)(jnp.asarray(live_steps)))
    if normalization == "rms":
        offset, scale = 0.0, float(np.sqrt(np.mean(rewards**2)))
    elif normalization == "standardize":
        offset, scale = float(rewards.mean()), float(rewards.std())
    else:
        offset, scale = 0.0, 1.0
    return LearnedReward(
        step_reward, jnp.asarray(offset, jnp.float32), jnp.asarray(max(scale, 1e-6), jnp.float32), spec, use_actions
    )


# ---------------------------------------------------------------- segments


@dataclass(frozen=True)
class Segments:
    """``n`` segments of ``k`` steps: step features (zeros past a terminal) and the true per-step rewards."""

    steps: Float[np.ndarray, "n k step"]
    true_rewards: Float[np.ndarray, "n k"]

    def __len__(self) -> int:
        return int(self.steps.shape[0])

    def take(self, indices: np.ndarray) -> Segments:
        return Segments(self.steps[indices], self.true_rewards[indices])

    @staticmethod
    def concatenate(parts: Sequence[Segments]) -> Segments:
        return Segments(np.concatenate([p.steps for p in parts]), np.concatenate([p.true_rewards for p in parts]))


def sample_segments(
    key: PRNGKeyArray,
    trajectories: Sequence[Trajectory],
    n_segments: int,
    segment_length: int,
    spec: EnvSpec,
    use_actions: bool = True,
) -> Segments:
    """``n_segments`` windows of ``segment_length`` steps, uniform over the valid (episode, start) pairs.

    A window may run past the end of an episode that terminated (those steps are absorbing: zero
    features, true reward 0), but not past a time limit or the end of the collection, where the
    episode would have gone on.

    Example:
        >>> trajs = rollout(RandomActor(spec), "CartPole-v1", n_steps=2000)
        >>> segments = sample_segments(jax.random.key(0), trajs, 100, 25, spec)
    """
    lengths = np.array([len(t) for t in trajectories], int)
    starts = [np.arange(n if t.terminated else max(0, n - segment_length + 1)) for t, n in zip(trajectories, lengths)]
    owners = np.concatenate([np.full(len(s), i) for i, s in enumerate(starts)]) if starts else np.zeros(0, int)
    if len(owners) == 0:
        raise ValueError(
            f"sample_segments: expected an episode that terminated or has at least segment_length = "
            f"{segment_length} steps, got {len(trajectories)} episodes of lengths {lengths.tolist()[:10]}; "
            "collect more steps or shorten the segments"
        )
    starts = np.concatenate(starts)
    obs = np.concatenate([t.observations[:-1] for t in trajectories]).astype(np.float32)
    actions = np.concatenate([t.actions for t in trajectories])
    features = np.asarray(
        jax.vmap(lambda o, a: step_features(spec, o, a, use_actions))(jnp.asarray(obs), jnp.asarray(actions))
    )
    features = np.concatenate([features, np.zeros((1, features.shape[1]), np.float32)])  # the absorbing row
    rewards = np.concatenate([np.concatenate([t.rewards for t in trajectories]), np.zeros(1)]).astype(np.float32)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    chosen = np.asarray(jax.random.choice(key, len(owners), (n_segments,), replace=len(owners) < n_segments))
    t = starts[chosen, None] + np.arange(segment_length)[None]
    rows = np.where(t < lengths[owners[chosen], None], offsets[owners[chosen], None] + t, len(features) - 1)
    return Segments(features[rows], rewards[rows])


def label_pairs(
    key: PRNGKeyArray, first: Segments, second: Segments, temperature: float, soft_labels: bool
) -> tuple[Preferences, Segments, Segments]:
    """The rater's choices on ``(first[i], second[i])``: ``(preferences, chosen, rejected)`` segments."""
    first_returns, second_returns = first.true_rewards.sum(1), second.true_rewards.sum(1)
    first_wins = np.asarray(sample_bradley_terry_labels(key, first_returns, second_returns, temperature))
    probability = np.asarray(bradley_terry_probability(first_returns, second_returns, temperature))
    pick = first_wins[:, None, None]
    chosen = Segments(
        np.where(pick, first.steps, second.steps), np.where(pick[..., 0], first.true_rewards, second.true_rewards)
    )
    rejected = Segments(
        np.where(pick, second.steps, first.steps), np.where(pick[..., 0], second.true_rewards, first.true_rewards)
    )
    labels = np.where(first_wins, probability, 1.0 - probability).astype(np.float32) if soft_labels else None
    return Preferences(chosen.steps, rejected.steps, probability=labels), chosen, rejected


def reward_agreement(model: SegmentReturn, chosen: Segments, rejected: Segments) -> dict[str, float | None]:
    """How ``model`` agrees with the true reward on held-out pairs.

    ``true_ranking_accuracy``: the fraction of pairs with different true returns that the learned
    returns order the same way; ``step_reward_correlation`` and ``segment_return_correlation``:
    Pearson correlations of learned and true rewards over all steps (absorbing ones included) and
    over segments (``None`` where either side is constant).
    """
    both = Segments.concatenate([chosen, rejected])
    learned_steps = learned_step_rewards(model, both)
    learned, true = learned_steps.sum(1), both.true_rewards.sum(1)
    n = len(chosen)
    true_difference, learned_difference = true[:n] - true[n:], learned[:n] - learned[n:]
    distinct = true_difference != 0
    accuracy = (
        float(np.mean(np.sign(learned_difference[distinct]) == np.sign(true_difference[distinct])))
        if distinct.any()
        else None
    )
    return {
        "true_ranking_accuracy": accuracy,
        "informative_fraction": float(distinct.mean()),
        "step_reward_correlation": _correlation(learned_steps.ravel(), both.true_rewards.ravel()),
        "segment_return_correlation": _correlation(learned, true),
    }


def _correlation(x: np.ndarray, y: np.ndarray) -> float | None:
    if np.std(x) < 1e-8 or np.std(y) < 1e-8:
        return None
    return float(np.corrcoef(x, y)[0, 1])


def _merge(first: Preferences | None, second: Preferences) -> Preferences:
    if first is None:
        return second
    join = lambda a, b: None if a is None else np.concatenate([a, b])  # noqa: E731
    return Preferences(
        np.concatenate([first.chosen, second.chosen]),
        np.concatenate([first.rejected, second.rejected]),
        probability=join(first.probability, second.probability),
    )


# ---------------------------------------------------------------- training


@dataclass(frozen=True)
class PreferenceRLResult:
    """The final policy, the reward model and what PPO optimized, and one log row per round."""

    policy: Policy
    """The last round's PPO policy."""
    reward_model: SegmentReturn
    """``R_hat(sigma) = sum_t r_hat(step_t)``; its ``step_reward`` is the per-step reward."""
    reward_fn: LearnedReward
    """The normalized per-step reward the last PPO run optimized."""
    rl: RLResult
    """The last PPO run (metrics report the env's true return)."""
    preferences: Preferences
    """All training comparisons (``held_out`` not included)."""
    held_out: Preferences
    """All held-out comparisons."""
    metrics: list[dict[str, Any]]
    """Per round: ``round``, ``n_comparisons`` (labelled so far), ``n_train_comparisons``,
    ``held_out_accuracy`` (agreement with the rater's held-out labels), ``true_ranking_accuracy``,
    ``informative_fraction``, ``step_reward_correlation``, ``segment_return_correlation`` (see
    :func:`reward_agreement`), ``reward_scale``, ``eval_return`` (true, deterministic policy),
    ``normalized_return`` (random 0, expert 1; ``None`` without expert stats), ``train_return``,
    ``env_steps`` (so far: collection and PPO), ``seconds`` (so far)."""

    @property
    def spec(self) -> EnvSpec:
        return self.rl.spec

    @property
    def eval_return(self) -> float:
        return self.metrics[-1]["eval_return"]

    @property
    def normalized_return(self) -> float | None:
        return self.metrics[-1]["normalized_return"]


def train(
    key: PRNGKeyArray,
    config: PreferenceRLConfig,
    env_id: str,
    *,
    progress: bool = True,
    on_round: Callable[[PreferenceRLResult], None] | None = None,
) -> PreferenceRLResult:
    """Learn a reward from a synthetic rater's segment comparisons and a PPO policy on it.

    Round ``i``: collect ``rollout_steps`` steps from the policy of round ``i - 1`` (stochastic
    actions; round 0: a uniformly random policy) and, after round 0, as many from a random policy;
    cut ``2 n_comparisons`` segments (a ``random_fraction`` from the random steps), pair them at
    random and let the rater label them; refit :class:`SegmentReturn` on all training pairs so far
    (warm start) by ``reward_model.train``; train a fresh PPO on the normalized ``r_hat``.
    ``on_round`` receives the result so far after every round (a checkpoint hook).

    Example:
        >>> result = train(jax.random.key(0), PreferenceRLConfig(n_rounds=3), "CartPole-v1")
        >>> [row["normalized_return"] for row in result.metrics]
    """
    if not isinstance(config, PreferenceRLConfig):
        raise ValueError(f"config: expected a PreferenceRLConfig, got {type(config).__name__}")
    spec = env_spec(env_id)
    expert_stats = experts.load(env_id).stats if env_id in experts.available() else None
    n_segments = 2 * config.n_comparisons
    start, env_steps = time.perf_counter(), 0
    model: SegmentReturn | None = None
    policy: Policy | None = None
    train_data: Preferences | None = None
    held_out_data: Preferences | None = None
    held_out_chosen: list[Segments] = []
    held_out_rejected: list[Segments] = []
    train_live_steps: list[np.ndarray] = []
    rounds: list[dict[str, Any]] = []
    result: PreferenceRLResult | None = None
    for round_index in range(config.n_rounds):
        key, collect_key, label_key, split_key, model_key, ppo_key = jax.random.split(key, 6)
        segments, steps = _collect_segments(collect_key, config, env_id, spec, policy, n_segments)
        env_steps += steps
        new_data, chosen, rejected = label_pairs(
            label_key,
            segments.take(np.arange(config.n_comparisons)),
            segments.take(np.arange(config.n_comparisons, n_segments)),
            config.temperature,
            config.soft_labels,
        )
        order = np.asarray(jax.random.permutation(split_key, config.n_comparisons))
        n_held_out = round(config.held_out_fraction * config.n_comparisons)
        held, kept = order[:n_held_out], order[n_held_out:]
        train_data, held_out_data = _merge(train_data, new_data.take(kept)), _merge(held_out_data, new_data.take(held))
        held_out_chosen.append(chosen.take(held))
        held_out_rejected.append(rejected.take(held))
        kept_steps = np.concatenate([chosen.take(kept).steps, rejected.take(kept).steps]).reshape(
            -1, chosen.steps.shape[-1]
        )
        train_live_steps.append(kept_steps[kept_steps[:, -1] > 0])
        init_key, fit_key = jax.random.split(model_key)
        if model is None:
            model = SegmentReturn(
                AbsorbingStepReward.create(
                    train_live_steps[0],
                    hidden_sizes=config.reward_model.hidden_sizes,
                    activation=config.reward_model.activation,
                    key=init_key,
                )
            )
        fit = reward_model.train(
            fit_key, config.reward_model, train_data, held_out=held_out_data, model=model, progress=progress
        )
        model = cast(SegmentReturn, fit.model)
        reward_fn = normalized_reward(
            cast(AbsorbingStepReward, model.step_reward),
            np.concatenate(train_live_steps),
            spec,
            config.reward_normalization,
            config.use_actions,
        )
        rl = ppo.train(ppo_key, config.ppo, env_id, reward_fn=reward_fn, progress=progress)
        policy, env_steps = rl.policy, env_steps + rl.env_steps
        eval_return = float(rl.metrics[-1]["eval_return"])
        rounds.append(
            {
                "round": round_index,
                "n_comparisons": len(train_data) + len(held_out_data),
                "n_train_comparisons": len(train_data),
                "held_out_accuracy": fit.held_out_accuracy,
                **reward_agreement(
                    model, Segments.concatenate(held_out_chosen), Segments.concatenate(held_out_rejected)
                ),
                "reward_scale": float(reward_fn.scale),
                "reward_offset": float(reward_fn.offset),
                "eval_return": eval_return,
                "normalized_return": None if expert_stats is None else expert_stats.normalized_score(eval_return),
                "train_return": rl.metrics[-1].get("train_return"),
                "env_steps": env_steps,
                "seconds": round(time.perf_counter() - start, 2),
            }
        )
        result = PreferenceRLResult(
            policy=policy,
            reward_model=model,
            reward_fn=reward_fn,
            rl=rl,
            preferences=train_data,
            held_out=held_out_data,
            metrics=list(rounds),
        )
        if on_round is not None:
            on_round(result)
    assert result is not None  # n_rounds >= 1
    return result


def _collect_segments(
    key: PRNGKeyArray, config: PreferenceRLConfig, env_id: str, spec: EnvSpec, policy: Policy | None, n_segments: int
) -> tuple[Segments, int]:
    """``n_segments`` shuffled segments (from the policy, and a ``random_fraction`` from a random
    policy; all random without a policy) and the env steps it took."""
    seed_key, actor_key, policy_segment_key, random_segment_key, shuffle_key = jax.random.split(key, 5)
    # Policy and random rollouts draw from their own streams of the collection band, so they never
    # share a start state with each other nor with an evaluation (apprentice.envs.seeds).
    draw = int(jax.random.randint(seed_key, (), 0, 2**31 - 1))
    n_random = n_segments if policy is None else int(round(config.random_fraction * n_segments))
    parts, steps = [], 0
    if policy is not None and n_random < n_segments:  # n_random == n_segments without a policy
        actor = PolicyActor(policy, actor_key)
        seed = drawn_collection_seed(draw, Stream.PREFERENCE_POLICY, QUERY_ENVS)
        trajectories = rollout(
            actor, env_id, n_steps=config.rollout_steps, seed=seed, n_envs=QUERY_ENVS, backend=config.ppo.backend
        )
        parts.append(
            sample_segments(
                policy_segment_key, trajectories, n_segments - n_random, config.segment_length, spec, config.use_actions
            )
        )
        steps += config.rollout_steps
    if n_random > 0:
        seed = drawn_collection_seed(draw, Stream.PREFERENCE_RANDOM, QUERY_ENVS)
        trajectories = rollout(
            RandomActor(spec, seed),
            env_id,
            n_steps=config.rollout_steps,
            seed=seed,
            n_envs=QUERY_ENVS,
            backend=config.ppo.backend,
        )
        parts.append(
            sample_segments(random_segment_key, trajectories, n_random, config.segment_length, spec, config.use_actions)
        )
        steps += config.rollout_steps
    segments = Segments.concatenate(parts)
    return segments.take(np.asarray(jax.random.permutation(shuffle_key, n_segments))), steps


def learned_step_rewards(model: SegmentReturn, segments: Segments) -> Float[np.ndarray, "n k"]:
    """``r_hat`` of every step of ``segments`` (0 on absorbing steps)."""
    return np.asarray(jax.vmap(jax.vmap(model.step_reward))(jnp.asarray(segments.steps)))
