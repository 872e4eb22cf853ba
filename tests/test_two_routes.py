"""TwoRoutes: the expert takes both routes, the average of its two routes hits the obstacle."""

from __future__ import annotations

import numpy as np
import pytest

from apprentice import experts
from apprentice.envs import make_env
from apprentice.envs.two_routes import episode_outcome, route_statistics
from apprentice.rollout import rollout

ENV_ID = "apprentice/TwoRoutes-v0"
SWITCHING_ID = "apprentice/TwoRoutes-Switching-v0"


class MeanOfRoutes:
    """Acts with the mean of the expert's left-route and right-route actions: what a squared-error
    policy fitted to both routes converges to where both are demonstrated."""

    view = "state"

    def __init__(self, env_id: str):
        self.expert = experts.load(env_id)

    def __call__(self, states: np.ndarray) -> np.ndarray:
        with_route = lambda route: np.column_stack([states[:, :2], np.full(len(states), route)])  # noqa: E731
        return (self.expert(with_route(1.0)) + self.expert(with_route(-1.0))) / 2


def test_outcome_by_hand():
    left = episode_outcome(np.array([[-1.0, 0.0], [0.0, 0.5], [1.0, 0.0]]))
    assert (left.success, left.collision, left.route) == (True, False, "left")
    right = episode_outcome(np.array([[-1.0, 0.0], [-0.2, -0.4], [0.2, -0.4], [0.5, 0.0]]))
    assert (right.success, right.collision, right.route) == (False, False, "right")
    # the segment's end points are outside the obstacle (radius 0.3), its middle is not
    grazed = episode_outcome(np.array([[-1.0, 0.0], [-0.31, 0.0], [0.0, 0.31], [0.31, 0.0]]))
    assert (grazed.success, grazed.collision, grazed.route) == (False, True, "left")
    stuck = episode_outcome(np.array([[-1.0, 0.0], [-0.5, 0.2]]))
    assert (stuck.success, stuck.collision, stuck.route) == (False, False, "none")
    with pytest.raises(ValueError, match=r"expected positions of shape \(T \+ 1 >= 2, 2\), got \(1, 2\)"):
        episode_outcome(np.zeros((1, 2)))


def test_the_expert_succeeds_on_both_routes_about_equally():
    stats = route_statistics(rollout(experts.load(ENV_ID), ENV_ID, n_episodes=40, seed=0))
    assert stats["success_rate"] >= 0.95
    assert stats["collision_rate"] == 0.0
    assert 0.4 <= stats["left_fraction"] <= 0.6
    assert stats["left_fraction"] + stats["right_fraction"] == 1.0


def test_the_mean_of_the_two_routes_drives_into_the_obstacle():
    stats = route_statistics(rollout(MeanOfRoutes(ENV_ID), ENV_ID, n_episodes=40, seed=0))
    assert stats["collision_rate"] >= 0.95
    assert stats["success_rate"] == 0.0


def test_the_switching_expert_changes_its_mind_and_still_succeeds():
    trajectories = rollout(experts.load(SWITCHING_ID), SWITCHING_ID, n_episodes=40, seed=0)
    flips = [int(np.sum(np.diff(t.states[:, 2]) != 0)) for t in trajectories]
    assert np.mean(flips) >= 1.0  # the intention, in the state, flips about twice an episode
    stats = route_statistics(trajectories)
    assert stats["success_rate"] >= 0.95
    assert 0.3 <= stats["left_fraction"] <= 0.7


def test_the_env_reports_the_outcome_that_the_positions_give():
    env = make_env(SWITCHING_ID)
    expert, mean = experts.load(SWITCHING_ID), MeanOfRoutes(SWITCHING_ID)
    for episode in range(6):
        actor = expert if episode % 2 else mean
        obs, info = env.reset(seed=episode)
        positions, done = [obs], False
        while not done:
            obs, _, terminated, truncated, info = env.step(actor(info["state"][None])[0])
            positions.append(obs)
            done = terminated or truncated
        outcome = episode_outcome(np.array(positions))
        assert (outcome.success, outcome.collision, outcome.route) == (
            info["success"],
            info["collision"],
            info["route"],
        )
        assert terminated == (outcome.success or outcome.collision)


def _expert_outcome_from(env, position, route: int, seed: int) -> dict:
    """The last info of the expert's episode started at ``position`` intending ``route``."""
    expert = experts.load(ENV_ID)
    _, info = env.reset(seed=seed, options={"position": position, "route": route})
    done = False
    while not done:
        _, _, terminated, truncated, info = env.step(expert(info["state"][None])[0])
        done = terminated or truncated
    return info


def test_the_expert_reaches_the_goal_from_states_off_its_path():
    """DAgger labels the learner's states: the expert must recover from most of them."""
    env = make_env(ENV_ID)
    rng = np.random.default_rng(0)
    successes = []
    for episode in range(100):
        position = rng.uniform(-1.3, 1.3, 2)
        while np.linalg.norm(position) < 0.35:
            position = rng.uniform(-1.3, 1.3, 2)
        successes.append(_expert_outcome_from(env, position, int(rng.choice([1, -1])), episode)["success"])
    assert np.mean(successes) >= 0.97
    # beside the obstacle on the side away from its intention it keeps to the side it is on
    for position, route, taken in (((-0.1, 0.6), -1, "left"), ((-0.2, -0.5), 1, "right")):
        info = _expert_outcome_from(env, np.array(position), route, seed=0)
        assert (info["success"], info["route"]) == (True, taken), (position, info)


def test_bad_options_say_what_was_expected():
    env = make_env(ENV_ID)
    with pytest.raises(ValueError, match=r"expected 'position' and/or 'route', got \['speed'\]"):
        env.reset(options={"speed": 1.0})
    with pytest.raises(ValueError, match=r"expected route \+1 \(left\) or -1 \(right\), got 0"):
        env.reset(options={"route": 0})
    with pytest.raises(ValueError, match=r"expected switch_probability in \[0, 1\], got 2"):
        make_env(ENV_ID, switch_probability=2)
    with pytest.raises(ValueError, match=r"expected states of shape \(n, 3\)"):
        experts.load(ENV_ID)(np.zeros((4, 2)))
