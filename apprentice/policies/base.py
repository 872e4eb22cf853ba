"""``Policy``: encoder -> core -> head, acting statefully; and the frozen observation normalizer.

Every network that acts is a :class:`Policy` built by :func:`~apprentice.policies.make_policy`
from a :class:`~apprentice.policies.PolicyArchitecture`, which the policy carries (so what is
saved beside the weights is read from the policy itself).

Acting is stateful: ``initial_state()`` and ``step(state, obs, reset, key) -> (state, action)``,
where ``reset`` marks the first step of an episode. The state holds the core's memory and, with
a frame stack of ``K``, the last ``K`` observations (at an episode start the window is filled
with its first observation). A memoryless policy (no core, ``K = 1``) has state ``((), ())``
and also offers ``act``, ``log_prob``, ``entropy`` and ``loss`` on single observations; for
stateful policies those take the encoder's input (a window of ``K`` observations) and a
recurrent policy is trained on whole sequences through :meth:`Policy.sequence_features`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Bool, Float, PRNGKeyArray

from apprentice.envs.spaces import Space, map_space
from apprentice.policies.chunking import execute, initial_plan

if TYPE_CHECKING:
    from apprentice.policies.architecture import PolicyArchitecture
    from apprentice.policies.cores import Core
    from apprentice.policies.encoders import Encoder
    from apprentice.policies.heads import Head


class ObsNormalizer(eqx.Module):
    """``(obs - mean) / std`` with statistics fixed at construction (no gradient flows into them)."""

    mean: Float[Array, " obs"]
    std: Float[Array, " obs"]

    def __call__(self, obs: Float[Array, " obs"]) -> Float[Array, " obs"]:
        mean, std = jax.lax.stop_gradient(self.mean), jax.lax.stop_gradient(self.std)
        return (jnp.ravel(obs) - mean) / std


class Policy(eqx.Module):
    """``head(core(encoder(obs)))`` over a single observation; batch it with ``jax.vmap``.

    Example:
        >>> policy = make_policy(jax.random.key(0), env_spec("CartPole-v1"))
        >>> state = policy.initial_state()
        >>> state, action = policy.step(state, jnp.zeros(4), jnp.bool_(True), jax.random.key(1))
    """

    encoder: Encoder
    core: Core
    head: Head
    architecture: PolicyArchitecture = eqx.field(static=True)
    observation: Space = eqx.field(static=True)

    @property
    def recurrent(self) -> bool:
        return self.core.recurrent

    @property
    def frame_stack(self) -> int:
        return self.architecture.frame_stack

    @property
    def normalizer(self) -> ObsNormalizer:
        """The observation normalizer of an MLP encoder (what PPO's running statistics update)."""
        normalizer = getattr(self.encoder, "normalizer", None)
        if normalizer is None:
            raise ValueError(
                f"{type(self.encoder).__name__} has no single observation normalizer; expected an mlp encoder"
            )
        return normalizer

    # Memoryless use: one observation (or one frame-stacked window) in.
    def features(self, obs: Any) -> Float[Array, " features"]:
        if self.recurrent:
            raise ValueError(
                f"a policy with a {self.architecture.core} core acts on sequences: use step() or "
                "sequence_features(), not a single observation"
            )
        return self.encoder(obs)

    @property
    def chunked(self) -> bool:
        """It predicts chunks of actions and executes them through its state (see ``policies.chunking``)."""
        return self.architecture.chunk > 1

    def act(self, key: PRNGKeyArray, obs: Any, deterministic: bool = False) -> Array:
        """An action for ``obs``: sampled, or the mode when ``deterministic``."""
        self._require_single_actions("act")
        return self.head.act(key, self.features(obs), deterministic)

    def mode(self, obs: Any) -> Array:
        """The deterministic action."""
        self._require_single_actions("mode")
        return self.head.mode(self.features(obs))

    def _require_single_actions(self, name: str) -> None:
        if self.chunked:
            raise ValueError(
                f"a policy that predicts chunks of {self.architecture.chunk} actions executes them through its "
                f"state: use step(), not {name}()"
            )

    def log_prob(self, obs: Any, action: Array) -> Float[Array, ""]:
        """``log pi(action | obs)`` (heads with a density only)."""
        return self.head.log_prob(self.features(obs), action)

    def entropy(self, obs: Any) -> Float[Array, ""]:
        """Entropy of ``pi(. | obs)`` (heads with a density only)."""
        return self.head.entropy(self.features(obs))

    def loss(self, key: PRNGKeyArray, obs: Any, expert_action: Array) -> Float[Array, ""]:
        """The head's imitation loss of ``expert_action`` at ``obs``."""
        return self.head.loss(key, self.features(obs), expert_action)

    def sample_with_log_prob(self, key: PRNGKeyArray, obs: Any) -> tuple[Array, Float[Array, ""]]:
        """A reparameterized sample and its log-density (a Gaussian head's, see ``GaussianHead``)."""
        sample = getattr(self.head, "sample_with_log_prob", None)
        if sample is None:
            raise ValueError(f"{type(self.head).__name__} has no reparameterized sample; expected a gaussian head")
        return sample(key, self.features(obs))

    # Stateful acting.
    def initial_state(self) -> tuple[Any, Any, Any]:
        """``(core state, frames, plan)`` before an episode's first step (``plan``: the chunk being executed)."""
        frames: Any = ()
        if self.frame_stack > 1:
            frames = map_space(lambda leaf: jnp.zeros((self.frame_stack, *leaf.shape), leaf.dtype), self.observation)
        plan: Any = ()
        if self.chunked:
            arch = self.architecture
            plan = initial_plan(arch.chunk, self.head.action_dim, arch.chunk_execution)  # type: ignore[attr-defined]
        return self.core.initial_state(), frames, plan

    def _window(self, frames: Any, obs: Any, reset: Bool[Array, ""]) -> tuple[Any, Any]:
        if self.frame_stack == 1:
            return frames, obs

        def push(window, x):
            shifted = jnp.concatenate([window[1:], x[None].astype(window.dtype)])
            return jnp.where(reset, jnp.broadcast_to(x[None], window.shape).astype(window.dtype), shifted)

        frames = jax.tree.map(push, frames, obs)
        return frames, frames

    def step_features(self, state: tuple[Any, Any, Any], obs: Any, reset: Bool[Array, ""]) -> tuple[Any, Array]:
        """``(next_state, features)`` for one step; ``reset`` marks an episode's first observation."""
        core_state, frames, plan = state
        frames, window = self._window(frames, obs, reset)
        core_state, features = self.core(core_state, self.encoder(window), reset)
        return (core_state, frames, plan), features

    def step(
        self,
        state: tuple[Any, Any, Any],
        obs: Any,
        reset: Bool[Array, ""],
        key: PRNGKeyArray,
        deterministic: bool = False,
    ) -> tuple[tuple[Any, Any, Any], Array]:
        """``(next_state, action)``: one step of acting."""
        (core_state, frames, plan), features = self.step_features(state, obs, reset)
        action = self.head.act(key, features, deterministic)
        if self.chunked:
            arch = self.architecture
            plan, action = execute(plan, action, reset, arch.chunk_execution, arch.ensemble_decay)
        return (core_state, frames, plan), action

    def sequence_features(
        self, obs: Any, resets: Bool[Array, " T"], state: tuple[Any, Any, Any] | None = None
    ) -> Array:
        """Features ``(T, F)`` of a sequence of observations (leading axis ``T``).

        The same as :meth:`step_features` step by step (tested), computed faster: the frame
        windows first (a scan that only moves observations), then the encoder on all ``T``
        windows at once, and only the core, where there is one, in a scan.
        """
        core_state, frames, _ = self.initial_state() if state is None else state
        windows = obs
        if self.frame_stack > 1:
            windows = jax.lax.scan(lambda f, inputs: self._window(f, *inputs), frames, (obs, resets))[1]
        features = jax.vmap(self.encoder)(windows)
        if not self.recurrent:
            return features

        def core_step(carry, inputs):
            return self.core(carry, *inputs)

        return jax.lax.scan(core_step, core_state, (features, resets))[1]

    def weight_sq_norm(self) -> Float[Array, ""]:
        """Sum of squared weight entries of every linear and convolutional layer (biases, cells and
        normalizers excluded): the L2 penalty."""
        layers = jax.tree.leaves(self, is_leaf=lambda x: isinstance(x, (eqx.nn.Linear, eqx.nn.Conv)))
        return sum(jnp.sum(layer.weight**2) for layer in layers if isinstance(layer, (eqx.nn.Linear, eqx.nn.Conv)))  # type: ignore[return-value]
