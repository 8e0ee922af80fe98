"""Entry point: ``python run_sim.py ...`` is the ``run-sim`` command (see ``sim.cli``)."""

if __name__ == "__main__":  # worker processes (local, Dask) import this module too
    from sim.launch import launch

    raise SystemExit(launch())
