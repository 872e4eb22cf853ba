"""The frozen ``Config`` dataclasses of the algorithms the CLI trains, in modules that import no jax.

Each algorithm module imports its config from here (and re-exports it), so a field is declared
once; ``apprentice train bc --help`` reads these without loading jax (about 4 s).
"""
