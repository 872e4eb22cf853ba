"""The figure of ``apprentice bench text-compounding``, from its results dict.

(a) The probability that a free-running sample has left the template's language by position t,
against ``1 - (1 - eps)^t`` with the teacher-forced ``eps`` and with the on-policy hazard.
(b) The expected number of invalid tokens among the first T, log-log, with the fitted power law
and the ``(1 - eps)^t`` prediction.
(c) The free-running mistake rate against labeled tokens for next-token training, corpus prefixes
with valid-set labels, and DAgger (mean and std over seeds).

Matplotlib's object API on the Agg canvas; the PNG is written atomically.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from apprentice.io_utils import atomic_open


def plot_text_compounding(results: dict, path: str | Path) -> Path:
    """Draw the three panels into a PNG at ``path`` (parents created); return the path."""
    path = Path(path)
    c = results["compounding"]
    figure = Figure(figsize=(16, 4.8), layout="constrained")
    FigureCanvasAgg(figure)
    ax_left, ax_tokens, ax_labels = figure.subplots(1, 3)

    t = np.asarray(c["positions"])
    ax_left.plot(t, c["left_by"], color="C0", lw=2, label="measured (free-running samples)")
    ax_left.plot(t, c["predicted_left_by"], "--", color="C1",
                 label=f"1 - (1 - eps)^t, teacher-forced eps = {c['teacher_forced_error']:.4f}")  # fmt: skip
    ax_left.plot(t, c["on_policy_predicted_left_by"], ":", color="C2",
                 label=f"1 - (1 - h)^t, on-policy hazard h = {c['on_policy_hazard']:.4f}")  # fmt: skip
    ax_left.set(xlabel="position t (characters after the newline)", ylabel="P(sample has left the language by t)",
                title="(a) leaving the template's language", ylim=(0, 1))  # fmt: skip
    ax_left.legend(fontsize=8)

    lengths = np.asarray(c["lengths"])
    ax_tokens.loglog(lengths, c["expected_invalid_tokens"], "o", color="C0", label="measured E N(T)")
    ax_tokens.loglog(lengths, c["predicted_invalid_tokens"], "--", color="C1",
                     label=f"sum_t 1 - (1 - eps)^t (slope {c['predicted_exponent']:.2f})")  # fmt: skip
    fit = c["invalid_tokens_fit"]
    if fit is not None:
        x = np.asarray(c["fitted_lengths"], dtype=float)
        ax_tokens.loglog(x, fit["prefactor"] * x ** fit["exponent"], "-", color="C0", alpha=0.6,
                         label=f"fit: slope {fit['exponent']:.2f} [{fit['ci_low']:.2f}, {fit['ci_high']:.2f}]")  # fmt: skip
    ax_tokens.loglog(lengths, lengths * 1e-2 * (c["expected_invalid_tokens"][-1] / lengths[-1] / 1e-2), ":", color="gray",
                     label="slope 1 (reference)")  # fmt: skip
    ax_tokens.set(xlabel="sample length T", ylabel="expected invalid tokens in the first T",
                  title="(b) invalid tokens against length")  # fmt: skip
    _integer_ticks(ax_tokens, lengths)
    ax_tokens.legend(fontsize=8)

    for i, (arm, entry) in enumerate(results["comparison"].items()):
        budgets = np.asarray([r["budget"] for r in entry["rows"]])
        rate = np.asarray([r["line_mistake_rate"] for r in entry["rows"]])
        std = np.asarray([r["line_mistake_rate_std"] for r in entry["rows"]])
        slope = entry["rate_slope_vs_labels"]
        label = arm if slope is None else f"{arm} (slope {slope:.2f})"
        ax_labels.errorbar(budgets, rate, yerr=std, marker="o", capsize=3, color=f"C{i}", label=label)
    ax_labels.set(xscale="log", yscale="log", xlabel="labeled tokens", ylabel="free-running mistakes per token",
                  title="(c) the DAgger of text against next-token training")  # fmt: skip
    _integer_ticks(ax_labels, [r["budget"] for r in next(iter(results["comparison"].values()))["rows"]])
    ax_labels.legend(fontsize=8)

    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(path, "wb") as handle:
        figure.savefig(handle, format="png", dpi=110)
    return path


def _integer_ticks(ax, values) -> None:
    """Ticks at ``values`` on a log x axis, written as integers (no minor labels)."""
    ax.set_xticks(list(values), [str(int(v)) for v in values])
    ax.xaxis.set_minor_formatter("")
