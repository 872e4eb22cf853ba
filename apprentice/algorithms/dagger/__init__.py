"""Interactive imitation: DAgger, HG-DAgger and DART, on one shared round loop."""

from apprentice.algorithms.dagger import dagger, dart, hg_dagger
from apprentice.algorithms.dagger.dagger import DAggerConfig, MixtureActor
from apprentice.algorithms.dagger.dart import DARTConfig, NoisyExpertActor, fitted_noise, noise_injected_demonstrations
from apprentice.algorithms.dagger.hg_dagger import ActionDiscrepancyGate, GatedActor, HGDAggerConfig, StateRiskGate
from apprentice.algorithms.dagger.loop import InteractiveConfig, InteractiveResult, LabelingExpert, labeled_transitions
from apprentice.algorithms.dagger.schedules import beta_at

__all__ = [
    "ActionDiscrepancyGate",
    "DAggerConfig",
    "DARTConfig",
    "GatedActor",
    "HGDAggerConfig",
    "InteractiveConfig",
    "InteractiveResult",
    "LabelingExpert",
    "MixtureActor",
    "NoisyExpertActor",
    "noise_injected_demonstrations",
    "StateRiskGate",
    "beta_at",
    "dagger",
    "dart",
    "fitted_noise",
    "hg_dagger",
    "labeled_transitions",
]
