"""What the local workers' fork server imports before it forks a worker (``sim.forkserver``):
the model and the task runner, then ``gc.freeze()``.

Frozen, those objects are never walked by a garbage collection again, neither in the
server nor in the workers forked from it (which then also leave those memory pages
shared instead of touching them), and the server's own exit is quick.
"""

from __future__ import annotations

import gc

import sim.executors  # the task runner and the record builder
import sim.model.world  # noqa: F401  (the model)

gc.freeze()
