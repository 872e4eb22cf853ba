"""DAgger on CartPole-v1 with imitation's ``DAggerTrainer``, timed per round. A script.

Runs inside the peer venv (:mod:`apprentice.bench.peers.venv`), never imported by ``apprentice``:

    python imitation_dagger_worker.py --gains 0.1 0.5 10 2 --initial-labels 500 --steps-per-round 500 \\
        --label-budget 3000 --epochs 4 --batch-size 32 --lr 1e-3 --hidden 32 32 --beta-decay 0.5 \\
        --eval-episodes 20 --eval-seed 1000000000 --repeats 3 --seed 0

The expert is ``apprentice``'s CartPole rule, ``push right iff obs @ gains > 0``, with the gains
passed in. Each round does what ``SimpleDAggerTrainer.train`` does: roll out with the expert's
actions replaced by the learner's with probability ``1 - beta`` (``ExponentialBetaSchedule``),
until at least the round's steps are collected in whole episodes; save them as the round's
demos; ``extend_and_update`` (BC for ``--epochs`` epochs on every label so far, continuing from
the previous round's policy). BC uses imitation's default policy for discrete actions (an
``ActorCriticPolicy`` with tanh layers of ``--hidden`` for policy and value) and its default loss
(``ent_weight=1e-3``); its periodic evaluation rollouts are switched off.

After every round the policy is evaluated greedily on ``--eval-episodes`` episodes seeded
``eval_seed + i``, off the clock (the caller passes ``apprentice.envs.seeds.evaluation_seed()``). Prints one JSON object: per repeat, the rows
``{round, labels, seconds, mean_return}`` (seconds since the start, evaluations excluded), and
``import_seconds``, the time to import torch and imitation.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time

import numpy as np


def cartpole_expert(gains: np.ndarray):
    """The rule as imitation's ``PolicyCallable``: ``(obs, state, episode_start) -> (actions, state)``."""

    def act(observations, states, episode_starts):
        return (np.asarray(observations, np.float64) @ gains > 0.0).astype(np.int64), None

    return act


def evaluate(policy, n_episodes: int, seed: int) -> float:
    import gymnasium as gym

    env, returns = gym.make("CartPole-v1"), []
    for i in range(n_episodes):
        obs, _ = env.reset(seed=seed + i)
        total, done = 0.0, False
        while not done:
            action, _ = policy.predict(obs, deterministic=True)
            obs, reward, terminated, truncated, _ = env.step(int(action))
            total, done = total + float(reward), terminated or truncated
        returns.append(total)
    return float(np.mean(returns))


def run_dagger(args, seed: int) -> list[dict]:
    import torch
    from imitation.algorithms import bc, dagger
    from imitation.data import rollout
    from imitation.util import logger, util
    from stable_baselines3.common import policies

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    venv = util.make_vec_env("CartPole-v1", rng=rng, n_envs=1)
    policy = policies.ActorCriticPolicy(
        observation_space=venv.observation_space, action_space=venv.action_space,
        lr_schedule=lambda _: torch.finfo(torch.float32).max, net_arch=list(args.hidden),
    )  # fmt: skip
    scratch = tempfile.mkdtemp(prefix="dagger_worker_")
    quiet = logger.configure(scratch, format_strs=["csv"])
    trainer = dagger.DAggerTrainer(
        venv=venv, scratch_dir=scratch, rng=rng, beta_schedule=dagger.ExponentialBetaSchedule(args.beta_decay),
        bc_trainer=bc.BC(observation_space=venv.observation_space, action_space=venv.action_space, rng=rng,
                         policy=policy, batch_size=args.batch_size, optimizer_kwargs=dict(lr=args.lr),
                         ent_weight=1e-3, l2_weight=0.0, device="cpu", custom_logger=quiet),
        custom_logger=quiet,
    )  # fmt: skip
    expert = cartpole_expert(np.asarray(args.gains, np.float64))
    rows, labels, round_, clock = [], 0, 0, 0.0
    while labels < args.label_budget:
        start = time.perf_counter()
        collector = trainer.create_trajectory_collector()
        steps = args.initial_labels if round_ == 0 else args.steps_per_round
        until = rollout.make_sample_until(min_timesteps=max(steps, args.batch_size), min_episodes=1)
        trajectories = rollout.generate_trajectories(
            policy=expert, venv=collector, sample_until=until, rng=collector.rng
        )
        labels += sum(len(t) for t in trajectories)
        trainer.extend_and_update(dict(n_epochs=args.epochs, log_rollouts_venv=None, progress_bar=False))
        clock += time.perf_counter() - start
        rows.append(
            {
                "round": round_,
                "labels": labels,
                "seconds": clock,
                "mean_return": evaluate(trainer.policy, args.eval_episodes, args.eval_seed),
            }
        )
        round_ += 1
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gains", type=float, nargs=4, required=True)
    parser.add_argument("--initial-labels", type=int, default=500)
    parser.add_argument("--steps-per-round", type=int, default=500)
    parser.add_argument("--label-budget", type=int, default=3000)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--hidden", type=int, nargs="+", default=[32, 32])
    parser.add_argument("--beta-decay", type=float, default=0.5)
    parser.add_argument("--eval-episodes", type=int, default=20)
    parser.add_argument("--eval-seed", type=int, required=True)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    start = time.perf_counter()
    import imitation
    import imitation.algorithms.bc
    import imitation.algorithms.dagger
    import imitation.data.rollout
    import imitation.util.util
    import torch

    import_seconds = time.perf_counter() - start
    runs = [run_dagger(args, args.seed + i) for i in range(args.repeats)]
    print(json.dumps({"runs": runs, "import_seconds": import_seconds, "torch": torch.__version__,
                      "imitation": imitation.__version__, "threads": torch.get_num_threads()}))  # fmt: skip


if __name__ == "__main__":
    main()
