"""One rule for continuous actions on every path: the env is sent, and the data record, the action
clipped into the box (``executed_actions``).

The case: MountainCarContinuous-v0 charges ``0.1 a^2`` on the action it is sent, clipped or not, and
its box is [-1, 1]. A policy whose mean is 3.0 executes 1.0 every step; never reaching the goal in
999 steps, it scores 999 * -0.1 = -99.9. Sent the raw 3.0, the env reports 999 * -0.9 = -899.1.
"""

from __future__ import annotations

import json

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from apprentice.algorithms.dagger.dagger import MixtureActor
from apprentice.algorithms.dagger.dart import NoisyExpertActor, fitted_noise
from apprentice.algorithms.dagger.hg_dagger import ActionDiscrepancyGate, GatedActor
from apprentice.algorithms.irl.adversarial import AIRLConfig, GAILConfig, adversarial_learner
from apprentice.algorithms.rl.evaluation import mean_policy_return
from apprentice.algorithms.rl.ppo_core import OnPolicyLearner, PPOConfig, PPOState, make_agent, ppo_learner
from apprentice.algorithms.rl.ppo_host import run_learner_on_gymnasium
from apprentice.algorithms.rl.ppo_jax import run_learner_on_jax
from apprentice.cli import main
from apprentice.data.trajectory import Transitions
from apprentice.envs import env_spec, executed_actions, make_jax_env, scan_rollout
from apprentice.evaluation import evaluate
from apprentice.policies import PolicyActor, PolicyArchitecture, make_policy, save_policy
from apprentice.rollout import rollout

ENV = "MountainCarContinuous-v0"
MEAN = 3.0
EXECUTED_RETURN = -99.9
"""999 steps of the executed action 1.0 at 0.1 a^2 each (the raw 3.0 would give -899.1)."""
BACKENDS = ("gymnasium", "jax")


def constant(value: float):
    return lambda obs: np.full((len(obs), 1), value, np.float32)


def with_constant_mean(policy, mean: float = MEAN):
    """``policy`` (a Gaussian head) with mean ``mean`` everywhere and the smallest std it allows."""
    last = policy.head.linear
    bias = jnp.array([mean, -20.0])  # raw log-std -20: tanh = -1, log-std at its floor
    return eqx.tree_at(
        lambda p: (p.head.linear.weight, p.head.linear.bias), policy, (jnp.zeros_like(last.weight), bias)
    )


@pytest.fixture(scope="module")
def spec():
    return env_spec(ENV)


@pytest.fixture(scope="module")
def architecture():
    return PolicyArchitecture(head="gaussian", hidden_sizes=(8,))


@pytest.fixture(scope="module")
def policy(spec, architecture):
    return with_constant_mean(make_policy(jax.random.key(0), spec, architecture))


@pytest.fixture(scope="module")
def clipped_return():
    """The return of sending 1.0 (the executed action) on the same seeds: the reference."""
    returns = [t.episode_return for t in rollout(constant(1.0), ENV, n_episodes=2, seed=1000)]
    assert returns == pytest.approx([EXECUTED_RETURN] * 2, abs=1e-3)
    return returns[0]


def in_box(actions, spec) -> bool:
    actions = np.asarray(actions)
    return bool((actions >= np.array(spec.action_low)).all() and (actions <= np.array(spec.action_high)).all())


def test_executed_actions_clips_continuous_actions_and_keeps_discrete_ones(spec):
    raw = np.array([[3.0], [-0.5], [-7.0]], np.float32)
    clipped = executed_actions(spec, raw)
    assert clipped.dtype == np.float32 and clipped.tolist() == [[1.0], [-0.5], [-1.0]]
    traced = jax.jit(lambda a: executed_actions(spec, a))(jnp.asarray(raw))
    np.testing.assert_array_equal(np.asarray(traced), clipped)
    assert executed_actions(spec, np.array([[3]])).tolist() == [[1.0]]  # integers become floats, then clip
    cartpole = env_spec("CartPole-v1")
    np.testing.assert_array_equal(executed_actions(cartpole, np.array([0, 1, 1])), [0, 1, 1])


@pytest.mark.parametrize("backend", BACKENDS)
def test_rollout_sends_and_records_the_executed_action(backend, spec, clipped_return):
    trajectories = rollout(constant(MEAN), ENV, n_episodes=2, seed=1000, backend=backend)
    assert all(in_box(t.actions, spec) for t in trajectories)
    expected = clipped_return if backend == "gymnasium" else EXECUTED_RETURN
    assert [t.episode_return for t in trajectories] == pytest.approx([expected] * 2, abs=1e-3)


def test_scan_rollout_steps_the_executed_action(spec):
    env = make_jax_env(ENV)
    _, batch = scan_rollout(lambda key, obs: jnp.full((obs.shape[0], 1), MEAN), env, jax.random.key(0), 2, 999)
    assert in_box(batch["actions"], spec)
    np.testing.assert_allclose(np.asarray(batch["rewards"]).sum(axis=0), [EXECUTED_RETURN] * 2, atol=1e-3)


@pytest.mark.parametrize("deterministic", [True, False])
def test_evaluate_reports_the_return_of_the_executed_action(deterministic, policy, clipped_return):
    result = evaluate(policy, ENV, n_episodes=2, seed=1000, deterministic=deterministic)
    assert result.returns == pytest.approx([clipped_return] * 2, abs=1e-4)


def test_rl_evaluation_reports_the_return_of_the_executed_action(policy, clipped_return):
    assert mean_policy_return(policy, ENV, n_episodes=2, seed=1000) == pytest.approx(clipped_return, abs=1e-4)


def test_cli_evaluate_reports_the_return_of_the_executed_action(
    tmp_path, capsys, policy, spec, architecture, clipped_return
):
    save_policy(tmp_path / "policy", policy, spec, architecture)
    assert main(["evaluate", "--policy", str(tmp_path / "policy"), "--episodes", "2", "--seed", "1000", "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["returns"] == pytest.approx([clipped_return] * 2, abs=1e-4)


def test_policy_actor_with_a_spec_gives_executed_actions(policy, spec):
    obs = np.zeros((4, 2), np.float32)
    assert np.asarray(PolicyActor(policy, jax.random.key(0), True)(obs)) == pytest.approx(MEAN)  # the raw mode
    for deterministic in (True, False):
        actions = PolicyActor(policy, jax.random.key(0), deterministic, spec=spec)(obs)
        assert actions.dtype == np.float32 and actions.tolist() == [[1.0]] * 4


def test_dagger_mixture_records_the_executed_learner_action(policy, spec, clipped_return):
    learner = PolicyActor(policy, jax.random.key(0), True, spec=spec)
    for actor_learner in (learner, PolicyActor(policy, jax.random.key(0), True)):  # the rollout clips either way
        actor = MixtureActor(constant(-1.0), actor_learner, beta=0.0, seed=0)
        trajectories = rollout(actor, ENV, n_episodes=2, seed=1000)
        assert all(in_box(t.actions, spec) for t in trajectories)
        assert [t.episode_return for t in trajectories] == pytest.approx([clipped_return] * 2, abs=1e-4)


def test_hg_dagger_gate_compares_the_executed_learner_action(policy, spec, clipped_return):
    """The learner's 3.0 executes as the expert's 1.0: no takeover, and the learner's return."""
    learner = PolicyActor(policy, jax.random.key(0), True, spec=spec)
    actor = GatedActor(constant(1.0), learner, ActionDiscrepancyGate(threshold=0.5))
    trajectories = rollout(actor, ENV, n_episodes=2, seed=1000)
    assert not any(t.infos["labeled"].any() for t in trajectories)
    assert [t.episode_return for t in trajectories] == pytest.approx([clipped_return] * 2, abs=1e-4)


def test_dart_executes_noisy_actions_in_the_box_and_fits_noise_on_executed_actions(policy, spec):
    trajectories = rollout(NoisyExpertActor(constant(1.0), spec, noise=3.0, seed=0), ENV, n_steps=500, seed=0)
    assert all(in_box(t.actions, spec) for t in trajectories)
    obs = np.zeros((5, 2), np.float32)
    data = Transitions(
        obs=obs, acts=np.ones((5, 1), np.float32), next_obs=obs, dones=np.zeros(5, bool), weights=np.ones(5, np.float32)
    )
    assert fitted_noise(policy, data, spec) == 0.0  # executes 1.0, the expert's label; raw 3.0 would be off by 2


def constant_ppo_learner(spec, config: PPOConfig, reward_fn=None) -> OnPolicyLearner:
    """PPO whose agent has mean 3.0 everywhere and does not learn (step size 0); its metrics report
    what its rollouts hold."""
    base = ppo_learner(config, spec, reward_fn)
    agent, _ = make_agent(jax.random.key(0), spec, config)
    params, _ = eqx.partition(eqx.tree_at(lambda a: a.policy, agent, with_constant_mean(agent.policy)), eqx.is_array)

    def init(key):
        return PPOState(params, base.init(key).opt_state, base.init(key).stats)

    def learn(state, rollout_batch, key):
        state, metrics, rewards = base.learn(state, rollout_batch, key)
        return (
            state,
            {
                **metrics,
                "max_executed": jnp.max(rollout_batch["executed_actions"]),
                "min_sampled": jnp.min(rollout_batch["actions"]),
                "mean_learned_reward": jnp.mean(rewards),
            },
            rewards,
        )

    return OnPolicyLearner(init, learn, base.agent_params, base.static, base.architecture)


@pytest.mark.parametrize("backend", BACKENDS)
def test_ppo_training_steps_the_executed_action_and_learned_rewards_see_it(backend, spec):
    config = PPOConfig(
        total_steps=999,
        n_envs=1,
        n_steps=999,
        n_epochs=1,
        n_minibatches=1,
        learning_rate=0.0,
        anneal_lr=False,
        eval_episodes=1,
        backend=backend,
    )
    learner = constant_ppo_learner(spec, config, reward_fn=lambda obs, action, next_obs: action[0])
    if backend == "gymnasium":
        result = run_learner_on_gymnasium(jax.random.key(0), config, ENV, learner, "PPO", progress=False)
    else:
        result = run_learner_on_jax(jax.random.key(0), config, make_jax_env(ENV), learner, "PPO", progress=False)
    row = result.metrics[-1]
    assert row["min_sampled"] > 1.0  # the samples, kept for the probability ratio, leave the box ...
    assert row["max_executed"] == 1.0  # ... the env is sent them clipped ...
    assert row["mean_learned_reward"] == pytest.approx(1.0)  # ... and a learned reward sees them clipped
    assert row["train_return"] == pytest.approx(EXECUTED_RETURN, abs=1e-3)
    assert row["eval_return"] == pytest.approx(EXECUTED_RETURN, abs=1e-3)


@pytest.mark.parametrize("config_class", [GAILConfig, AIRLConfig])
def test_the_discriminator_sees_the_executed_learner_action(config_class):
    """Learner samples outside the box train and score the discriminator exactly as the executed
    (clipped) samples do, whatever the raw samples were."""
    spec = env_spec("Pendulum-v1")
    rng = np.random.default_rng(0)
    n_steps, n_envs = 16, 2
    config = config_class(ppo=PPOConfig(n_envs=n_envs, n_steps=n_steps, n_minibatches=1))
    obs = rng.normal(size=(40, 3)).astype(np.float32)
    demos = Transitions(
        obs=obs,
        acts=rng.uniform(-2, 2, (40, 1)).astype(np.float32),
        next_obs=obs,
        dones=np.zeros(40, bool),
        weights=np.ones(40, np.float32),
    )
    learner, _ = adversarial_learner(config, spec, demos)
    state = learner.init(jax.random.key(0))
    raw = rng.normal(0.0, 3.0, (n_steps, n_envs, 1)).astype(np.float32)  # a wide Gaussian: many outside [-2, 2]
    executed = executed_actions(spec, raw)
    assert (raw != executed).any()
    obs = rng.normal(size=(n_steps, n_envs, 3)).astype(np.float32)
    policy = eqx.combine(learner.agent_params(state), learner.static).policy
    log_probs = lambda actions: jax.vmap(jax.vmap(policy.log_prob))(obs, actions)  # noqa: E731
    rollout_batch = {
        "obs": obs,
        "executed_actions": executed,
        "values": np.zeros((n_steps, n_envs), np.float32),
        "rewards": np.zeros((n_steps, n_envs), np.float32),
        "next_obs": rng.normal(size=(n_steps, n_envs, 3)).astype(np.float32),
        "terminated": np.zeros((n_steps, n_envs), np.float32),
        "ended": np.zeros((n_steps, n_envs), np.float32),
    }
    learn = jax.jit(learner.learn)
    # The samples PPO keeps differ (and so do their log-probabilities); what the discriminator sees does not.
    _, raw_metrics, raw_rewards = learn(
        state, {**rollout_batch, "actions": raw, "log_probs": log_probs(raw)}, jax.random.key(1)
    )
    _, metrics, rewards = learn(
        state, {**rollout_batch, "actions": executed, "log_probs": log_probs(executed)}, jax.random.key(1)
    )
    np.testing.assert_array_equal(np.asarray(raw_rewards), np.asarray(rewards))
    for name in ("disc_loss", "disc_accuracy_expert", "disc_accuracy_learner"):
        assert float(raw_metrics[name]) == float(metrics[name])
