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
import warnings
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
GLYPHS = (
    '<div style="position:fixed;top:0;left:0;z-index:9;background:#fff;font-size:80px;'
    'line-height:100px"><span style="display:inline-block;width:100px">承</span>'
    '<span style="display:inline-block;width:100px">诺</span></div>'
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


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_image_of_the_report_renders(
    browser: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    folder = batch_folder(tmp_path / "out")
    with warnings.catch_warnings():  # a Chinese glyph drawn as a box warns: fail on it
        warnings.filterwarnings("error", message=".*missing from font.*")
        assert report_command(str(folder), lang) == 0  # type: ignore[arg-type]
    page = (folder / REPORT_FILE).read_text(encoding="utf-8")
    n_images = page.count("<img ")
    assert n_images >= 7
    if lang == "zh":
        assert '<html lang="zh-Hans">' in page and "承诺时间修复率" in page
        assert "仿真报告" in page and "Simulation report" not in page

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
    shown = folder / REPORT_FILE
    if lang == "zh":  # two characters of the page, large, in the page's own fonts
        shown = tmp_path / "glyphs.html"
        shown.write_text(page.replace("<body>", "<body>" + GLYPHS), encoding="utf-8")
    done = chromium(
        tmp_path,
        "--window-size=1280,3000",
        "--virtual-time-budget=15000",
        f"--screenshot={shot}",
        shown.as_uri(),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    pixels = np.asarray(Image.open(shot).convert("L"))
    assert pixels.shape == (3000, 1280)
    assert (pixels < 128).mean() > 0.005  # text and figures, not a blank page
    assert len(np.unique(pixels)) > 50  # antialiased text and plots, not one flat colour
    if lang == "zh":
        # Without a font for them, both characters are the same empty box: real glyphs
        # differ from each other. The report carries its own (sim.fonts.cjk_font_face).
        first, second = pixels[:100, :100] < 128, pixels[:100, 100:200] < 128
        assert first.mean() > 0.03 and second.mean() > 0.03
        assert (first != second).mean() > 0.05
