"""Action-value networks: ``Q(s, a)``, each a value network of the factory's over the observation and the action."""

from __future__ import annotations

import equinox as eqx
import jax
from jaxtyping import Array, Float, PRNGKeyArray

from apprentice.envs.spec import EnvSpec
from apprentice.policies.architecture import Network
from apprentice.policies.build import make_value_network
from apprentice.policies.value import ValueNetwork


class TwinQ(eqx.Module):
    """Two independent critics ``Q_1, Q_2``; taking their minimum curbs overestimation (Fujimoto et al. 2018).

    Example:
        >>> critic = TwinQ(env_spec("Pendulum-v1"), Network((256, 256)), key=jax.random.key(0))
        >>> q1, q2 = critic(jnp.zeros(3), jnp.zeros(1))
    """

    q1: ValueNetwork
    q2: ValueNetwork

    def __init__(self, spec: EnvSpec, network: Network, *, key: PRNGKeyArray):
        key1, key2 = jax.random.split(key)
        self.q1 = make_value_network(key1, spec.observation, network, spec.action_dim, who="SAC's critic")
        self.q2 = make_value_network(key2, spec.observation, network, spec.action_dim, who="SAC's critic")

    def __call__(self, obs, action: Float[Array, " act"]) -> tuple[Float[Array, ""], Float[Array, ""]]:
        return self.q1(obs, action)[0], self.q2(obs, action)[0]
