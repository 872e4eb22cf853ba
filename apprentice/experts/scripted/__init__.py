"""Scripted experts for Gymnasium's classic-control and Box2D envs; importing registers them."""

from apprentice.envs.registration import PRIVILEGED_BASE, TWO_ROUTES_IDS
from apprentice.experts.registry import register
from apprentice.experts.scripted import acrobot, cartpole, lunar_lander, mountain_car, pendulum, two_routes

register("CartPole-v1", cartpole.act, "bang-bang linear state feedback on (x, x_dot, theta, theta_dot)")
register("Acrobot-v1", acrobot.act, "one-step lookahead over torques with energy-pumping rollouts (13 steps)")
register("MountainCar-v0", mountain_car.act_discrete, "push along the velocity, tilted switching line")
register(
    "MountainCarContinuous-v0",
    mountain_car.act_continuous,
    "0.4 tanh-smoothed push along the velocity, tilted switching line",
)
register("Pendulum-v1", pendulum.act, "energy-shaping swing-up blended into a linear stabilizer")
register("LunarLander-v3", lunar_lander.act_discrete, "Gymnasium's lunar_lander.heuristic (discrete)")
register("LunarLanderContinuous-v3", lunar_lander.act_continuous, "Gymnasium's lunar_lander.heuristic (continuous)")

_BASE_ACTS = {"CartPole-v1": cartpole.act, "Pendulum-v1": pendulum.act, "LunarLander-v3": lunar_lander.act_discrete}
for _env_id, _base in PRIVILEGED_BASE.items():
    register(_env_id, _BASE_ACTS[_base], f"privileged: the {_base} expert on the simulator's state", view="state")
for _env_id in TWO_ROUTES_IDS:
    register(_env_id, two_routes.act, "privileged: tracks the episode's intended route (in the state)", view="state")
