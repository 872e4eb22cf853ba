"""Reference implementations from other libraries, run in their own virtual environment.

PyTorch and HumanCompatibleAI's ``imitation`` are not dependencies of ``apprentice``: the
benchmarks build a separate venv for them (:mod:`apprentice.bench.peers.venv`) and run
:mod:`torch_bc_worker` there as a script, never importing it here.
"""
