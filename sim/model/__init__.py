"""The simulation model: one replication of one scenario, built and run on SimPy."""
