"""The report in a real browser: headless Chromium loads it and every image renders.

Outside CI the test skips when no Chromium is installed; in CI (``CI=true``) it must run, and
``.ci/run`` installs Debian's ``chromium``. The page is probed through a copy with a small
script that counts images with ``naturalWidth > 0`` once the page has loaded, plus one
deliberately broken image, so a probe that could not see a broken image fails too.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sim.report import REPORT_FILE, report_command
from tests.reporting import batch_folder

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)
PROBE = (
    "<script>window.addEventListener('load', function () {"
    " var im = Array.from(document.images);"
    " var ok = im.filter(function (i) { return i.complete && i.naturalWidth > 0; });"
    " document.body.setAttribute('data-images', im.length + '/' + ok.length);"
    "});</script>"
)
BROKEN = '<img alt="broken on purpose" src="data:image/png;base64,iVBORw0KGgoAAAA=">'


def chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / f"profile-{len(list(tmp.iterdir()))}"
    profile.mkdir()
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def browser() -> str:
    if CHROMIUM is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI: chromium is not installed (.ci/run installs it)")
        pytest.skip("no chromium installed (outside CI the browser test is optional)")
    return CHROMIUM


def test_every_image_of_the_report_renders(
    browser: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = batch_folder(tmp_path / "out")
    assert report_command(str(folder)) == 0
    page = (folder / REPORT_FILE).read_text(encoding="utf-8")
    n_images = page.count("<img ")
    assert n_images >= 7

    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", BROKEN + PROBE + "</body>"), encoding="utf-8")
    done = chromium(tmp_path, "--virtual-time-budget=15000", "--dump-dom", probe.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    counts = re.search(r'data-images="(\d+)/(\d+)"', done.stdout)
    assert counts is not None, done.stdout[:500]
    total, ok = int(counts.group(1)), int(counts.group(2))
    assert total == n_images + 1
    assert ok == n_images  # every report image rendered; the broken one did not

    shot = tmp_path / "report.png"
    done = chromium(
        tmp_path,
        "--window-size=1280,3000",
        f"--screenshot={shot}",
        (folder / REPORT_FILE).as_uri(),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    pixels = np.asarray(Image.open(shot).convert("L"))
    assert pixels.shape == (3000, 1280)
    assert (pixels < 128).mean() > 0.005  # text and figures, not a blank page
    assert len(np.unique(pixels)) > 50  # antialiased text and plots, not one flat colour
