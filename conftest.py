"""pytest for the whole checkout: the notebooks' kernels (nbmake) import this checkout's
``sim``, not whichever copy the environment has installed (a shared editable install may
point at another worktree). The kernels inherit PYTHONPATH, which comes before
site-packages."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent)
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p)
