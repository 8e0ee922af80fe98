"""Entry point: ``python run_sim.py ...`` is the ``run-sim`` command (see ``sim.cli``)."""

from sim.cli import main

raise SystemExit(main())
