"""The smallest plain-SimPy M/M/8 model: the kernel benchmark's yardstick.

Usage: python benchmarks/mm8_simpy.py CUSTOMERS [--seed S]

Poisson arrivals at 6 per hour, 8 servers, exponential service with mean 1 hour, first come
first served; each customer is a process that requests a server, holds it and leaves. It runs
until every customer has left and prints the number served and the mean wait in queue (h).
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Generator

import simpy

LAMBDA, MU, SERVERS = 6.0, 1.0, 8


def main() -> None:
    """Simulate the customers and print the count and the mean wait."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("customers", type=int)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=SERVERS)
    waits: list[float] = []

    def customer() -> Generator[simpy.Event, None, None]:
        arrived = env.now
        with servers.request() as req:
            yield req
            waits.append(env.now - arrived)
            yield env.timeout(rng.expovariate(MU))

    def source() -> Generator[simpy.Event, None, None]:
        for _ in range(args.customers):
            yield env.timeout(rng.expovariate(LAMBDA))
            env.process(customer())

    env.process(source())
    env.run()
    print(f"served {len(waits)}, mean wait in queue {sum(waits) / max(len(waits), 1):.4f} h")


if __name__ == "__main__":
    main()
