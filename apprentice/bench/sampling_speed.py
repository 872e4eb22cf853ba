"""``apprentice bench sampling``: key-value-cached sampling against re-running the whole prefix.

The reference sampler runs the full causal forward pass over the buffer for every new token
(``O(n^2)`` positions per response); the library's sampler decodes one position at a time from
a key-value cache. Both are jitted and vmapped over the same prompts and keys, timed
alternately in one process, and must draw the same tokens.
"""

from __future__ import annotations

import time

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from apprentice.bench.configs import SamplingSpeedConfig
from apprentice.policies.transformer import CharTransformer


def full_pass_sample(model: CharTransformer, key, prompt, n_new: int):
    """The reference: for each new token, the logits of a full forward pass over the whole buffer."""
    n_prompt = prompt.shape[0]
    buffer = jnp.concatenate([prompt.astype(jnp.int32), jnp.zeros(n_new, jnp.int32)])
    keys = jax.random.split(key, n_new)

    def write_next(i, buffer):
        logits = model.logits(buffer[:-1])[n_prompt + i - 1]
        return buffer.at[n_prompt + i].set(jax.random.categorical(keys[i], logits).astype(jnp.int32))

    return jax.lax.fori_loop(0, n_new, write_next, buffer)[n_prompt:]


def run_sampling_speed(config: SamplingSpeedConfig = SamplingSpeedConfig()) -> dict:
    context = config.prompt_length + config.n_new
    model = CharTransformer(31, context, config.d_model, config.n_layers, config.n_heads, key=jax.random.key(0))
    prompts = jax.random.randint(jax.random.key(1), (config.n_responses, config.prompt_length), 0, 31)
    keys = jax.random.split(jax.random.key(2), config.n_responses)
    cached = eqx.filter_jit(lambda m, k, p: jax.vmap(lambda kk, pp: m.sample(kk, pp, config.n_new))(k, p))
    reference = eqx.filter_jit(lambda m, k, p: jax.vmap(lambda kk, pp: full_pass_sample(m, kk, pp, config.n_new))(k, p))
    same = float((cached(model, keys, prompts) == reference(model, keys, prompts)).mean())  # also compiles both
    times: dict[str, list[float]] = {"cached": [], "reference": []}
    for _ in range(config.repeats):
        for name, sampler in (("cached", cached), ("reference", reference)):
            start = time.perf_counter()
            sampler(model, keys, prompts).block_until_ready()
            times[name].append(time.perf_counter() - start)
    cached_s, reference_s = float(np.median(times["cached"])), float(np.median(times["reference"]))
    return {"cached_seconds": cached_s, "reference_seconds": reference_s, "speedup": reference_s / cached_s,
            "identical_token_fraction": same, "n_parameters": model.n_parameters(), **config.__dict__}  # fmt: skip
