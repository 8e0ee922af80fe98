"""The notebooks that pytest runs (nbmake) import this checkout's ``sim``.

nbmake starts each notebook's kernel in ``notebooks/``, where ``import sim`` finds whichever
copy is installed: another checkout's (a second git worktree, an editable install made
elsewhere) or an older release. Putting this checkout first on the kernels' ``PYTHONPATH``
makes ``pytest`` test the notebooks against the code beside them.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent)

_paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
if ROOT not in _paths:
    os.environ["PYTHONPATH"] = os.pathsep.join([ROOT, *_paths])
