"""KPI labels in English and Chinese, and each KPI's possible range."""

from __future__ import annotations

import math

import pytest

from sim import labels
from sim.kpi import JOB_TYPE_KPIS, KPI_COLUMNS, POOL_KPIS


@pytest.mark.parametrize("kpi", [*KPI_COLUMNS, *POOL_KPIS, *JOB_TYPE_KPIS])
def test_every_kpi_has_a_name_and_unit_in_both_languages(kpi: str) -> None:
    en, zh = labels.kpi_label(kpi, "en", "EUR"), labels.kpi_label(kpi, "zh", "EUR")
    assert en != kpi and zh != kpi and en != zh
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)  # Chinese characters
    for lang, label in (("en", en), ("zh", zh)):
        u = labels.unit(kpi, lang, "EUR")  # in brackets, unless the name says it
        assert label.endswith(f"({u})") or u in labels.kpi_name(kpi, lang)


def test_labels_carry_units_and_currency() -> None:
    assert labels.kpi_label("on_time_rate", "zh") == "承诺时间修复率 (%)"
    assert labels.kpi_label("avg_inventory_value", "en", "EUR") == "line-side stock value (EUR)"
    assert labels.kpi_label("mean_lead_time_h", "zh") == "在厂时间 (小时)"
    assert labels.kpi_label("no_such_kpi", "zh") == "no_such_kpi"
    assert labels.kpi_label("emergency_orders", "en") == "emergency orders"
    assert labels.check_lang("zh") == "zh"
    with pytest.raises(ValueError, match="lang 'fr': choose one of en, zh"):
        labels.check_lang("fr")


def test_intervals_are_clipped_to_what_is_possible() -> None:
    assert labels.clip_interval("fill_rate", 0.97, 1.02) == (0.97, 1.0, True)
    assert labels.clip_interval("tyres", -3478.0, 9000.0) == (0.0, 9000.0, True)
    assert labels.clip_interval("mean_bay_wait_h", -0.185, 0.5) == (0.0, 0.5, True)
    assert labels.clip_interval("gross_margin", -5.0, 7.0) == (-5.0, 7.0, False)  # may lose
    assert labels.clip_interval("gross_margin_rate", -0.2, 1.3) == (-0.2, 1.0, True)
    assert labels.clip_interval("revenue", 10.0, 20.0) == (10.0, 20.0, False)
    lo, hi, cut = labels.clip_interval("fill_rate", math.nan, math.nan)
    assert math.isnan(lo) and math.isnan(hi) and not cut
    assert labels.clip_interval("unknown", -1.0, 2.0) == (-1.0, 2.0, False)


def test_phrases_in_the_readers_language() -> None:
    assert labels.tr("scenario", "en") == "scenario"
    assert labels.tr("scenario", "zh") == "方案"
    assert labels.tr("a phrase nobody translated", "zh") == "a phrase nobody translated"


def test_every_translated_template_keeps_its_fields() -> None:
    import string

    from sim.labels_zh import PHRASES

    def fields(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    for en, zh in PHRASES.items():
        assert fields(en) == fields(zh), en


FIGURE_MODULES = (
    "plots.py",
    "plots_batch.py",
    "plots_stock.py",
    "plots_workshop.py",
    "reportfigures.py",
    "report.py",
    "readout.py",
    "scorecard.py",
    "commands.py",
    "optimize.py",
    "optplots.py",
    "optreport.py",
    "regionreport.py",
)
# phrases passed to tr through a variable (table headers, states)
DYNAMIC = (
    "scenario", "replications", "horizon", "warm-up", "seed", "hash", "description",
    "KPI", "change", "95% interval", "real difference", "target", "actual", "completion",
    "score", "of", "veto", "FIRES", "no", "yes", "not evaluated (no measure)",
)  # fmt: skip


def test_every_phrase_of_the_interface_has_its_chinese() -> None:
    """Each constant phrase the figure, report and terminal modules pass to ``tr`` (and the
    frontier's verdicts) is in ``PHRASES``, so ``--lang zh`` leaves no English behind."""
    import ast
    from pathlib import Path

    from sim.labels_zh import PHRASES
    from sim.plots_batch import VERDICT_LABELS
    from sim.regionreport import CENTRE_PART_HEADINGS

    root = Path(labels.__file__).parent
    phrases = [*VERDICT_LABELS.values(), *CENTRE_PART_HEADINGS.values(), *DYNAMIC]
    for name in FIGURE_MODULES:
        for node in ast.walk(ast.parse((root / name).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "tr":
                arg = node.args[0]
                options = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]
                phrases += [a.value for a in options if isinstance(a, ast.Constant)]
    assert len(phrases) > 50
    assert [p for p in phrases if p not in PHRASES] == []


def test_param_labels_are_words_with_units() -> None:
    assert labels.param_label("supply.call_off.every", duration=True) == "call-off interval (h)"
    assert labels.param_label("supply.call_off.every", "zh", duration=True) == "叫料间隔 (小时)"
    assert labels.param_label("resources.body_bays") == "body bays (units)"
    assert labels.param_label("workshop.something_new") == "something new"
