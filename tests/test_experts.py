"""The expert-normalized score, by hand (exact tier)."""

from __future__ import annotations

import pytest

from apprentice.experts import Expert, ExpertStats, normalized_score


def test_normalized_score_by_hand():
    assert normalized_score(250.0, expert_return=500.0, random_return=0.0) == 0.5
    # Pendulum-like negative returns: random -1200, expert -150; -675 is half way.
    assert normalized_score(-675.0, expert_return=-150.0, random_return=-1200.0) == pytest.approx(0.5)
    assert normalized_score(-1200.0, expert_return=-150.0, random_return=-1200.0) == 0.0
    assert normalized_score(600.0, expert_return=500.0, random_return=100.0) == 1.25  # beyond the expert


def test_expert_and_stats_use_the_same_score():
    stats = ExpertStats(mean_return=-150.0, std_return=10.0, random_mean_return=-1200.0, n_episodes=50, seed=0)
    expert = Expert(env_id="Pendulum-v1", act=lambda obs: obs, description="test", stats=stats)
    for score in (-1200.0, -900.0, -150.0, 0.0):
        assert expert.normalized_score(score) == stats.normalized_score(score) == normalized_score(score, -150.0, -1200.0)


def test_normalized_score_refuses_an_expert_no_better_than_random():
    with pytest.raises(ValueError, match="must differ from the random policy's"):
        normalized_score(1.0, expert_return=3.0, random_return=3.0)


def test_expert_without_stats_says_how_to_measure():
    expert = Expert(env_id="CartPole-v1", act=lambda obs: obs, description="test")
    with pytest.raises(ValueError, match="apprentice experts --measure --env CartPole-v1"):
        expert.normalized_score(1.0)
