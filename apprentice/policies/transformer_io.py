"""Save and load character transformers (language models and text reward models) in a run directory.

``NAME.json`` holds the vocabulary and the architecture, ``NAME.eqx`` the weights (Equinox leaf
serialization); both are written atomically. ``NAME`` is ``language_model`` or ``reward_model``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import equinox as eqx
import jax

from apprentice.data.text import CharVocab
from apprentice.io_utils import atomic_open, atomic_write_text
from apprentice.policies.transformer import CharTransformer

LANGUAGE_MODEL, REWARD_MODEL = "language_model", "reward_model"


def architecture_of(model: CharTransformer) -> dict:
    """The constructor arguments that rebuild ``model``'s structure."""
    d_model = model.token_embedding.shape[1]
    return {
        "vocab_size": model.vocab_size,
        "context_length": model.context_length,
        "d_model": d_model,
        "n_layers": len(model.blocks),
        "n_heads": model.blocks[0].attention.n_heads,
        "mlp_ratio": model.blocks[0].mlp_in_weight.shape[1] // d_model,
        "head": "tied" if model.head_weight is None else "untied",
    }


def save_text_model(
    directory: str | os.PathLike, model: eqx.Module, backbone: CharTransformer, vocab: CharVocab, name: str
) -> Path:
    """Write ``NAME.json`` (vocabulary, architecture of ``backbone``) and ``NAME.eqx`` (weights of ``model``)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with atomic_open(directory / f"{name}.eqx", "wb") as handle:
        eqx.tree_serialise_leaves(handle, model)
    meta = {"kind": name, "vocab": vocab.chars, "architecture": architecture_of(backbone)}
    atomic_write_text(directory / f"{name}.json", json.dumps(meta, indent=2) + "\n")
    return directory


def load_text_model(directory: str | os.PathLike, name: str, build=None) -> tuple[eqx.Module, CharVocab]:
    """Read a model written by :func:`save_text_model`.

    ``build(backbone)`` turns the bare transformer skeleton into the saved model's structure
    (for a reward model: wrap it with its head); default the transformer itself.
    """
    directory = Path(directory)
    meta_path, weights_path = directory / f"{name}.json", directory / f"{name}.eqx"
    if not meta_path.is_file() or not weights_path.is_file():
        raise FileNotFoundError(
            f"{directory}: expected a run directory with {name}.json and {name}.eqx "
            f"(from `apprentice train {'next-token' if name == LANGUAGE_MODEL else 'reward-model'}`), got "
            f"{sorted(p.name for p in directory.iterdir()) if directory.is_dir() else 'no such directory'}"
        )
    meta = json.loads(meta_path.read_text())
    skeleton = CharTransformer(**meta["architecture"], key=jax.random.key(0))
    skeleton = skeleton if build is None else build(skeleton)
    try:
        model = eqx.tree_deserialise_leaves(weights_path, skeleton)
    except Exception as error:
        raise ValueError(
            f"{weights_path}: the weights do not match the architecture in {meta_path.name}: {error}"
        ) from None
    return model, CharVocab(meta["vocab"])
