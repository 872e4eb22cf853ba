"""The report's summary: which method is better on an env, and at what cost.

Training runs on one env are put on one shared budget axis (:data:`BUDGET_AXES`, in order of
preference: expert labels, env steps, demonstrations, wall-clock seconds; the first axis every
run can be placed on, else the one most runs can), each run as a curve (metric rows that hold
the budget and a return: DAgger's rounds against labels, PPO's evaluations against env steps)
or as one point (``result.json``: BC's final return at its demonstrations' labels).

Runs whose ``config.json`` agree on everything but their seeds (:data:`SEED_KEYS`) are seeds of
one configuration: their curves become one mean +- std band (interpolated onto the x values they
share when their budgets differ, as wall-clock does), their points one point with an error bar.
The points of one method whose configs differ only in their data (:data:`DATA_KEYS`: BC on 2, 4
and 8 demonstrations) are joined into one line along the budget.

Example:
    >>> from types import SimpleNamespace as Run
    >>> def bc(seed, n, ret):
    ...     config = {"command": "train bc", "algorithm": "bc", "env_id": "E", "seed": seed, "demos": f"d{n}.npz"}
    ...     return Run(label=f"bc{n}-{seed}", config=config, metrics=[], result={"n_demo_steps": n, "mean_return": ret})
    >>> runs = [bc(0, 100, 1.0), bc(1, 100, 3.0), bc(0, 200, 5.0)]
    >>> choose_axis(runs)
    'labels'
    >>> [(line.label, line.x, line.mean, line.std, line.n_seeds) for line in summary_lines(runs, "labels")]
    [('bc', (100.0, 200.0), (2.0, 5.0), (1.0, 0.0), (2, 1))]
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np


@dataclass(frozen=True)
class BudgetAxis:
    """A budget a run can be measured against: where its metric rows (``row_keys``, a curve) or
    its ``result.json`` (``result_keys``, one point) hold it; the first key present is used."""

    name: str
    title: str
    row_keys: tuple[str, ...]
    result_keys: tuple[str, ...]


BUDGET_AXES = {
    axis.name: axis
    for axis in (
        BudgetAxis("labels", "expert labels", ("labels",), ("labels", "n_demo_steps", "n_expert_samples")),
        BudgetAxis("env_steps", "env steps", ("env_steps",), ("env_steps",)),
        BudgetAxis("demos", "demonstrations (episodes)", (), ("n_demo_episodes",)),
        BudgetAxis("seconds", "wall-clock seconds", ("seconds",), ("train_seconds", "seconds")),
    )
}
"""The budget axes in order of preference (``--budget auto`` takes the first every run is on)."""
RETURN_ROW_KEYS = ("eval_return", "mean_return")
"""Where a metric row holds the policy's evaluated return (RL and IRL; the DAgger family)."""
RETURN_RESULT_KEYS = ("mean_return", "final_eval_return")
"""Where ``result.json`` holds the final evaluated return (BC and the DAgger family; RL and IRL)."""
SEED_KEYS = frozenset({"seed", "run_seed"})
"""Config fields (at any depth) in which seeds of one configuration may differ."""
DATA_KEYS = frozenset({"demos", "subsample"})
"""Config fields that name a point method's data: points differing only here join one line."""


class RunLike(Protocol):
    """What the summary reads of a run (:class:`~apprentice.report.run_report.RunDir` is one)."""

    @property
    def label(self) -> str: ...
    @property
    def config(self) -> dict[str, Any]: ...
    @property
    def metrics(self) -> list[dict[str, Any]]: ...
    @property
    def result(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class SummaryLine:
    """One line of the summary plot: mean and std of the return over ``n_seeds`` runs at each ``x``.

    ``kind`` is ``"curve"`` (a band over the seeds' learning curves) or ``"points"`` (runs that
    each give one point, joined along the budget)."""

    label: str
    method: str
    kind: str
    x: tuple[float, ...]
    mean: tuple[float, ...]
    std: tuple[float, ...]
    n_seeds: tuple[int, ...]
    runs: tuple[str, ...]


def method_name(run: RunLike) -> str:
    """The algorithm (``config.json``'s ``algorithm``, else its command without ``train``)."""
    name = run.config.get("algorithm") or run.result.get("algorithm") or run.config.get("command", "")
    return str(name).removeprefix("train ") or run.label


def env_id(run: RunLike) -> str:
    return str(run.config.get("env_id") or run.result.get("env_id") or "unknown env")


def run_points(run: RunLike, axis: str) -> tuple[str, list[tuple[float, float]]] | None:
    """``("curve", [(budget, return), ...])`` from the metric rows that hold both, else
    ``("points", [(budget, return)])`` from ``result.json``, else ``None`` (not on this axis)."""
    spec = _axis(axis)
    curve = []
    for row in run.metrics:
        x, y = _first_number(row, spec.row_keys), _first_number(row, RETURN_ROW_KEYS)
        if x is not None and y is not None:
            curve.append((x, y))
    if curve:
        return "curve", sorted(curve)
    x, y = _first_number(run.result, spec.result_keys), _first_number(run.result, RETURN_RESULT_KEYS)
    return ("points", [(x, y)]) if x is not None and y is not None else None


def choose_axis(runs: Sequence[RunLike]) -> str | None:
    """The first of :data:`BUDGET_AXES` every run is on; else the one most runs are on (the
    earlier on a tie); ``None`` when no run is on any."""
    counts = {axis: sum(run_points(run, axis) is not None for run in runs) for axis in BUDGET_AXES}
    best = max(counts, key=lambda axis: counts[axis])  # max keeps the first of equal counts
    return best if counts[best] else None


def config_key(config: dict[str, Any], ignore: frozenset[str] = SEED_KEYS) -> str:
    """``config`` without the fields named in ``ignore`` (at any depth), as canonical JSON."""
    return json.dumps(_without(config, ignore), sort_keys=True, default=str)


def summary_lines(runs: Sequence[RunLike], axis: str) -> list[SummaryLine]:
    """The lines of one env's summary on ``axis``; runs not on it are left out (see :func:`left_out`)."""
    seeds: dict[str, list[tuple[RunLike, str, list[tuple[float, float]]]]] = {}
    for run in runs:
        if (found := run_points(run, axis)) is not None:
            seeds.setdefault(found[0] + config_key(run.config), []).append((run, *found))
    drafts: list[tuple[RunLike, str, list[tuple]]] = []  # (first run, kind, [(x, mean, std, n, run labels)])
    joined: dict[str, int] = {}  # points of one method and config but their data -> index in drafts
    for group in seeds.values():
        first, kind = group[0][0], group[0][1]
        labels = tuple(run.label for run, _, _ in group)
        if kind == "curve":
            x, mean, std = _band([points for _, _, points in group])
            drafts.append((first, kind, [(*row, len(group), labels) for row in zip(x, mean, std)]))
            continue
        xs, ys = np.array([points[0][0] for _, _, points in group]), np.array([points[0][1] for _, _, points in group])
        point = (float(xs.mean()), float(ys.mean()), float(ys.std()), len(group), labels)
        key = config_key(first.config, SEED_KEYS | DATA_KEYS)
        if key not in joined:
            joined[key] = len(drafts)
            drafts.append((first, kind, []))
        drafts[joined[key]][2].append(point)
    names = _line_labels([(first, kind) for first, kind, _ in drafts])
    lines = []
    for name, (first, kind, rows) in zip(names, drafts):
        rows.sort(key=lambda row: row[0])
        lines.append(
            SummaryLine(
                name,
                method_name(first),
                kind,
                tuple(row[0] for row in rows),
                tuple(row[1] for row in rows),
                tuple(row[2] for row in rows),
                tuple(row[3] for row in rows),
                tuple(dict.fromkeys(label for row in rows for label in row[4])),
            )
        )
    return lines


def left_out(runs: Sequence[RunLike], axis: str) -> list[str]:
    """Labels of the runs that cannot be placed on ``axis``."""
    return [run.label for run in runs if run_points(run, axis) is None]


def budget_to_reach(line: SummaryLine, level: float) -> float | None:
    """The smallest budget from which the line's mean return stays at or above ``level`` (a
    curve that touches it and falls back has not reached it yet), else ``None``.

    >>> line = SummaryLine("dagger", "dagger", "curve", (100, 200, 300), (500, 280, 500), (0, 0, 0), (2, 2, 2), ())
    >>> budget_to_reach(line, 450), budget_to_reach(line, 600)
    (300, None)
    """
    reached = None
    for x, mean in zip(reversed(line.x), reversed(line.mean)):
        if mean < level:
            break
        reached = x
    return reached


def _band(curves: Sequence[Sequence[tuple[float, float]]]) -> tuple[list[float], list[float], list[float]]:
    """Mean and std over seeds' curves: at their x values when all share them, else on the union
    of their x values inside the range they all cover (each curve linearly interpolated)."""
    xs = [np.array([x for x, _ in curve]) for curve in curves]
    ys = [np.array([y for _, y in curve]) for curve in curves]
    if all(len(x) == len(xs[0]) and np.array_equal(x, xs[0]) for x in xs):
        grid, values = xs[0], np.stack(ys)
    else:
        low, high = max(x[0] for x in xs), min(x[-1] for x in xs)
        union = np.unique(np.concatenate(xs))
        grid = union[(union >= low) & (union <= high)] if low <= high else union
        values = np.stack([np.interp(grid, x, y) for x, y in zip(xs, ys)])
    return grid.tolist(), values.mean(0).tolist(), values.std(0).tolist()


def _line_labels(lines: Sequence[tuple[RunLike, str]]) -> list[str]:
    """The method name, with the config fields in which it differs from the method's other lines."""
    flat = [
        _flatten(_without(run.config, SEED_KEYS | (DATA_KEYS if kind == "points" else frozenset())))
        for run, kind in lines
    ]
    labels = []
    for index, (run, _) in enumerate(lines):
        method = method_name(run)
        others = [flat[j] for j, (other, _) in enumerate(lines) if j != index and method_name(other) == method]
        differing = [key for key in flat[index] if any(other.get(key) != flat[index][key] for other in others)]
        shown = ", ".join(f"{key.rsplit('.', 1)[-1]}={_short(flat[index][key])}" for key in differing[:3])
        labels.append(f"{method} ({shown})" if shown else method)
    return labels


def _without(value: Any, ignore: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {key: _without(item, ignore) for key, item in value.items() if key not in ignore}
    return value


def _flatten(value: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, dict):
            flat.update(_flatten(item, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = item
    return flat


def _short(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else value.rsplit("/", 1)[-1]
    return text if len(text) <= 24 else text[:21] + "..."


def _first_number(holder: dict[str, Any], keys: Sequence[str]) -> float | None:
    for key in keys:
        value = holder.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
    return None


def _axis(axis: str) -> BudgetAxis:
    if axis not in BUDGET_AXES:
        raise ValueError(f"budget axis: expected one of {', '.join(BUDGET_AXES)}, got {axis!r}")
    return BUDGET_AXES[axis]
