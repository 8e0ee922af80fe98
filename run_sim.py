"""Entry point: ``python run_sim.py ...`` is the ``run-sim`` command (see ``sim.cli``)."""

from sim.cli import main

if __name__ == "__main__":  # worker processes (local, Dask) import this module too
    raise SystemExit(main())
