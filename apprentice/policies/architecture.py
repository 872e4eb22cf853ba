"""``PolicyArchitecture``: the serializable description the factory builds every network from.

Imports no jax, so that configs (and ``apprentice ... --help``) can name the choices.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from apprentice.field_ranges import AtLeastTwo, NonNegative, PositiveInt, Real, check_ranges
from apprentice.policies.activation import Activation

if TYPE_CHECKING:
    from apprentice.envs.spaces import Space

EncoderKind = Literal["auto", "mlp", "cnn", "impala", "dict"]
CoreKind = Literal["none", "gru", "lstm"]
ChunkExecution = Literal["open_loop", "ensemble"]
HeadKind = Literal["categorical", "gaussian", "deterministic", "gmm", "discretized", "diffusion", "flow"]

LOG_STD_MIN, LOG_STD_MAX = -2.0, 0.0
"""Default range of the Gaussian head's log standard deviation (std in about [0.135, 1]).

Under the Gaussian NLL each squared error is weighted by ``1 / sigma(s)^2``, so the range caps
how much more one state can count than another at ``exp(2 (max - min))``, 55 here. With a wider
``[-5, 2]`` (a ratio of 1.2e6) the fit put sigma at the floor where the mean was easy and raised
it where it was hard (Seitzer et al. 2022): BC from 20 Pendulum-v1 episodes scored as low as 0.44
normalized over training seeds 0-9, against at least 0.999 with ``[-2, 0]``. The mean, which is the
deterministic action, is not limited by the range.
"""


def concrete_encoder(kind: EncoderKind, observation: Space) -> EncoderKind:
    """``kind``, with ``auto`` replaced by the encoder that fits ``observation``: ``dict`` for a
    Dict observation, ``cnn`` for an image (a ``uint8`` array of rank 3), ``mlp`` for a vector."""
    if kind != "auto":
        return kind
    from apprentice.envs.spaces import DictSpace, TupleSpace, describe  # numpy: not at import, for --help

    if isinstance(observation, DictSpace):
        return "dict"
    if isinstance(observation, TupleSpace):
        raise ValueError(
            f"encoder: no encoder takes {describe(observation)} observations yet; expected a Dict or an array"
        )
    return "cnn" if observation.is_image else "mlp"


@dataclass(frozen=True)
class Network:
    """The body of a network: ``encoder -> core``, the one architecture field of every config.

    The factory builds every network of every algorithm from one: policies (with a head, see
    :class:`PolicyArchitecture`), value and Q networks, discriminators (see
    :func:`apprentice.policies.make_value_network`). The encoder maps one observation (or a window
    of ``frame_stack`` of them) to features through ``hidden_sizes``; the core adds memory.
    """

    hidden_sizes: tuple[int, ...] = (256, 256)
    """Widths of the hidden layers (after the CNN torso for image encoders)."""
    activation: Activation = "relu"
    """Hidden-layer nonlinearity."""
    encoder: EncoderKind = "auto"
    """auto (the one that fits the observation: mlp for vectors, cnn for images, dict for a Dict),
    mlp, cnn (Nature-DQN torso), impala (residual torso), dict (one encoder per key)."""
    core: CoreKind = "none"
    """Memory between encoder and head: none, gru or lstm."""
    core_size: PositiveInt = 128
    """Hidden units of a recurrent core."""
    frame_stack: PositiveInt = 1
    """The encoder sees the last this many observations (repeating the first at an episode start)."""

    def __post_init__(self) -> None:
        Network.check(self)

    def check(self) -> None:
        """The body's checks (a subclass's ``__post_init__`` calls them beside its own)."""
        check_ranges(self)
        widths = tuple(self.hidden_sizes)
        if any(int(width) != width or width < 1 for width in widths):
            raise ValueError(f"hidden_sizes: expected positive integers, got {widths}")
        object.__setattr__(self, "hidden_sizes", tuple(int(n) for n in widths))

    @property
    def stateful(self) -> bool:
        """Acting needs a state carried across steps (a recurrent core or a frame stack)."""
        return self.core != "none" or self.frame_stack > 1

    def require_memoryless(self, who: str) -> None:
        """Refuse a recurrent core or a frame stack, for ``who`` (an algorithm without memory yet)."""
        if self.stateful:
            raise ValueError(
                f"{who}: expected a memoryless network (core='none', frame_stack=1), got core={self.core!r}, "
                f"frame_stack={self.frame_stack}; memory is not built for it yet"
            )

    def with_head(self, head: HeadKind, options: HeadOptions | None = None, **head_fields: Any) -> PolicyArchitecture:
        """This body with a policy head: its ``options`` and fields (``squash``, ``log_std_min``, ``log_std_max``)."""
        body = _field_values(self, Network)
        if options is not None:
            body.update(_field_values(options, HeadOptions))
        return PolicyArchitecture(**body, head=head, **head_fields)


@dataclass(frozen=True)
class HeadOptions:
    """The options of the heads that have them (each head reads its own; the rest are ignored)."""

    n_components: PositiveInt = 5
    """gmm: mixture components K."""
    n_bins: AtLeastTwo = 21
    """discretized: bins per action dimension, uniform over the env's action box."""
    diffusion_steps: PositiveInt = 50
    """diffusion: noise levels T of the DDPM schedule (cosine), all of them walked back to sample."""
    flow_steps: PositiveInt = 10
    """flow: Euler steps from noise to an action."""
    denoiser_sizes: tuple[int, ...] = (256, 256)
    """diffusion, flow: hidden widths of the MLP that predicts the noise or the velocity."""
    chunk: PositiveInt = 1
    """Actions predicted at once (ACT's action chunking; any continuous head): 1 is no chunking."""
    chunk_execution: ChunkExecution = "open_loop"
    """How a chunk is executed: open_loop (all k actions, then predict again) or ensemble (predict
    at every step, execute the weighted mean of the predictions for this step: ACT's temporal ensembling)."""
    ensemble_decay: NonNegative = 0.01
    """ensemble: weights exp(-m i) over the predictions for a step, i = 0 the oldest (ACT's m)."""

    def __post_init__(self) -> None:
        check_ranges(self)
        widths = tuple(self.denoiser_sizes)
        if any(int(width) != width or width < 1 for width in widths):
            raise ValueError(f"denoiser_sizes: expected positive integers, got {widths}")
        object.__setattr__(self, "denoiser_sizes", tuple(int(n) for n in widths))


@dataclass(frozen=True)
class PolicyArchitecture(HeadOptions, Network):
    """Everything needed to rebuild a policy's structure (saved as JSON beside its weights).

    ``encoder -> core -> head``: a :class:`Network` body and the head that maps its features to
    an action distribution.
    """

    head: HeadKind = "categorical"
    """Output distribution: categorical (discrete), gaussian or deterministic (continuous)."""
    squash: bool = False
    """Squash continuous actions by tanh into the env's action bounds."""
    log_std_min: Real = LOG_STD_MIN
    """Lower end of the Gaussian head's log-std range."""
    log_std_max: Real = LOG_STD_MAX
    """Upper end of the Gaussian head's log-std range."""

    def __post_init__(self) -> None:
        Network.check(self)
        HeadOptions.__post_init__(self)

    @property
    def stateful(self) -> bool:
        """Acting needs a state: a recurrent core, a frame stack or a chunk being executed."""
        return super().stateful or self.chunk > 1

    @property
    def network(self) -> Network:
        """The body without the head."""
        return Network(**_field_values(self, Network))


def _field_values(value: Any, cls: type) -> dict[str, Any]:
    """The values ``value`` holds for the fields of dataclass ``cls`` (one of its bases)."""
    return {f.name: getattr(value, f.name) for f in dataclasses.fields(cls)}


def architecture_from_dict(fields: dict) -> PolicyArchitecture:
    """Inverse of ``dataclasses.asdict`` for :class:`PolicyArchitecture` (older files lack the newer fields)."""
    known = {f.name for f in dataclasses.fields(PolicyArchitecture)}
    unknown = set(fields) - known
    if unknown:
        raise ValueError(f"policy architecture: unknown fields {sorted(unknown)}; expected some of {sorted(known)}")
    return PolicyArchitecture(**fields)
