"""SQIL (Reddy, Dragan & Levine 2019, "SQIL: Imitation Learning via Reinforcement Learning with
Sparse Rewards"): imitation by off-policy RL on a constant reward, without learning one.

The demonstrations go into a replay buffer of their own with reward ``r = 1``; every transition the
agent collects goes into a second one with ``r = 0``; every minibatch is drawn half from each
(``demo_fraction``; the paper's balance is 1/2, its ``lambda_samp = 1``). The agent's soft Q
function then earns value for taking the demonstrated action in a demonstrated state and for
returning to demonstrated states, and nothing elsewhere:

    L = delta^2(D_demo, r = 1) + lambda_samp delta^2(D_samp, r = 0),
    delta^2(D, r) = (1 / |D|) sum_{(s, a, s') in D} (Q(s, a) - (r + gamma V(s')))^2.

Discrete actions run on soft Q-learning (``rl/soft_q.py``), continuous ones on SAC (``rl/sac.py``),
both on the Gymnasium backend; only the replay differs from plain RL (:class:`SQILReplay`).
SQIL lives beside GAIL and AIRL because it is what they are, imitation from demonstrations and
the env, and it shares their demonstration handling.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from apprentice.algorithms.configs.sqil import SQILConfig
from apprentice.algorithms.irl.adversarial import expert_transitions
from apprentice.algorithms.rl.common import RLResult
from apprentice.algorithms.rl.replay import ReplayBuffer
from apprentice.data.trajectory import Trajectory, Transitions
from apprentice.envs.make import env_spec
from apprentice.envs.spec import EnvSpec, require_data_matches

DEMO_REWARD = 1.0
"""The reward of every demonstrated transition."""
AGENT_REWARD = 0.0
"""The reward of every transition the agent collects (whatever the env paid)."""


class SQILReplay:
    """The demonstrations (reward 1) and the agent's transitions (reward 0) in two buffers; each
    minibatch takes ``round(batch_size * demo_fraction)`` rows from the first, the rest from the second.

    Rows are drawn uniformly with replacement inside each buffer. In every sampled minibatch the
    demonstrations come first, then the agent's rows.

    Example:
        >>> replay = SQILReplay(env_spec("CartPole-v1"), flatten(demos), capacity=50_000)
        >>> replay.add(obs, actions, env_rewards, next_obs, terminated)   # stored with reward 0
        >>> batches = replay.sample(np.random.default_rng(0), n_batches=4, batch_size=64)
    """

    def __init__(self, spec: EnvSpec, demos: Transitions, capacity: int, demo_fraction: float = 0.5):
        if not 0.0 < demo_fraction <= 1.0:
            raise ValueError(f"SQILReplay: demo_fraction: expected a value in (0, 1], got {demo_fraction}")
        self.demo_fraction = demo_fraction
        n = len(demos)
        self.demos = ReplayBuffer(spec, n)
        self.demos.add(demos.obs, demos.acts, np.full(n, DEMO_REWARD, np.float32), demos.next_obs, demos.dones)
        self.agent = ReplayBuffer(spec, capacity)

    def add(self, obs, actions, rewards, next_obs, terminated) -> None:
        """The agent's env steps, stored with reward 0 (the env's ``rewards`` are ignored)."""
        self.agent.add(obs, actions, np.full(len(obs), AGENT_REWARD, np.float32), next_obs, terminated)

    def demo_rows(self, batch_size: int) -> int:
        """How many rows of a minibatch of ``batch_size`` come from the demonstrations."""
        n_demo = round(batch_size * self.demo_fraction)
        if not 1 <= n_demo <= batch_size:
            raise ValueError(
                f"SQILReplay: a batch of {batch_size} with demo_fraction {self.demo_fraction} gets {n_demo} "
                "demonstrations; expected at least 1"
            )
        return n_demo

    def sample(self, rng: np.random.Generator, n_batches: int, batch_size: int) -> dict[str, np.ndarray]:
        """``n_batches`` minibatches ``(n_batches, batch_size, ...)``: demonstrations first, then the agent's."""
        n_demo = self.demo_rows(batch_size)
        demo = self.demos.sample(rng, n_batches, n_demo)
        if n_demo == batch_size:
            return demo
        agent = self.agent.sample(rng, n_batches, batch_size - n_demo)
        return {name: np.concatenate([demo[name], agent[name]], axis=1) for name in demo}


def train(
    key,
    config: SQILConfig,
    env_id: str,
    demos: Sequence[Trajectory] | Transitions,
    *,
    progress: bool = True,
    on_evaluation: Callable[[RLResult], None] | None = None,
) -> RLResult:
    """SQIL from expert ``demos`` on ``env_id``: soft Q-learning for discrete actions, SAC for
    continuous ones (``config.soft_q`` or ``config.sac``), on :class:`SQILReplay`.

    The result is the RL learner's: ``policy`` (greedy Q or SAC's actor), ``spec``, ``metrics``
    (one row per evaluation, ``eval_return`` the env's true return).

    Example:
        >>> demos = rollout(experts.load("CartPole-v1"), "CartPole-v1", n_episodes=5, seed=0)
        >>> result = train(jax.random.key(0), SQILConfig(), "CartPole-v1", demos)
        >>> result.metrics[-1]["eval_return"]
    """
    if not isinstance(demos, Transitions) and not demos:
        raise ValueError("sqil: expected at least one expert trajectory, got none")
    spec = env_spec(env_id)
    expert = expert_transitions(demos)
    require_data_matches(spec, expert, "sqil demonstrations")
    if spec.action_kind == "discrete":
        from apprentice.algorithms.rl import soft_q

        replay = SQILReplay(
            spec, expert, min(config.soft_q.buffer_size, config.soft_q.total_steps), config.demo_fraction
        )
        return soft_q.train(key, config.soft_q, env_id, replay=replay, progress=progress, on_evaluation=on_evaluation)
    from apprentice.algorithms.rl import sac

    replay = SQILReplay(spec, expert, min(config.sac.buffer_size, config.sac.total_steps), config.demo_fraction)
    return sac.train(key, config.sac, env_id, replay=replay, progress=progress, on_evaluation=on_evaluation)
