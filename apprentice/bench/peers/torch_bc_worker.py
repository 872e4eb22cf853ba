"""Behavior cloning in PyTorch, timed: imitation's ``BC`` or a plain training loop. A script.

Runs inside the peer venv (:mod:`apprentice.bench.peers.venv`), never imported by ``apprentice``:

    python torch_bc_worker.py --variant torch_loop --data data.npz --hidden 256 256 --batch-size 256 \\
        --steps 200 --repeats 1 --threads 0

``--data`` is an ``.npz`` with ``obs`` and ``acts`` (float32). Every variant trains the same
policy for ``--steps`` gradient steps of ``--batch-size`` with Adam: an MLP with tanh hidden
layers, a linear mean and a state-independent log-std (stable-baselines3's Gaussian head,
orthogonal initialization), loss ``-mean log pi(a|s) - 1e-3 * entropy`` (imitation's defaults,
``ent_weight=1e-3, l2_weight=0``).

* ``imitation``: ``imitation.algorithms.bc.BC(...).train(n_batches=steps)`` with the policy
  imitation builds by default (``ActorCriticPolicy``) at the requested widths; it also runs the
  value network, whose output BC does not use.
* ``imitation_pi_only``: the same with ``net_arch=dict(pi=hidden, vf=[])``: the same network as
  the other two.
* ``torch_loop``: the same network and loss in a plain loop over minibatches of a pre-shuffled tensor.

One warm-up run, then ``--repeats`` timed runs (0: the warm-up alone, a whole job as a process), each of a freshly initialized policy. Prints one
JSON object: ``walls`` (seconds per timed run), ``loss`` (final), ``threads``, versions.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time

import numpy as np
import torch
from torch import nn

LOG_2PI = math.log(2 * math.pi)
ENT_WEIGHT = 1e-3


class GaussianMLP(nn.Module):
    def __init__(self, obs_dim: int, act_dim: int, hidden: list[int]):
        super().__init__()
        layers, width = [], obs_dim
        for h in hidden:
            layers += [nn.Linear(width, h), nn.Tanh()]
            width = h
        self.body = nn.Sequential(*layers)
        self.mean = nn.Linear(width, act_dim)
        self.log_std = nn.Parameter(torch.zeros(act_dim))
        for module in self.body:
            if isinstance(module, nn.Linear):
                nn.init.orthogonal_(module.weight, gain=math.sqrt(2))
                nn.init.zeros_(module.bias)
        nn.init.orthogonal_(self.mean.weight, gain=0.01)
        nn.init.zeros_(self.mean.bias)

    def loss(self, obs, acts):
        mean, log_std = self.mean(self.body(obs)), self.log_std
        log_prob = (-0.5 * ((acts - mean) / log_std.exp()) ** 2 - log_std - 0.5 * LOG_2PI).sum(-1)
        entropy = (0.5 + 0.5 * LOG_2PI + log_std).sum()
        return -log_prob.mean() - ENT_WEIGHT * entropy


def torch_loop(obs, acts, args, seed):
    torch.manual_seed(seed)
    model = GaussianMLP(obs.shape[1], acts.shape[1], args.hidden)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    order = torch.randperm(len(obs))
    obs, acts = obs[order].contiguous(), acts[order].contiguous()
    n, batch = len(obs), args.batch_size
    start = time.perf_counter()
    for i in range(args.steps):
        j = (i * batch) % (n - batch + 1)
        loss = model.loss(obs[j : j + batch], acts[j : j + batch])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    final = loss.item()
    return time.perf_counter() - start, final


def imitation_bc(obs, acts, args, seed, pi_only: bool):
    import gymnasium as gym
    from imitation.algorithms import bc
    from imitation.data import types
    from imitation.util import logger
    from stable_baselines3.common import policies, torch_layers

    torch.manual_seed(seed)
    obs_space = gym.spaces.Box(-np.inf, np.inf, (obs.shape[1],), np.float32)
    act_space = gym.spaces.Box(-1.0, 1.0, (acts.shape[1],), np.float32)
    policy = policies.ActorCriticPolicy(
        observation_space=obs_space, action_space=act_space,
        lr_schedule=lambda _: torch.finfo(torch.float32).max,  # as imitation's BC builds it
        features_extractor_class=torch_layers.FlattenExtractor,
        net_arch=dict(pi=list(args.hidden), vf=[]) if pi_only else list(args.hidden),
    )  # fmt: skip
    n = len(obs)
    demos = types.Transitions(obs=obs, acts=acts, infos=np.array([{}] * n), next_obs=obs, dones=np.zeros(n, bool))
    trainer = bc.BC(
        observation_space=obs_space, action_space=act_space, rng=np.random.default_rng(seed), policy=policy,
        demonstrations=demos, batch_size=args.batch_size, optimizer_cls=torch.optim.Adam,
        optimizer_kwargs=dict(lr=args.lr), ent_weight=ENT_WEIGHT, l2_weight=0.0, device="cpu",
        custom_logger=logger.configure(tempfile.mkdtemp(prefix="bc_worker_"), format_strs=["csv"]),
    )  # fmt: skip
    start = time.perf_counter()
    trainer.train(n_batches=args.steps, progress_bar=False)
    return time.perf_counter() - start, float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", choices=["imitation", "imitation_pi_only", "torch_loop"], required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--hidden", type=int, nargs="+", default=[256, 256])
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--lr", type=float, default=3e-4)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads; 0 keeps torch's default")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    data = np.load(args.data)
    if args.variant == "torch_loop":
        obs, acts = torch.from_numpy(data["obs"]), torch.from_numpy(data["acts"])
        run = lambda seed: torch_loop(obs, acts, args, seed)  # noqa: E731
    else:
        run = lambda seed: imitation_bc(data["obs"], data["acts"], args, seed, args.variant == "imitation_pi_only")  # noqa: E731
    run(args.seed)  # warm-up
    results = [run(args.seed + 1 + i) for i in range(args.repeats)]
    import imitation

    print(json.dumps({
        "variant": args.variant, "walls": [wall for wall, _ in results], "loss": results[-1][1] if results else None, "steps": args.steps,
        "threads": torch.get_num_threads(), "torch": torch.__version__, "imitation": imitation.__version__,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
