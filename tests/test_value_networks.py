"""Tier 1-2: every network of every algorithm from the one factory (values, critics, discriminators)."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from apprentice.algorithms.configs.irl import GAILConfig
from apprentice.algorithms.configs.rl import PPOConfig, SACConfig
from apprentice.algorithms.irl.adversarial import make_discriminator
from apprentice.algorithms.rl.critics import TwinQ
from apprentice.algorithms.rl.ppo_core import make_agent
from apprentice.envs import EnvSpec, env_spec
from apprentice.envs.spaces import ArraySpace, DictSpace
from apprentice.policies import MLP, Network, make_value_network

IMAGE_SPEC = EnvSpec.for_box(
    (36, 36, 3), "uint8", action_kind="continuous", action_shape=(2,), action_low=(-1.0, -1.0), action_high=(1.0, 1.0)
)
DICT_SPEC = EnvSpec(
    observation=DictSpace((("image", ArraySpace((36, 36, 3), "uint8")), ("speed", ArraySpace((2,))))),
    action_kind="discrete",
    n_actions=3,
    env_id="dict-toy",
)


def test_a_vector_value_network_starts_where_the_plain_mlp_with_its_key_does():
    """The factory's value network on a vector is the MLP over the standardized observation and the
    extra inputs, with the MLP's own initialization (so the move onto the factory changed no run)."""
    key, network = jax.random.key(3), Network((16, 8), "tanh")
    value = make_value_network(key, ArraySpace((4,)), network, n_inputs=2, obs_mean=np.ones(4), obs_std=np.full(4, 2.0))
    plain = MLP(6, 1, (16, 8), "tanh", key=key)
    obs, action = jnp.arange(4.0), jnp.array([0.5, -1.0])
    expected = plain(jnp.concatenate([(obs - 1.0) / 2.0, action]))
    np.testing.assert_allclose(value(obs, action), expected, rtol=1e-6)
    assert value(obs, action).shape == (1,)


def test_value_networks_read_images_and_dicts_through_the_policy_encoders():
    image = jnp.zeros((36, 36, 3), jnp.uint8)
    cnn = make_value_network(jax.random.key(0), IMAGE_SPEC.observation, Network((32,), encoder="cnn"), n_inputs=2)
    assert cnn(image, jnp.ones(2)).shape == (1,)
    assert cnn.encoder.torso.out_size > 0  # the Nature torso, then the hidden layer over features + action
    both = make_value_network(jax.random.key(0), DICT_SPEC.observation, Network((8,), encoder="dict"))
    assert both({"image": image, "speed": jnp.ones(2)}).shape == (1,)
    with pytest.raises(ValueError, match=r"value network: .*need --encoder dict, got 'mlp'"):
        make_value_network(jax.random.key(0), DICT_SPEC.observation, Network(encoder="mlp"))
    with pytest.raises(ValueError, match="images"):
        make_value_network(jax.random.key(0), IMAGE_SPEC.observation, Network(encoder="mlp"))
    default = make_value_network(jax.random.key(0), IMAGE_SPEC.observation, Network((32,)))
    assert type(default.encoder).__name__ == "CNNEncoder"  # auto: the encoder that fits an image


def test_sac_critics_and_gail_discriminators_take_an_image_encoder_from_the_one_description():
    network = Network((16,), encoder="cnn")
    critic = TwinQ(IMAGE_SPEC, network, key=jax.random.key(0))
    obs = jnp.full((4, 36, 36, 3), 128, jnp.uint8)
    q1, q2 = jax.vmap(critic)(obs, jnp.zeros((4, 2)))
    assert q1.shape == q2.shape == (4,) and not np.allclose(q1, q2)  # two independent critics

    def mean_q(c):
        return jnp.mean(jax.vmap(c)(obs, jnp.zeros((4, 2)))[0])

    grads = eqx.filter_grad(mean_q)(critic)
    conv_grad = grads.q1.encoder.torso.convs[0].weight
    assert float(jnp.abs(conv_grad).sum()) > 0  # the torso learns through the critic's loss
    config = GAILConfig(ppo=PPOConfig(network=network))
    disc = make_discriminator(config, IMAGE_SPEC, None, None, jax.random.key(1))
    assert disc.logit(obs[0], jnp.zeros(2), obs[0], 0.0, 0.0).shape == ()


def test_ppo_builds_its_value_from_the_policy_network():
    agent, architecture = make_agent(jax.random.key(0), env_spec("CartPole-v1"), PPOConfig())
    assert architecture.network == PPOConfig().network == Network((64, 64), "tanh")
    assert [layer.weight.shape for layer in agent.value_net.net.layers] == [(64, 4), (64, 64), (1, 64)]


def test_memoryless_critics_refuse_a_core_or_a_frame_stack_in_one_line():
    with pytest.raises(ValueError, match=r"SACConfig.network: expected a memoryless network .* got core='gru'"):
        SACConfig(network=Network(core="gru"))
    with pytest.raises(ValueError, match="frame_stack=2"):
        make_value_network(jax.random.key(0), ArraySpace((4,)), Network(frame_stack=2), who="a critic")
    with pytest.raises(ValueError, match=r"hidden_sizes: expected positive integers, got \(0,\)"):
        Network((0,))
