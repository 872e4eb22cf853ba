"""``apprentice train gail|airl|mce-irl``: inverse RL from demonstrations, or on a tabular MDP."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Generic, Literal, TypeVar

import tyro

from apprentice.algorithms.configs.irl import AIRLConfig, GAILConfig, MCEIRLConfig
from apprentice.cli.base import EnvKwargsArgs, RunArgs, print_result, run_config
from apprentice.cli.collect import load_demos
from apprentice.field_ranges import PositiveInt

AdversarialAlgorithmConfig = TypeVar("AdversarialAlgorithmConfig", GAILConfig, AIRLConfig)


@dataclass(frozen=True, kw_only=True)
class TrainAdversarialArgs(RunArgs, EnvKwargsArgs, Generic[AdversarialAlgorithmConfig]):
    demos: str
    """Expert demonstrations: an .npz file from `apprentice collect`, or minari:DATASET_ID (the run
    directory also gets discriminator.eqx, and best/: the best evaluated policy)."""
    config: Annotated[AdversarialAlgorithmConfig, tyro.conf.OmitArgPrefixes]
    env: str = ""
    """Env id, when the demonstrations do not name one."""
    subsample: PositiveInt = 1
    """Keep every this-many-th expert step, from a random offset per episode (the GAIL paper used 20)."""


@dataclass(frozen=True, kw_only=True)
class TrainMCEIRLArgs(RunArgs):
    config: Annotated[MCEIRLConfig, tyro.conf.OmitArgPrefixes] = MCEIRLConfig(
        horizon=20, learning_rate=0.5, occupancy_tol=5e-4
    )
    mdp: Literal["imitation-5-state", "random"] = "imitation-5-state"
    """The tabular MDP: imitation's 5-state test MDP (horizon 20), or a random one."""
    n_states: PositiveInt = 10
    """States of the random MDP."""
    n_actions: PositiveInt = 3
    """Actions of the random MDP."""


TrainGAILArgs = TrainAdversarialArgs[GAILConfig]
TrainAIRLArgs = TrainAdversarialArgs[AIRLConfig]


def train_mce_irl(args: TrainMCEIRLArgs) -> dict[str, Any]:
    """MCE IRL against the soft-optimal expert of a tabular MDP's true reward, into a run directory
    (with ``rewards.npy``, the learned r(s, a), and ``policy.npy``, its soft-optimal pi_t(a|s))."""
    import jax
    import numpy as np

    from apprentice.algorithms.irl import mce, policy_visitation, soft_value_iteration_finite
    from apprentice.envs.tabular import imitation_five_state_mdp, random_finite_horizon_mdp
    from apprentice.io_utils import atomic_open
    from apprentice.runs import write_run

    config = args.config
    if config.horizon is None:
        raise ValueError("train mce-irl: expected --horizon (the command's MDPs are finite-horizon)")
    if args.mdp == "imitation-5-state":
        mdp = imitation_five_state_mdp()
        if config.horizon != mdp.horizon:
            raise ValueError(
                f"train mce-irl: imitation's 5-state MDP has horizon {mdp.horizon}, got --horizon {config.horizon}"
            )
    else:
        mdp = random_finite_horizon_mdp(args.seed, args.n_states, args.n_actions, config.horizon)
    expert = policy_visitation(mdp, soft_value_iteration_finite(mdp, discount=config.discount).policy, config.discount)
    result = mce.train(jax.random.key(args.seed), config, mdp, expert)
    summary = {
        "algorithm": "mce-irl",
        "out": str(args.out),
        "mdp": args.mdp,
        "discount": config.discount,
        "iterations": result.n_iterations,
        "converged": result.converged,
        "occupancy_linf": float(result.log.occupancy_linf[-1]),
        "learner_return": float(result.log.learner_return[-1]),
        "expert_return": float(result.log.expert_return),
        "seconds": round(result.seconds, 3),
    }
    log = result.log
    metrics = [
        {
            "iteration": i,
            "occupancy_linf": float(log.occupancy_linf[i]),
            "occupancy_l1": float(log.occupancy_l1[i]),
            "gradient_norm": float(log.gradient_norm[i]),
            "learner_return": float(log.learner_return[i]),
        }
        for i in range(result.n_iterations)
    ]
    write_run(args.out, run_config("train mce-irl", args, algorithm="mce-irl"), metrics, summary)
    for name, table in (("rewards.npy", result.rewards), ("policy.npy", result.policy)):
        with atomic_open(Path(args.out) / name, "wb") as handle:
            np.save(handle, np.asarray(table))
    print_result(f"MCE IRL on {args.mdp} -> {args.out}", summary)
    return summary


def train_gail(args) -> dict[str, Any]:
    """GAIL from demonstrations into a run directory."""
    return _train_adversarial(args)


def train_airl(args) -> dict[str, Any]:
    """AIRL from demonstrations into a run directory."""
    return _train_adversarial(args)


def _train_adversarial(args) -> dict[str, Any]:
    import equinox as eqx
    import jax

    from apprentice.algorithms.irl import adversarial
    from apprentice.data import subsample
    from apprentice.io_utils import atomic_open
    from apprentice.runs import write_run

    trajectories, env_id = load_demos(args.demos, args.env)
    algorithm = args.config.algorithm
    expert = subsample(trajectories, args.subsample, seed=args.seed)
    trained = adversarial.train(jax.random.key(args.seed), args.config, env_id, expert)
    rl = trained.rl
    summary = {
        "algorithm": algorithm,
        "out": str(args.out),
        "n_demo_episodes": len(trajectories),
        "n_expert_samples": len(expert),
        **rl.summary(),
    }
    last = rl.metrics[-1]
    summary.update({k: last.get(k) for k in ("disc_accuracy_expert", "disc_accuracy_learner", "learned_reward_mean")})
    config = run_config(f"train {algorithm}", args, algorithm=algorithm, env_id=env_id)
    write_run(
        args.out,
        config,
        rl.metrics,
        summary,
        policy=rl.policy,
        spec=rl.spec,
        architecture=rl.architecture,
        best_policy=rl.best_policy,
    )
    with atomic_open(Path(args.out) / "discriminator.eqx", "wb") as handle:
        eqx.tree_serialise_leaves(handle, trained.discriminator)
    print_result(f"{algorithm} on {env_id} -> {args.out}", summary)
    return summary
