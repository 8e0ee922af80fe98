"""Chinese in figures: drawn with a CJK font from a fresh install, never as boxes."""

from __future__ import annotations

import io
import warnings

import pytest
from matplotlib.figure import Figure

from sim import fonts


def chinese_figure() -> Figure:
    fig = Figure()
    ax = fig.subplots()
    ax.set_title("承诺时间修复率 (%)")
    ax.set_xticks([0, 1], ["方案一", "基准"])
    ax.set_xlabel("库存金额 (CNY)")
    return fig


def test_the_packaged_cjk_font_is_found() -> None:
    assert fonts.cjk_family() is not None
    assert fonts.cjk_fonts()[0] == "DejaVu Sans" and len(fonts.cjk_fonts()) == 2


def test_chinese_renders_without_missing_glyphs() -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font.*")
        png = fonts.render_png(chinese_figure())
    assert png.startswith(b"\x89PNG")


def test_without_the_fallback_glyphs_are_missing() -> None:
    # the check above can fail: DejaVu Sans alone has no Chinese
    fig = chinese_figure()
    for t in fig.findobj(lambda a: hasattr(a, "set_fontfamily")):
        t.set_fontfamily(["DejaVu Sans"])
    with pytest.warns(UserWarning, match="missing from font"):
        fig.savefig(io.BytesIO(), format="png")


def test_the_report_carries_the_glyphs_of_its_chinese_text() -> None:
    import base64
    import re

    from fontTools.ttLib import TTFont

    rule = fonts.cjk_font_face("on time 承诺时间修复率 (%), 承诺")
    data = re.search(r"base64,([A-Za-z0-9+/=]+)\)", rule)
    assert data is not None and f'font-family: "{fonts.WEB_FAMILY}"' in rule
    cmap = TTFont(io.BytesIO(base64.b64decode(data.group(1)))).getBestCmap()
    assert {chr(c) for c in cmap if fonts.is_cjk(chr(c))} == set("承诺时间修复率")
    assert len(rule) < 20_000  # a few characters, not the 16 MB font
    assert fonts.cjk_font_face("only English here") == ""
