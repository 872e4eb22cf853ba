"""GAIL and AIRL: PPO on the reward of a discriminator trained to tell the expert from the learner.

Each iteration: collect a rollout with the current policy; train the discriminator on it
against expert transitions (``disc_epochs x disc_minibatches`` Adam steps on minibatches of
equal size from each side); relabel the rollout with the discriminator's reward; one PPO update.
The discriminator sees the learner's executed actions (clipped into the box, ``executed_actions``),
as the expert's recorded ones are: the raw Gaussian samples that PPO's ratio needs would give the
learner away by leaving the box. AIRL's ``log pi`` is taken at the executed action too.
On the pure-JAX backend all of it, rollouts included, is one jitted function; on Gymnasium the
env steps run on the host and the rest of each iteration is one jitted call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jaxtyping import PRNGKeyArray

from apprentice.algorithms.configs.irl import AdversarialConfig, AIRLConfig, GAILConfig  # noqa: F401 (GAILConfig: re-exported)
from apprentice.algorithms.irl.discriminators import (
    AIRLDiscriminator,
    GAILDiscriminator,
    discriminator_loss,
    reward_from_logit,
)
from apprentice.algorithms.rl.common import RLResult
from apprentice.algorithms.rl.ppo_core import OnPolicyLearner, PPOState, ppo_learner
from apprentice.algorithms.rl.ppo_host import run_learner_on_gymnasium
from apprentice.data.trajectory import Trajectory, Transitions, flatten
from apprentice.envs.make import env_spec
from apprentice.envs.spec import EnvSpec, require_data_matches
from apprentice.policies.base import Policy
from apprentice.policies.build import observation_stats
from apprentice.rollout import resolve_backend


class AdversarialState(NamedTuple):
    ppo: PPOState
    disc_params: Any
    disc_opt_state: Any
    expert: dict
    """The expert's samples (padded to a common length; ``count`` real rows) and their observation
    statistics: state, not a constant, so that a vmapped run can give each seed its own."""


@dataclass
class AdversarialResult:
    """The RL result (policy, metrics with discriminator accuracy and learned reward) and the discriminator."""

    rl: RLResult
    discriminator: GAILDiscriminator | AIRLDiscriminator

    @property
    def policy(self) -> Policy:
        return self.rl.policy

    @property
    def spec(self) -> EnvSpec:
        return self.rl.spec

    @property
    def metrics(self) -> list[dict[str, Any]]:
        """The RL run's rows, each with the discriminator's accuracy and the learned reward."""
        return self.rl.metrics


def make_discriminator(config: AdversarialConfig, spec: EnvSpec, obs_mean, obs_std, key: PRNGKeyArray):
    """GAIL's or AIRL's discriminator, its networks built from ``config.ppo.network`` over
    observations standardized by the expert's ``obs_mean``/``obs_std``."""
    network = config.ppo.network
    if isinstance(config, AIRLConfig):
        return AIRLDiscriminator(spec, network, obs_mean, obs_std, config.ppo.gamma, config.state_only, key=key)
    state_pairs = config.discriminator_input == "state_pair"
    return GAILDiscriminator(spec, network, obs_mean, obs_std, key=key, state_pairs=state_pairs)


def expert_transitions(demos: Sequence[Trajectory] | Transitions) -> Transitions:
    """The expert's samples: trajectories flattened, or transitions as given (e.g. subsampled)."""
    return demos if isinstance(demos, Transitions) else flatten(demos)


def expert_arrays(
    demos: Sequence[Trajectory] | Transitions, size: int | None = None, spec: EnvSpec | None = None
) -> dict:
    """The expert's samples as arrays padded with zeros to ``size`` rows (default: their number),
    with ``count`` (the real rows, the only ones the discriminator draws) and the observation
    statistics of the discriminator's input normalizer. Observation-only samples (GAIfO's) get
    zero actions of ``spec``'s shape, which a discriminator on ``(s, s')`` never reads."""
    expert = expert_transitions(demos)
    acts = expert.acts
    if acts is None:
        if spec is None:
            raise ValueError(
                "expert_arrays: observation-only samples need spec= (the shape of the placeholder actions)"
            )
        discrete = spec.action_kind == "discrete"
        acts = np.zeros((len(expert), *spec.action_shape), np.int32 if discrete else np.float32)
    count = len(expert)
    size = count if size is None else size
    if size < count:
        raise ValueError(f"expert_arrays: expected size >= the {count} samples, got {size}")
    pad = lambda x, dtype: jnp.asarray(np.concatenate([x, np.zeros((size - count, *x.shape[1:]), x.dtype)]), dtype)  # noqa: E731
    mean, std = observation_stats(expert.obs)
    return {
        "obs": pad(expert.obs, jnp.float32),
        "actions": pad(acts, None),
        "next_obs": pad(expert.next_obs, jnp.float32),
        "done": pad(expert.dones, jnp.float32),
        "count": jnp.asarray(count, jnp.int32),
        "obs_mean": jnp.asarray(mean),
        "obs_std": jnp.asarray(std),
    }


def adversarial_learner(
    config: AdversarialConfig, spec: EnvSpec, demos: Sequence[Trajectory] | Transitions
) -> tuple[OnPolicyLearner, Any]:
    """GAIL or AIRL as an on-policy learner, and the discriminator's static part.

    ``learner.init(key)`` starts from ``demos``; ``learner.init(key, expert_arrays(other))`` from
    other expert samples of the same padded length (what a vmapped run over seeds passes)."""
    default_expert = expert_arrays(demos, spec=spec)
    ppo = ppo_learner(config.ppo, spec)
    optimizer = optax.adam(config.disc_learning_rate)
    uses_log_pi = isinstance(config, AIRLConfig)

    def new_discriminator(expert: dict, key: PRNGKeyArray):
        return make_discriminator(config, spec, expert["obs_mean"], expert["obs_std"], key)

    _, disc_static = eqx.partition(new_discriminator(default_expert, jax.random.key(0)), eqx.is_array)

    def init(key: PRNGKeyArray, expert: dict | None = None) -> AdversarialState:
        expert = default_expert if expert is None else expert
        ppo_key, disc_key = jax.random.split(key)
        disc_params, _ = eqx.partition(new_discriminator(expert, disc_key), eqx.is_array)
        return AdversarialState(ppo.init(ppo_key), disc_params, optimizer.init(disc_params), expert)

    def learn(state: AdversarialState, rollout: dict, key: PRNGKeyArray):
        disc_key, ppo_key = jax.random.split(key)
        n_steps, n_envs = rollout["rewards"].shape
        flat = lambda x: x.reshape(n_steps * n_envs, *x.shape[2:])  # noqa: E731
        learner_data = {
            "obs": flat(rollout["obs"]),
            "actions": flat(rollout["executed_actions"]),
            "next_obs": flat(rollout["next_obs"]),
            "done": flat(rollout["terminated"]),
        }
        policy = eqx.combine(state.ppo.params, ppo.static).policy

        def log_pi(batch):
            if not uses_log_pi:
                return jnp.zeros(batch["obs"].shape[0])
            return jax.lax.stop_gradient(jax.vmap(policy.log_prob)(batch["obs"], batch["actions"]))

        disc_params, disc_opt_state, disc_metrics = _train_discriminator(
            state.disc_params,
            disc_static,
            state.disc_opt_state,
            optimizer,
            learner_data,
            state.expert,
            log_pi,
            config,
            spec,
            disc_key,
        )
        disc = eqx.combine(disc_params, disc_static)
        # AIRL's log pi at the executed action, as in the discriminator's training (the same action it sees).
        learner_log_pi = log_pi(learner_data)
        logits = jax.vmap(disc.logit)(
            learner_data["obs"], learner_data["actions"], learner_data["next_obs"], learner_data["done"], learner_log_pi
        )
        rewards = reward_from_logit(logits, config.reward).reshape(n_steps, n_envs)
        ppo_state, metrics, _ = ppo.learn(state.ppo, {**rollout, "rewards": rewards}, ppo_key)
        metrics = {**metrics, **disc_metrics, "learned_reward_mean": jnp.mean(rewards)}
        return AdversarialState(ppo_state, disc_params, disc_opt_state, state.expert), metrics, rewards

    learner = OnPolicyLearner(init, learn, lambda state: state.ppo.params, ppo.static, ppo.architecture)
    return learner, disc_static


def _train_discriminator(
    params,
    static,
    opt_state,
    optimizer,
    learner_data,
    expert: dict,
    log_pi,
    config: AdversarialConfig,
    spec: EnvSpec,
    key,
):
    n_learner = learner_data["obs"].shape[0]
    batch_size = n_learner // config.disc_minibatches

    def loss_fn(p, learner_batch, expert_batch, penalty_key):
        disc = eqx.combine(p, static)
        logits_of = lambda b: jax.vmap(disc.logit)(b["obs"], b["actions"], b["next_obs"], b["done"], b["log_pi"])  # noqa: E731
        learner_logits, expert_logits = logits_of(learner_batch), logits_of(expert_batch)
        loss = discriminator_loss(expert_logits, learner_logits)
        if config.grad_penalty > 0:
            loss = loss + config.grad_penalty * _gradient_penalty(disc, learner_batch, expert_batch, spec, penalty_key)
        aux = {
            "disc_loss": loss,
            "disc_accuracy_expert": jnp.mean(expert_logits > 0),
            "disc_accuracy_learner": jnp.mean(learner_logits < 0),
        }
        return loss, aux

    def step(carry, step_key):
        p, o = carry
        learner_key, expert_key, penalty_key = jax.random.split(step_key, 3)
        learner_batch = _take(learner_data, jax.random.choice(learner_key, n_learner, (batch_size,), replace=False))
        expert_rows = jax.random.randint(expert_key, (batch_size,), 0, expert["count"])
        expert_batch = _take({k: expert[k] for k in ("obs", "actions", "next_obs", "done")}, expert_rows)
        learner_batch["log_pi"], expert_batch["log_pi"] = log_pi(learner_batch), log_pi(expert_batch)
        (_, aux), grads = jax.value_and_grad(loss_fn, has_aux=True)(p, learner_batch, expert_batch, penalty_key)
        updates, o = optimizer.update(grads, o, p)
        return (optax.apply_updates(p, updates), o), aux

    n_updates = config.disc_epochs * config.disc_minibatches
    (params, opt_state), aux = jax.lax.scan(step, (params, opt_state), jax.random.split(key, n_updates))
    return params, opt_state, jax.tree.map(jnp.mean, aux)


def _take(data: dict, rows) -> dict:
    return {name: value[rows] for name, value in data.items()}


def _gradient_penalty(disc, learner_batch, expert_batch, spec: EnvSpec, key) -> jax.Array:
    """``E[(||grad l(x_mix)|| - 1)^2]`` over random mixtures of expert and learner inputs
    (observations, next observations and continuous actions; discrete actions stay the learner's)."""
    mix = jax.random.uniform(key, (learner_batch["obs"].shape[0],))
    blend = lambda a, b: mix.reshape(-1, *([1] * (a.ndim - 1))) * a + (1 - mix.reshape(-1, *([1] * (a.ndim - 1)))) * b  # noqa: E731
    obs, next_obs = (
        blend(expert_batch["obs"], learner_batch["obs"]),
        blend(expert_batch["next_obs"], learner_batch["next_obs"]),
    )
    continuous = spec.action_kind == "continuous"
    actions = blend(expert_batch["actions"], learner_batch["actions"]) if continuous else learner_batch["actions"]

    def logit(o, a, n, d, lp):
        return disc.logit(o, a, n, d, lp)

    grads = jax.vmap(jax.grad(logit, argnums=(0, 1, 2) if continuous else (0, 2)))(
        obs, actions, next_obs, learner_batch["done"], learner_batch["log_pi"]
    )
    norms = jnp.sqrt(sum(jnp.sum(g.reshape(g.shape[0], -1) ** 2, axis=1) for g in grads) + 1e-12)
    return jnp.mean((norms - 1.0) ** 2)


def train(
    key: PRNGKeyArray,
    config: AdversarialConfig,
    env_id: str,
    demos: Sequence[Trajectory] | Transitions,
    *,
    progress: bool = True,
    on_evaluation: Callable[[RLResult], None] | None = None,
) -> AdversarialResult:
    """GAIL (``GAILConfig``) or AIRL (``AIRLConfig``) from expert ``demos`` on ``env_id``
    (trajectories, or transitions such as ``apprentice.data.subsample``'s).

    Example:
        >>> demos = rollout(experts.load("CartPole-v1"), "CartPole-v1", n_episodes=1, seed=0)
        >>> result = train(jax.random.key(0), GAILConfig(), "CartPole-v1", demos)
        >>> result.rl.metrics[-1]["eval_return"], result.rl.metrics[-1]["disc_accuracy_expert"]
    """
    spec, learner, disc_static = _prepare(config, env_id, demos)
    title = config.algorithm.upper()
    if resolve_backend(config.ppo.backend, env_id) == "jax":
        from apprentice.algorithms.rl.ppo_jax import run_learner_on_jax
        from apprentice.envs.jax_envs import make_jax_env

        result = run_learner_on_jax(
            key, config.ppo, make_jax_env(env_id), learner, title, progress=progress, on_evaluation=on_evaluation
        )
    else:
        result = run_learner_on_gymnasium(
            key, config.ppo, env_id, learner, title, progress=progress, on_evaluation=on_evaluation
        )
    return AdversarialResult(result, eqx.combine(result.learner_state.disc_params, disc_static))


def train_seeds(
    keys: PRNGKeyArray,
    config: AdversarialConfig,
    env_id: str,
    demos_per_seed: Sequence[Sequence[Trajectory] | Transitions],
    *,
    progress: bool = True,
) -> list[AdversarialResult]:
    """One GAIL or AIRL run per key, each on its own expert samples (``demos_per_seed[i]`` for
    ``keys[i]``), all in one vmapped, jitted call. The pure-JAX backend only: ``env_id`` must have
    a JAX env and ``config.ppo.backend`` not be ``gymnasium``."""
    if resolve_backend(config.ppo.backend, env_id) != "jax":
        raise ValueError(
            f"{config.algorithm} train_seeds: expected an env with a pure-JAX backend and backend "
            f"'auto' or 'jax', got {env_id!r} with backend {config.ppo.backend!r}"
        )
    if len(demos_per_seed) != keys.shape[0]:
        raise ValueError(
            f"{config.algorithm} train_seeds: expected one expert dataset per key ({keys.shape[0]}), "
            f"got {len(demos_per_seed)}"
        )
    from apprentice.algorithms.rl.ppo_jax import run_learner_seeds_on_jax
    from apprentice.envs.jax_envs import make_jax_env

    for demos in demos_per_seed:
        _check_demos(config, env_id, demos)
    size = max(len(expert_transitions(demos)) for demos in demos_per_seed)
    experts = [expert_arrays(demos, size, env_spec(env_id)) for demos in demos_per_seed]
    stacked = jax.tree.map(lambda *rows: jnp.stack(rows), *experts)
    _, learner, disc_static = _prepare(config, env_id, demos_per_seed[0])
    results = run_learner_seeds_on_jax(
        keys,
        config.ppo,
        make_jax_env(env_id),
        learner,
        config.algorithm.upper(),
        init_args=(stacked,),
        progress=progress,
    )
    return [AdversarialResult(r, eqx.combine(r.learner_state.disc_params, disc_static)) for r in results]


def _prepare(config: AdversarialConfig, env_id: str, demos: Sequence[Trajectory] | Transitions):
    """Validate the demonstrations against the env; the learner and the discriminator's static part."""
    spec = _check_demos(config, env_id, demos)
    learner, disc_static = adversarial_learner(config, spec, demos)
    return spec, learner, disc_static


def _check_demos(config: AdversarialConfig, env_id: str, demos: Sequence[Trajectory] | Transitions) -> EnvSpec:
    if not isinstance(demos, Transitions) and not demos:
        raise ValueError(f"{config.algorithm}: expected at least one expert trajectory, got none")
    spec = env_spec(env_id)
    needs_actions = config.discriminator_input == "state_action"
    require_data_matches(spec, expert_transitions(demos), f"{config.algorithm} demonstrations", actions=needs_actions)
    return spec
