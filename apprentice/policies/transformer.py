"""A small decoder-only transformer over characters: a policy whose state is the prefix.

As a policy, ``pi(a_t | s_t)`` with state ``s_t = x_{<t}`` (the prefix) and action ``a_t = x_t``
(the next token). One forward pass under a causal mask gives ``log pi`` at every position of a
sequence at once, which is what next-token training (behavior cloning on text) and the sequence
log-probabilities of DPO and RLHF need.

Architecture (GPT-2 style, without dropout): token + learned position embeddings, ``n_layers``
pre-LayerNorm blocks ``x += Attn(LN(x)); x += MLP(LN(x))``, a final LayerNorm, and an output head
tied to the token embedding (``logits = h E^T``) or a separate matrix.
"""

from __future__ import annotations

import math
from typing import Literal

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Bool, Float, Int, PRNGKeyArray, Scalar, ScalarLike

KeyValueCache = tuple[Float[Array, "heads context d_head"], Float[Array, "heads context d_head"]]
"""One attention layer's keys and values for every position of the context (zeros where unwritten)."""

INIT_STD = 0.02
"""Standard deviation of weight initialization (GPT-2); residual output projections are further
divided by ``sqrt(2 n_layers)`` so the residual stream's variance does not grow with depth."""


class CausalSelfAttention(eqx.Module):
    """Multi-head self-attention where position ``i`` attends to positions ``j <= i``.

    ``softmax(Q K^T / sqrt(d_head) + M) V`` per head, with ``M_ij = -inf`` for ``j > i``.
    """

    qkv_weight: Float[Array, "d_model three_d_model"]
    qkv_bias: Float[Array, " three_d_model"]
    out_weight: Float[Array, "d_model d_model"]
    out_bias: Float[Array, " d_model"]
    n_heads: int = eqx.field(static=True)

    def __init__(self, d_model: int, n_heads: int, out_std: float, *, key: PRNGKeyArray):
        qkv_key, out_key = jax.random.split(key)
        self.qkv_weight = INIT_STD * jax.random.normal(qkv_key, (d_model, 3 * d_model))
        self.qkv_bias = jnp.zeros(3 * d_model)
        self.out_weight = out_std * jax.random.normal(out_key, (d_model, d_model))
        self.out_bias = jnp.zeros(d_model)
        self.n_heads = n_heads

    def _heads(self, x: Float[Array, "*seq d_model"]) -> tuple[Array, Array, Array]:
        """Queries, keys and values of ``x``, each split into heads: ``(*seq, heads, d_head)``."""
        d_head = x.shape[-1] // self.n_heads
        q, k, v = jnp.split(x @ self.qkv_weight + self.qkv_bias, 3, axis=-1)
        return tuple(y.reshape(*y.shape[:-1], self.n_heads, d_head) for y in (q, k, v))  # type: ignore[return-value]

    def _merge(self, heads: Float[Array, "*seq heads d_head"]) -> Float[Array, "*seq d_model"]:
        return heads.reshape(*heads.shape[:-2], -1) @ self.out_weight + self.out_bias

    def __call__(self, x: Float[Array, "seq d_model"]) -> Float[Array, "seq d_model"]:
        seq = x.shape[0]
        q, k, v = (y.transpose(1, 0, 2) for y in self._heads(x))  # (heads, seq, d_head)
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(q.shape[-1])  # (heads, seq, seq)
        causal = jnp.tril(jnp.ones((seq, seq), dtype=bool))
        # -inf, not a large negative number: exp(-inf) is exactly 0, so a later token cannot
        # change an earlier position's output even in the last bit.
        weights = jax.nn.softmax(jnp.where(causal, scores, -jnp.inf), axis=-1)
        return self._merge((weights @ v).transpose(1, 0, 2))

    def decode(
        self, x: Float[Array, " d_model"], cache: KeyValueCache, position: Int[ArrayLike, ""]
    ) -> tuple[Float[Array, " d_model"], KeyValueCache]:
        """The output at ``position`` alone, given the keys and values of earlier positions in ``cache``.

        Writes this position's key and value into the cache and attends to positions ``<= position``:
        the same result as row ``position`` of :meth:`__call__`, at the cost of one position.
        """
        q, k, v = self._heads(x)  # (heads, d_head)
        keys, values = cache[0].at[:, position].set(k), cache[1].at[:, position].set(v)
        scores = jnp.einsum("hd,htd->ht", q, keys) / math.sqrt(q.shape[-1])
        visible = jnp.arange(keys.shape[1]) <= position
        weights = jax.nn.softmax(jnp.where(visible, scores, -jnp.inf), axis=-1)
        return self._merge(jnp.einsum("ht,htd->hd", weights, values)), (keys, values)


class TransformerBlock(eqx.Module):
    """``x + Attn(LN(x))`` then ``+ MLP(LN(x))`` with a GELU MLP of width ``mlp_ratio * d_model``."""

    attention_norm: eqx.nn.LayerNorm
    attention: CausalSelfAttention
    mlp_norm: eqx.nn.LayerNorm
    mlp_in_weight: Float[Array, "d_model d_mlp"]
    mlp_in_bias: Float[Array, " d_mlp"]
    mlp_out_weight: Float[Array, "d_mlp d_model"]
    mlp_out_bias: Float[Array, " d_model"]

    def __init__(self, d_model: int, n_heads: int, mlp_ratio: int, n_layers: int, *, key: PRNGKeyArray):
        attention_key, in_key, out_key = jax.random.split(key, 3)
        out_std = INIT_STD / math.sqrt(2 * n_layers)
        self.attention_norm = eqx.nn.LayerNorm(d_model)
        self.attention = CausalSelfAttention(d_model, n_heads, out_std, key=attention_key)
        self.mlp_norm = eqx.nn.LayerNorm(d_model)
        self.mlp_in_weight = INIT_STD * jax.random.normal(in_key, (d_model, mlp_ratio * d_model))
        self.mlp_in_bias = jnp.zeros(mlp_ratio * d_model)
        self.mlp_out_weight = out_std * jax.random.normal(out_key, (mlp_ratio * d_model, d_model))
        self.mlp_out_bias = jnp.zeros(d_model)

    def _mlp(self, x: Float[Array, "*seq d_model"]) -> Float[Array, "*seq d_model"]:
        hidden = jax.nn.gelu(self.mlp_norm(x) @ self.mlp_in_weight + self.mlp_in_bias)
        return hidden @ self.mlp_out_weight + self.mlp_out_bias

    def __call__(self, x: Float[Array, "seq d_model"]) -> Float[Array, "seq d_model"]:
        x = x + self.attention(jax.vmap(self.attention_norm)(x))
        return x + jax.vmap(self._mlp)(x)

    def decode(
        self, x: Float[Array, " d_model"], cache: KeyValueCache, position: Int[ArrayLike, ""]
    ) -> tuple[Float[Array, " d_model"], KeyValueCache]:
        """One position of :meth:`__call__`, reading and extending the attention's key-value cache."""
        attended, cache = self.attention.decode(self.attention_norm(x), cache, position)
        x = x + attended
        return x + self._mlp(x), cache


class CharTransformer(eqx.Module):
    """A decoder-only transformer language model over ``vocab_size`` tokens.

    All methods take one unbatched sequence; batch them with ``jax.vmap``. Every method is pure
    and jittable (``n_new`` of :meth:`sample` and all lengths are static).

    Example:
        >>> model = CharTransformer(31, 64, 64, 2, 4, key=jax.random.key(0))
        >>> model.logits(jnp.array([3, 1, 4])).shape
        (3, 31)
        >>> model.sample(jax.random.key(1), jnp.array([0]), 10, 1.0).shape
        (10,)
    """

    token_embedding: Float[Array, "vocab d_model"]
    position_embedding: Float[Array, "context d_model"]
    blocks: tuple[TransformerBlock, ...]
    final_norm: eqx.nn.LayerNorm
    head_weight: Float[Array, "d_model vocab"] | None
    """The output matrix; ``None`` when tied to ``token_embedding``."""
    vocab_size: int = eqx.field(static=True)
    context_length: int = eqx.field(static=True)

    def __init__(
        self,
        vocab_size: int,
        context_length: int,
        d_model: int,
        n_layers: int,
        n_heads: int,
        mlp_ratio: int = 4,
        head: Literal["tied", "untied"] = "tied",
        *,
        key: PRNGKeyArray,
    ):
        for name, value in (("vocab_size", vocab_size), ("context_length", context_length), ("d_model", d_model),
                            ("n_layers", n_layers), ("n_heads", n_heads), ("mlp_ratio", mlp_ratio)):  # fmt: skip
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"CharTransformer {name}: expected a positive integer, got {value!r}")
        if d_model % n_heads:
            raise ValueError(f"CharTransformer: expected d_model divisible by n_heads, got {d_model} and {n_heads}")
        if head not in ("tied", "untied"):
            raise ValueError(f"CharTransformer head: expected 'tied' or 'untied', got {head!r}")
        token_key, position_key, head_key, *block_keys = jax.random.split(key, 3 + n_layers)
        self.token_embedding = INIT_STD * jax.random.normal(token_key, (vocab_size, d_model))
        self.position_embedding = INIT_STD * jax.random.normal(position_key, (context_length, d_model))
        self.blocks = tuple(TransformerBlock(d_model, n_heads, mlp_ratio, n_layers, key=k) for k in block_keys)
        self.final_norm = eqx.nn.LayerNorm(d_model)
        self.head_weight = None if head == "tied" else INIT_STD * jax.random.normal(head_key, (d_model, vocab_size))
        self.vocab_size, self.context_length = vocab_size, context_length

    def hidden(self, tokens: Int[Array, " seq"]) -> Float[Array, "seq d_model"]:
        """The final (layer-normed) residual stream at every position: row ``t`` sees ``tokens[: t + 1]``.

        The features a reward head reads (:class:`~apprentice.algorithms.preferences.text_reward_model.TextRewardModel`).
        """
        seq = tokens.shape[0]
        if not 1 <= seq <= self.context_length:
            raise ValueError(f"transformer: expected 1 to {self.context_length} (context_length) tokens, got {seq}")
        x = self.token_embedding[tokens] + self.position_embedding[:seq]
        for block in self.blocks:
            x = block(x)
        return jax.vmap(self.final_norm)(x)

    def _head(self, hidden: Float[Array, "*seq d_model"]) -> Float[Array, "*seq vocab"]:
        return hidden @ (self.token_embedding.T if self.head_weight is None else self.head_weight)

    def logits(self, tokens: Int[Array, " seq"]) -> Float[Array, "seq vocab"]:
        """Next-token logits at every position: row ``t`` depends only on ``tokens[: t + 1]``."""
        return self._head(self.hidden(tokens))

    def empty_cache(self) -> tuple[KeyValueCache, ...]:
        """A key-value cache of zeros for :meth:`decode_step`, one per block, for the whole context."""
        d_head = self.token_embedding.shape[1] // self.blocks[0].attention.n_heads
        shape = (self.blocks[0].attention.n_heads, self.context_length, d_head)
        return tuple((jnp.zeros(shape), jnp.zeros(shape)) for _ in self.blocks)

    def decode_step(
        self, cache: tuple[KeyValueCache, ...], token: Int[ArrayLike, ""], position: Int[ArrayLike, ""]
    ) -> tuple[Float[Array, " vocab"], tuple[KeyValueCache, ...]]:
        """The next-token logits after ``token`` at ``position``, and the cache extended by it.

        Feeding a sequence one token at a time from :meth:`empty_cache` gives the rows of
        :meth:`logits` (to float rounding) at one position's cost each instead of a whole pass.
        """
        x = self.token_embedding[token] + self.position_embedding[position]
        new_cache = []
        for block, block_cache in zip(self.blocks, cache):
            x, block_cache = block.decode(x, block_cache, position)
            new_cache.append(block_cache)
        return self._head(self.final_norm(x)), tuple(new_cache)

    def token_log_probs(self, prompt: Int[Array, " prompt"], continuation: Int[Array, " n"]) -> Float[Array, " n"]:
        """``log pi(continuation[i] | prompt, continuation[:i])`` for each ``i``.

        ``prompt`` must hold at least one token (the corpus's lines start after ``"\\n"``, a natural
        one-token prompt), and ``len(prompt) + len(continuation) - 1 <= context_length``.
        """
        n_prompt, n = prompt.shape[0], continuation.shape[0]
        if n_prompt < 1:
            raise ValueError("token_log_probs: expected a prompt of at least one token (e.g. the newline), got 0")
        sequence = jnp.concatenate([prompt, continuation])
        log_probs = jax.nn.log_softmax(self.logits(sequence[:-1]), axis=-1)[n_prompt - 1 :]
        return jnp.take_along_axis(log_probs, continuation[:, None], axis=-1)[:, 0] if n else jnp.zeros(0)

    def sequence_log_prob(
        self,
        prompt: Int[Array, " prompt"],
        continuation: Int[Array, " n"],
        mask: Bool[Array, " n"] | None = None,
    ) -> Scalar:
        """``log pi(continuation | prompt) = sum_i log pi(y_i | prompt, y_{<i})``.

        ``mask`` (optional) keeps only the tokens where it is true, so continuations of different
        lengths can be padded to one length and batched with ``jax.vmap``; the padding only follows
        the kept tokens, so (by causality) it does not change them.

        Example:
            >>> model.sequence_log_prob(vocab.encode("\\n"), vocab.encode("what a lovely cake!"))
        """
        log_probs = self.token_log_probs(prompt, continuation)
        return log_probs.sum() if mask is None else jnp.where(mask, log_probs, 0.0).sum()

    def sample(
        self, key: PRNGKeyArray, prompt: Int[Array, " prompt"], n_new: int, temperature: ScalarLike = 1.0
    ) -> Int[Array, " n_new"]:
        """``n_new`` tokens after ``prompt``, each drawn from ``softmax(logits / temperature)``.

        ``temperature == 0`` takes the argmax (greedy). One :meth:`decode_step` per position inside
        ``lax.fori_loop``, with a key-value cache, so a sample costs about one forward pass over
        ``len(prompt) + n_new`` tokens. The ``j``-th new token uses ``jax.random.split(key, n_new)[j]``.
        ``len(prompt) + n_new - 1 <= context_length``; ``n_new`` is static.

        Example:
            >>> vocab.decode(model.sample(jax.random.key(0), vocab.encode("\\n"), 40, 0.8))
        """
        n_prompt = prompt.shape[0]
        if n_prompt < 1 or n_new < 1 or n_prompt + n_new - 1 > self.context_length:
            raise ValueError(
                f"sample: expected a prompt of >= 1 token, n_new >= 1 and len(prompt) + n_new - 1 <= "
                f"{self.context_length} (context_length), got len(prompt) {n_prompt} and n_new {n_new}"
            )
        buffer = jnp.concatenate([prompt.astype(jnp.int32), jnp.zeros(n_new, jnp.int32)])
        keys = jax.random.split(key, n_new)
        temperature = jnp.asarray(temperature, jnp.float32)

        def step(position, carry):
            buffer, cache = carry
            logits, cache = self.decode_step(cache, buffer[position], position)
            new = position + 1 - n_prompt  # index of the token drawn here among the new ones
            drawn = jax.random.categorical(
                keys[jnp.maximum(new, 0)], logits / jnp.where(temperature > 0, temperature, 1.0)
            )
            token = jnp.where(temperature > 0, drawn, jnp.argmax(logits)).astype(jnp.int32)
            buffer = jnp.where(new >= 0, buffer.at[position + 1].set(token), buffer)
            return buffer, cache

        buffer, _ = jax.lax.fori_loop(0, n_prompt + n_new - 1, step, (buffer, self.empty_cache()))
        return buffer[n_prompt:]

    def n_parameters(self) -> int:
        """Number of trainable scalars."""
        return sum(x.size for x in jax.tree.leaves(eqx.filter(self, eqx.is_array)))
