"""``apprentice bench speed``: BC gradient steps per second and the fraction of matmul peak.

The reference is this machine's dense float32 matmul rate, measured in the same process and
interleaved with the BC measurement (peak, BC, peak, BC, ...), so the ratio is robust to a
shared, noisy machine in a way that a bare time is not.
"""

from __future__ import annotations

import time

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

from apprentice.algorithms.bc.losses import LossSettings
from apprentice.algorithms.bc.train import EpochSettings, epoch_arrays, train_epoch
from apprentice.bench.configs import SpeedConfig
from apprentice.data.trajectory import Transitions
from apprentice.envs.spec import EnvSpec
from apprentice.policies.build import PolicyArchitecture, make_policy


def bc_flops_per_step(config: SpeedConfig) -> float:
    """Matmul FLOPs of one training step: forward ``2 B sum(in * out)``, backward twice that."""
    sizes = (config.obs_dim, *config.hidden_sizes, 2 * config.action_dim)
    forward = 2 * config.batch_size * sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    return 3.0 * forward


def measure_matmul_flops(size: int, repeats: int = 10) -> float:
    """Best observed float32 FLOP/s of a ``size x size`` matmul (``2 n^3`` FLOPs)."""
    a = jax.random.normal(jax.random.key(0), (size, size), jnp.float32)
    matmul = jax.jit(lambda x: x @ x)
    matmul(a).block_until_ready()
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        matmul(a).block_until_ready()
        best = min(best, time.perf_counter() - start)
    return 2.0 * size**3 / best


def synthetic_bc_problem(obs_dim: int, action_dim: int, n: int, seed: int = 0) -> tuple[EnvSpec, Transitions]:
    """A continuous-action spec and ``n`` random (observation, action in [-1, 1]) pairs, for timing."""
    spec = EnvSpec.for_box(obs_shape=(obs_dim,), obs_dtype="float32", action_kind="continuous", action_shape=(action_dim,),
                   action_low=(-1.0,) * action_dim, action_high=(1.0,) * action_dim)  # fmt: skip
    rng = np.random.default_rng(seed)
    obs = rng.normal(size=(n, obs_dim)).astype(np.float32)
    actions = rng.uniform(-1, 1, (n, action_dim)).astype(np.float32)
    return spec, Transitions(obs, actions, obs, np.zeros(n, bool), np.ones(n, np.float32))


def run_speed(config: SpeedConfig = SpeedConfig()) -> dict:
    """Interleave matmul-peak and BC-epoch measurements; return rates and their ratio."""
    n = config.steps_per_epoch * config.batch_size
    spec, data = synthetic_bc_problem(config.obs_dim, config.action_dim, n)
    policy = make_policy(jax.random.key(0), spec, PolicyArchitecture(head="gaussian", hidden_sizes=config.hidden_sizes))
    params, static = eqx.partition(policy, eqx.is_array)
    opt_state = optax.adam(1e-3).init(params)
    settings = EpochSettings(LossSettings("gaussian_nll"), 1e-3, config.batch_size, n)
    arrays = epoch_arrays(data, spec)
    params, opt_state, loss = train_epoch(params, opt_state, jax.random.key(0), arrays, static, settings)
    loss.block_until_ready()
    peaks, rates = [], []
    for i in range(config.repeats):
        peaks.append(measure_matmul_flops(config.matmul_size, repeats=5))
        start = time.perf_counter()
        params, opt_state, loss = train_epoch(params, opt_state, jax.random.key(i), arrays, static, settings)
        loss.block_until_ready()
        rates.append(config.steps_per_epoch / (time.perf_counter() - start))
    flops = bc_flops_per_step(config)
    fractions = [r * flops / p for r, p in zip(rates, peaks)]
    return {
        "config": config.__dict__,
        "steps_per_second": float(np.median(rates)),
        "steps_per_second_all": rates,
        "flops_per_step_analytic": flops,
        "bc_flops_per_second": float(np.median(rates) * flops),
        "matmul_peak_flops_per_second": float(np.median(peaks)),
        "fraction_of_peak": float(np.median(fractions)),
        "fraction_of_peak_all": fractions,
        "jax_version": jax.__version__,
    }
