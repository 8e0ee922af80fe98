"""Fonts for figures: Chinese labels (``--lang zh``, or Chinese names in a scenario) need a
CJK font, and a fresh install has one.

Matplotlib's default font (DejaVu Sans) has no Chinese characters: it draws boxes. The
``mplfonts`` package, a dependency, ships Noto Sans CJK SC; :func:`cjk_fonts` registers it
with matplotlib's font manager once and returns the family list (DejaVu Sans first, the CJK
font as the fallback for the glyphs DejaVu lacks). If that file is missing, an installed
system font with Chinese glyphs is used instead (Noto Sans CJK, Source Han Sans, WenQuanYi,
SimHei, Microsoft YaHei: on Debian ``apt-get install fonts-noto-cjk``). :func:`render_png`
draws a figure with that fallback without touching matplotlib's global settings outside the
call. :func:`cjk_font_face` does the same for the report's HTML text: the characters the page
uses, cut from the packaged font (``fontTools``' subsetter) and embedded as a web font, so a
browser without a Chinese font (a bare Linux) shows no boxes either.
"""

from __future__ import annotations

import base64
import functools
import io
from importlib import resources
from pathlib import Path

from matplotlib import font_manager, rc_context
from matplotlib.figure import Figure
from matplotlib.text import Text

BASE_FAMILY = "DejaVu Sans"
PACKAGED = ("mplfonts", "fonts/NotoSansCJKsc-Regular.otf")
SYSTEM_CJK = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
)


WEB_FAMILY = "Report CJK"


def cjk_file() -> Path | None:
    """The packaged CJK font file, or None when ``mplfonts`` is missing."""
    package, rel = PACKAGED
    try:
        path = resources.files(package).joinpath(rel)
    except ModuleNotFoundError:
        return None
    return Path(str(path)) if path.is_file() else None


def is_cjk(ch: str) -> bool:
    """Whether ``ch`` needs a CJK font (ideographs, CJK punctuation, full-width forms)."""
    code = ord(ch)
    return 0x2E80 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF


def cjk_font_face(text: str) -> str:
    """A CSS ``@font-face`` rule (family ``WEB_FAMILY``) embedding the packaged font cut to
    the CJK characters of ``text`` (a few kB); "" when ``text`` has none or the font is
    missing."""
    chars = "".join(sorted({ch for ch in text if is_cjk(ch)}))
    path = cjk_file()
    if not chars or path is None:
        return ""
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = []
    options.name_IDs = []
    font = subset.load_font(str(path), options)
    cutter = subset.Subsetter(options)
    cutter.populate(text=chars)
    cutter.subset(font)
    buf = io.BytesIO()
    subset.save_font(font, buf, options)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (
        f'@font-face {{ font-family: "{WEB_FAMILY}"; '
        f'src: url(data:font/woff;base64,{data}) format("woff"); font-display: block; }}'
    )


@functools.cache
def cjk_family() -> str | None:
    """The family name of a font with Chinese glyphs, registered with matplotlib; None
    when neither the packaged font nor a system one is found."""
    path = cjk_file()
    if path is not None:
        try:
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path)).get_name()
        except OSError:
            pass
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in SYSTEM_CJK if name in installed), None)


def cjk_fonts() -> list[str]:
    """Families to draw with: DejaVu Sans, then the CJK fallback when there is one."""
    family = cjk_family()
    return [BASE_FAMILY, family] if family else [BASE_FAMILY]


def render_png(fig: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG bytes, every text drawn with the CJK fallback."""
    families = cjk_fonts()
    for text in fig.findobj(Text):
        text.set_fontfamily(families)
    buf = io.BytesIO()
    with rc_context({"font.family": families}):  # texts made while drawing (tick labels)
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()
