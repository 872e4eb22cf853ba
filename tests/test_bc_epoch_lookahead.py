"""BC's epoch loop reads epoch k's numbers after dispatching epoch k + 1, and that changes nothing."""

from __future__ import annotations

import importlib

import jax
import numpy as np

from apprentice.algorithms.bc import BCConfig, train
from apprentice.data import flatten
from apprentice.policies.architecture import Network
from tests.conftest import make_trajectories
from tests.test_bc_contracts import CARTPOLE_LIKE

bc_train_module = importlib.import_module("apprentice.algorithms.bc.train")  # the package's `train` is the function

DEMOS = make_trajectories(12, length=20)  # random labels: the validation loss soon rises
TRAIN, VALIDATION = flatten(DEMOS[:10]), flatten(DEMOS[10:])
EARLY_STOPPING = BCConfig(
    network=Network((32,)), n_epochs=100, batch_size=16, patience=3, learning_rate=3e-4, validation_fraction=0.0
)


class _LoggedLoss:
    """A loss that notes in ``events`` when the host reads it."""

    def __init__(self, loss, epoch: int, events: list):
        self.loss, self.epoch, self.events = loss, epoch, events

    def __float__(self) -> float:
        self.events.append(("read", self.epoch))
        return float(self.loss)


def _logging_epochs(monkeypatch) -> list:
    events: list = []
    real = bc_train_module.train_epoch

    def logged(*args, **kwargs):
        params, opt_state, loss = real(*args, **kwargs)
        epoch = sum(kind == "dispatch" for kind, _ in events) + 1
        events.append(("dispatch", epoch))
        return params, opt_state, _LoggedLoss(loss, epoch, events)

    monkeypatch.setattr(bc_train_module, "train_epoch", logged)
    return events


def test_the_next_epoch_is_dispatched_before_the_last_loss_is_read(monkeypatch):
    events = _logging_epochs(monkeypatch)
    config = BCConfig(network=Network((16,)), n_epochs=4, batch_size=8, patience=0, validation_fraction=0.0)
    train(jax.random.key(0), config, TRAIN, CARTPOLE_LIKE, progress=False)
    assert events == [("dispatch", 1), ("dispatch", 2), ("read", 1), ("dispatch", 3), ("read", 2),
                      ("dispatch", 4), ("read", 3), ("read", 4)]  # fmt: skip


def test_early_stopping_dispatches_no_epoch_it_does_not_use(monkeypatch):
    events = _logging_epochs(monkeypatch)
    result = train(jax.random.key(0), EARLY_STOPPING, TRAIN, CARTPOLE_LIKE, validation=VALIDATION, progress=False)
    n_dispatched = sum(kind == "dispatch" for kind, _ in events)
    assert len(result.metrics) == result.best_epoch + 3 < 100
    assert n_dispatched == len(result.metrics)


def test_the_look_ahead_changes_no_number():
    """Training stopped early equals training for exactly the epochs it kept: same losses, same parameters."""
    stopped = train(jax.random.key(0), EARLY_STOPPING, TRAIN, CARTPOLE_LIKE, validation=VALIDATION, progress=False)
    exact = BCConfig(**{**EARLY_STOPPING.__dict__, "n_epochs": stopped.best_epoch, "patience": 0})
    kept = train(jax.random.key(0), exact, TRAIN, CARTPOLE_LIKE, validation=VALIDATION, progress=False)
    assert kept.best_epoch == stopped.best_epoch > 1
    for a, b in zip(kept.metrics, stopped.metrics):
        assert (a["train_loss"], a["val_score"]) == (b["train_loss"], b["val_score"])
    for a, b in zip(jax.tree.leaves(kept.policy), jax.tree.leaves(stopped.policy)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
