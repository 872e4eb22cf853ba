"""The distribution-shift decomposition per step: ``apprentice theory shift`` (deck 003).

Three families, every number exact (forward induction of the state distributions, no sampling),
each through ``theory.distribution_shift.shift_profile``:

- the tightrope (``theory/tightrope.py``) with BC in the population limit (``theory/learners.py``):
  error eps in every state the expert visits, blind below the rope, so the deck's per-state
  assumption holds with equality and a fall is nearly permanent;
- Ross & Bagnell's two-state chain (``theory/worst_case.py``), the worst case of the H^2 bound;
- random finite-horizon MDPs with an optimal expert and three learners: the same error eps
  everywhere, errors drawn uniformly in [0, 2 eps] per (step, state), and errors of 5 eps in a
  fifth of the (step, state) pairs, 0 elsewhere (the last two bound eps only on average).

For each: per step t = 1..H the exact D_TV between the expert's and the learner's state
distributions and the exact expected mistakes, against ``eps t``, ``2 eps t``,
``1 - (1 - eps)^(t-1)`` and ``eps + 2 eps t``, and the totals against ``sum_t (eps + 2 eps t)``.
``run_shift`` prints a rich table, writes ``results.json`` (atomically) and ``shift.png`` into
``config.out`` and returns the results as a JSON-ready dict.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
from rich.table import Table

from apprentice.bench.study_output import finish_study
from apprentice.bench.theory_configs import ShiftConfig
from apprentice.envs.tabular.mdp import random_finite_horizon_mdp
from apprentice.report.theory_plots import plot_shift
from apprentice.theory.distribution_shift import ShiftProfile, shift_profile
from apprentice.theory.finite_horizon import optimal_finite_horizon
from apprentice.theory.learners import behavior_cloning, tabular_learner
from apprentice.theory.tightrope import tightrope
from apprentice.theory.worst_case import ross_bagnell_chain

__all__ = ["ShiftConfig", "run_shift"]

LEARNERS = ("uniform eps", "uniform in [0, 2 eps]", "5 eps on 20%")


def _seed(base: int, *stream: int) -> int:
    return int(np.random.SeedSequence([base, *stream]).generate_state(1)[0])


def _summary(name: str, profiles: list[ShiftProfile]) -> dict:
    """Worst cases over a family's profiles: violations, and how close each bound comes."""
    violations: dict[str, int] = {}
    for profile in profiles:
        for check, count in profile.violations().items():
            violations[check] = violations.get(check, 0) + count
    steps = profiles[0].steps

    def worst(values):  # the largest ratio over profiles and steps, ignoring 0 / 0
        return float(max(np.max(v) for v in values))

    return {
        "family": name,
        "n_profiles": len(profiles),
        "steps": int(len(steps)),
        "epsilon_range": [min(p.epsilon for p in profiles), max(p.epsilon for p in profiles)],
        "violations": violations,
        "max_tv_over_eps_t": worst(p.tv / p.eps_t for p in profiles),
        "max_tv_over_mixture_bound": worst(p.tv[1:] / p.tv_mixture_bound[1:] for p in profiles),
        "max_mistakes_over_eps_t": worst(p.mistakes / p.eps_t for p in profiles),
        "max_mistakes_over_deck_bound": worst(p.mistakes / p.mistakes_deck_bound for p in profiles),
        "max_total_over_sharp_bound": worst([p.total_mistakes / p.total_sharp_bound] for p in profiles),
        "max_total_over_deck_bound": worst([p.total_mistakes / p.total_deck_bound] for p in profiles),
        # At t = 1 the mistakes equal eps_1 and at t = 2 D_TV equals eps_1, so the maxima above are
        # often attained there; the last step shows how loose each bound has become by t = H.
        "max_tv_over_eps_t_at_H": worst([p.tv[-1] / p.eps_t[-1]] for p in profiles),
        "max_tv_over_mixture_bound_at_H": worst([p.tv[-1] / p.tv_mixture_bound[-1]] for p in profiles),
        "max_mistakes_over_eps_t_at_H": worst([p.mistakes[-1] / p.eps_t[-1]] for p in profiles),
        "max_mistakes_over_deck_bound_at_H": worst([p.mistakes[-1] / p.mistakes_deck_bound[-1]] for p in profiles),
    }


def _random_learner_errors(kind: int, rng: np.random.Generator, eps: float, shape: tuple[int, int]) -> np.ndarray:
    if kind == 0:
        return np.full(shape, eps)
    if kind == 1:
        return rng.uniform(0.0, 2.0 * eps, size=shape)
    return np.where(rng.random(shape) < 0.2, min(1.0, 5.0 * eps), 0.0)


def run_shift(config: ShiftConfig = ShiftConfig()) -> dict:
    """Compute every profile; print a table; write results.json and shift.png.

    Returns:
        A JSON-ready dict: ``tightrope`` and ``chain`` (full per-step profiles), ``summaries``
        (per family: violations of each inequality, the largest ratio of each quantity to its
        bound), ``random_tv_over_eps_t`` (per learner kind, the per-step maximum over MDPs),
        ``all_bounds_hold``, ``plot``, ``seconds``.
    """
    start = time.perf_counter()
    out_dir = Path(config.out)
    horizon, eps = config.horizon, config.per_state_error
    rope = tightrope(_seed(config.seed, 0), horizon, config.n_positions, config.max_depth, config.n_actions)
    rope_profile = shift_profile(rope.mdp, rope.expert_actions, behavior_cloning(rope.mdp, rope.expert_actions, eps))
    chain, chain_expert, chain_learner = ross_bagnell_chain(eps, horizon)
    chain_profile = shift_profile(chain, chain_expert, chain_learner)

    by_kind: list[list[ShiftProfile]] = [[] for _ in LEARNERS]
    shape = (horizon, config.mdp_states)
    for i in range(config.n_mdps):
        seed = _seed(config.seed, 1, i)
        mdp = random_finite_horizon_mdp(
            seed, config.mdp_states, config.mdp_actions, horizon, concentration=config.concentration
        )
        expert = optimal_finite_horizon(mdp).actions
        rng = np.random.default_rng(seed + 1)
        for kind in range(len(LEARNERS)):
            errors = _random_learner_errors(kind, rng, eps, shape)
            learner = tabular_learner(np.ones(shape, dtype=bool), expert, config.mdp_actions, errors)
            by_kind[kind].append(shift_profile(mdp, expert, learner))

    summaries = [
        _summary("tightrope, BC", [rope_profile]),
        _summary("Ross-Bagnell chain", [chain_profile]),
        *(_summary(f"random MDPs, {name}", profiles) for name, profiles in zip(LEARNERS, by_kind)),
    ]
    proven = [name for name in summaries[0]["violations"] if "average" not in name]
    results = {
        "config": asdict(config),
        "tightrope": rope_profile.to_dict(),
        "chain": chain_profile.to_dict(),
        "summaries": summaries,
        "random_tv_over_eps_t": {
            name: np.max([p.tv / p.eps_t for p in profiles], axis=0).tolist()
            for name, profiles in zip(LEARNERS, by_kind)
        },
        "random_mistakes_over_eps_t": {
            name: np.max([p.mistakes / p.eps_t for p in profiles], axis=0).tolist()
            for name, profiles in zip(LEARNERS, by_kind)
        },
        "all_bounds_hold": all(summary["violations"][name] == 0 for summary in summaries for name in proven),
    }
    return finish_study(results, out_dir, start, (plot_shift, "shift.png"), _table)


def _table(results: dict) -> Table:
    config = results["config"]
    table = Table(
        title=f"Distribution shift, H = {config['horizon']}, eps = {config['per_state_error']:g} (exact; "
        "the largest ratio to each bound over a family's learners, at the last step t = H)"
    )
    columns = ("family", "profiles", "violations", "TV_H / eps H", "TV_H / (1-(1-eps_sup)^(H-1))",
               "mistakes_H / eps H", "mistakes_H / (eps + 2 eps H)", "total / (eps H(H+1)/2)", "total / deck sum")  # fmt: skip
    for column in columns:
        table.add_column(column)
    for summary in results["summaries"]:
        proven = sum(count for name, count in summary["violations"].items() if "average" not in name)
        table.add_row(
            summary["family"],
            str(summary["n_profiles"]),
            str(proven),
            f"{summary['max_tv_over_eps_t_at_H']:.3f}",
            f"{summary['max_tv_over_mixture_bound_at_H']:.3f}",
            f"{summary['max_mistakes_over_eps_t_at_H']:.3f}",
            f"{summary['max_mistakes_over_deck_bound_at_H']:.3f}",
            f"{summary['max_total_over_sharp_bound']:.3f}",
            f"{summary['max_total_over_deck_bound']:.3f}",
        )
    return table
