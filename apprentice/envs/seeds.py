"""The library's one scheme of env seeds: training data and evaluation never share a start state.

A rollout seeded ``s`` with ``n_envs`` copies seeds copy ``i`` with ``s + i``, and every later
episode of a copy continues from that copy's random generator; so a call consumes the seed
*range* ``[s, s + n_envs)``, and two calls can share a start state only if their ranges meet.
The scheme hands out ranges that never meet:

* **Collection band** ``[0, 10**9)``: every env that produces training data (demonstrations,
  interactive rounds, RL training envs, preference queries). Its seeds are decimal fields,

      seed = run_seed * 10**6 + stream * 10**5 + index * 100 + i,    0 <= i < n_envs <= 100,

  with ``run_seed < 1000``, ``index < 1000`` and ``stream`` one of :class:`Stream` (< 10). Each
  (run seed, stream, index) owns a block of 100 seeds, so different streams of one run seed
  (its demonstrations, DAgger round r, its RL envs) and different run seeds never overlap.
* **Evaluation band** ``[10**9, 2 * 10**9)``: every evaluation, ``evaluation_seed(run_seed)
  = 10**9 + run_seed * 10**6`` (a block of 10**6 seeds per run seed). The default run seed 0
  gives ``10**9`` for every method and seed of a benchmark, so all of them are scored on the
  same episodes.

Every seed is below ``2**31``, so it fits any env's int32 seed. Learners that draw their env seed
from a key (PPO, SAC, preference queries) map the draw into their stream with
:func:`drawn_collection_seed`. A derived range that would leave its block raises a ValueError
(too many rounds, too many env copies, a run seed out of range).

Example:
    >>> collection_seed(0, Stream.DEMONSTRATIONS)         # run 0's demonstrations
    0
    >>> collection_seed(3, Stream.INTERACTIVE, index=2)   # round 2 of a DAgger run with run seed 3
    3100200
    >>> evaluation_seed()
    1000000000
"""

from __future__ import annotations

import enum

COLLECTION_END = 10**9
"""Collection seeds are ``[0, COLLECTION_END)``; evaluation seeds start here."""
EVALUATION_END = 2 * 10**9
"""Evaluation seeds are ``[COLLECTION_END, EVALUATION_END)``."""
RUN_SEEDS = 1000
"""Run seeds are ``0 .. RUN_SEEDS - 1``."""
RUN_BLOCK = 10**6
"""Seeds per run seed, in each band."""
STREAM_BLOCK = 10**5
"""Seeds per (run seed, stream)."""
MAX_ENVS = 100
"""Seeds per (run seed, stream, index): the most env copies one collection call may seed."""
INDICES = STREAM_BLOCK // MAX_ENVS
"""Indices (rounds, datasets) per (run seed, stream)."""


class Stream(enum.IntEnum):
    """What a collection seed is for; each stream owns its own block of every run seed."""

    DEMONSTRATIONS = 0
    """Demonstrator episodes that become training data (BC, IRL, round 0 of DAgger/HG-DAgger/DART);
    ``index`` tells apart several datasets of one run (e.g. expert and degraded demonstrators)."""
    INTERACTIVE = 1
    """Round ``index >= 1`` of an interactive run (DAgger, HG-DAgger, DART)."""
    RL = 2
    """The env copies an RL learner trains in (PPO, SAC, the RL inside GAIL/AIRL)."""
    PREFERENCE_POLICY = 3
    """Rollouts of the current policy whose segments are compared (preference learning)."""
    PREFERENCE_RANDOM = 4
    """Rollouts of a random policy whose segments are compared (preference learning)."""


def collection_seed(run_seed: int, stream: Stream, index: int = 0, n_envs: int = 1) -> int:
    """The first env seed of ``stream``'s ``index``-th collection for ``run_seed``; the call may seed
    ``n_envs`` copies, ``[seed, seed + n_envs)``, all inside the block that no other
    (run seed, stream, index) and no evaluation uses.

    ``seed = run_seed * 10**6 + stream * 10**5 + index * 100`` (see the module docstring).

    Example:
        >>> collection_seed(1, Stream.RL, n_envs=16)
        1200000
    """
    _require_run_seed(run_seed)
    stream = Stream(stream)
    if not 0 <= index < INDICES:
        raise ValueError(
            f"collection index ({stream.name} round or dataset): expected 0 <= index < {INDICES}, got {index}"
        )
    _require_envs(n_envs, MAX_ENVS, f"collection ({stream.name}, index {index})")
    return run_seed * RUN_BLOCK + stream * STREAM_BLOCK + index * MAX_ENVS


def drawn_collection_seed(draw: int, stream: Stream, n_envs: int = 1) -> int:
    """The collection seed of ``stream`` picked by a random non-negative ``draw`` (a learner that
    gets its env seed from a key): block ``draw mod (RUN_SEEDS * INDICES)`` of ``stream``, so the
    draw lands in that stream of some run seed, never in another stream nor in an evaluation.

    Example:
        >>> drawn_collection_seed(int(jax.random.randint(key, (), 0, 2**31 - 1)), Stream.RL, n_envs=8)
    """
    if draw < 0:
        raise ValueError(f"draw: expected a non-negative integer, got {draw}")
    run_seed, index = divmod(draw % (RUN_SEEDS * INDICES), INDICES)
    return collection_seed(run_seed, stream, index, n_envs)


def evaluation_seed(run_seed: int = 0, n_envs: int = 1) -> int:
    """The first env seed of evaluation episodes: ``10**9 + run_seed * 10**6``, with room for
    ``n_envs`` copies; never a collection seed.

    Example:
        >>> evaluate(policy, "CartPole-v1", n_episodes=20, seed=evaluation_seed())
    """
    _require_run_seed(run_seed)
    _require_envs(n_envs, RUN_BLOCK, "evaluation")
    return COLLECTION_END + run_seed * RUN_BLOCK


def require_evaluation_seed(seed: int, n_envs: int, where: str) -> None:
    """Raise unless ``[seed, seed + n_envs)`` lies in the evaluation band (a config's ``eval_seed``)."""
    if not (COLLECTION_END <= seed and seed + n_envs <= EVALUATION_END):
        raise ValueError(
            f"{where}: expected an evaluation seed range inside [{COLLECTION_END}, {EVALUATION_END}) "
            f"(see apprentice.envs.seeds.evaluation_seed), got [{seed}, {seed + n_envs})"
        )


def _require_run_seed(run_seed: int) -> None:
    if not 0 <= run_seed < RUN_SEEDS:
        raise ValueError(f"run_seed: expected 0 <= run_seed < {RUN_SEEDS}, got {run_seed}")


def _require_envs(n_envs: int, limit: int, what: str) -> None:
    if not 1 <= n_envs <= limit:
        raise ValueError(f"{what}: expected 1 to {limit} env copies (one seed each, inside its block), got {n_envs}")
