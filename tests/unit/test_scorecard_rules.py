"""The scorecard's rules and the score of one month, checked against hand calculations."""

from __future__ import annotations

import math

import pytest

from sim.scorecard_rules import (
    ItemRule,
    RulesError,
    VetoRule,
    default_rules,
    merge_rules,
    rules_from_data,
    score_card,
)

SEED_TARGETS = {
    "vehicles_received": 310,
    "revenue": 316228.8,
    "gross_margin": 108031.1,
    "care_products": 12758.2,
    "accessories": 19638.5,
    "tyres": 16757.1,
}
SEED_ACTUALS = {
    "vehicles_received": 251,
    "revenue": 252486.0,
    "gross_margin": 60574.0,
    "care_products": 19270.0,
    "accessories": 3427.0,
    "tyres": 7453.0,
    "on_time_rate": 1.0,
    "comeback_rate": 0.0,
}


def test_default_rules_are_the_seeds() -> None:
    rules = default_rules()
    weights = {name: item.weight for name, item in rules.items.items()}
    assert weights == {
        "vehicles_received": 15,
        "revenue": 10,
        "gross_margin": 15,
        "care_products": 5,
        "accessories": 5,
        "tyres": 5,
    }
    gm = rules.items["gross_margin"]
    assert (gm.score, gm.rate_of, gm.rate_target) == ("rate", "revenue", 0.40)
    v = rules.vetoes
    assert (v["intake_completion"].below, v["intake_completion"].veto_scope) == (0.5, "item")
    assert (v["revenue_completion"].below, v["revenue_completion"].veto_scope) == (0.5, "item")
    assert (v["on_time"].actual, v["on_time"].below, v["on_time"].veto_scope) == (
        "on_time_rate",
        1.0,
        "card",
    )
    assert (v["comeback"].at_or_above, v["comeback"].veto_scope) == (0.002, "card")


def test_seed_month_scores_as_the_seed_sheet() -> None:
    card = score_card(default_rules(), SEED_TARGETS, SEED_ACTUALS)
    s = {name: it.score for name, it in card.items.items()}
    assert s["revenue"] == pytest.approx(10 * 252486.0 / 316228.8)
    assert round(s["revenue"], 2) == 7.98
    assert s["care_products"] == 5.0
    assert round(s["accessories"], 2) == 0.87
    assert round(s["tyres"], 2) == 2.22
    assert s["vehicles_received"] == pytest.approx(15 * 251 / 310)
    # gross margin on its rate: 60,574 / 252,486 = 23.99 % of 40 %, not on the money target
    assert s["gross_margin"] == pytest.approx(15 * (60574.0 / 252486.0) / 0.40)
    assert card.items["gross_margin"].completion == pytest.approx(60574.0 / 108031.1)
    assert card.items["gross_margin"].rate == pytest.approx(60574.0 / 252486.0)
    assert card.total == pytest.approx(math.fsum(s.values()))
    assert card.max_total == 55
    assert not card.vetoed
    assert card.vetoes == dict.fromkeys(
        ("intake_completion", "revenue_completion", "on_time", "comeback"), False
    )


def test_item_veto_zeroes_only_its_item() -> None:
    actuals = {**SEED_ACTUALS, "vehicles_received": 154}  # 154 / 310 = 49.7 %
    card = score_card(default_rules(), SEED_TARGETS, actuals)
    assert card.vetoes["intake_completion"] is True
    assert card.items["vehicles_received"].score == 0.0
    assert card.items["vehicles_received"].veto
    assert card.items["vehicles_received"].vetoed_by == ("intake_completion",)
    assert card.items["revenue"].score == pytest.approx(10 * 252486.0 / 316228.8)
    assert not card.items["revenue"].veto
    assert card.vetoed
    assert card.total == pytest.approx(
        math.fsum(it.score for name, it in card.items.items() if name != "vehicles_received")
    )


def test_exactly_half_completion_is_not_vetoed() -> None:
    card = score_card(default_rules(), {"vehicles_received": 300}, {"vehicles_received": 150})
    assert card.vetoes["intake_completion"] is False
    assert card.items["vehicles_received"].score == 7.5


@pytest.mark.parametrize(
    ("on_time", "comeback", "fires"),
    [
        (0.999, 0.0, "on_time"),
        (1.0, 0.002, "comeback"),  # at the threshold: fires
        (1.0, 0.00199, None),
    ],
)
def test_card_vetoes(on_time: float, comeback: float, fires: str | None) -> None:
    actuals = {**SEED_ACTUALS, "on_time_rate": on_time, "comeback_rate": comeback}
    card = score_card(default_rules(), SEED_TARGETS, actuals)
    if fires is None:
        assert not card.vetoed
        assert card.total > 30
    else:
        assert card.vetoes[fires] is True
        assert card.vetoed
        assert card.total == 0.0
        assert all(it.veto and it.score == 0 for it in card.items.values())


def test_items_without_target_are_left_out() -> None:
    targets = {"vehicles_received": 310, "revenue": 316228.8}
    card = score_card(default_rules(), targets, SEED_ACTUALS)
    assert list(card.items) == ["vehicles_received", "revenue"]
    assert card.max_total == 25
    assert card.total == pytest.approx(15 * 251 / 310 + 10 * 252486.0 / 316228.8)


def test_missing_veto_measure_is_not_evaluated() -> None:
    actuals = {k: v for k, v in SEED_ACTUALS.items() if k != "on_time_rate"}
    card = score_card(default_rules(), SEED_TARGETS, actuals)
    assert card.vetoes["on_time"] is None
    assert not card.vetoed


def test_rate_item_with_zero_revenue_scores_zero() -> None:
    card = score_card(
        default_rules(),
        {"revenue": 100.0, "gross_margin": 40.0},
        {"revenue": 0.0, "gross_margin": 0.0, "on_time_rate": 1, "comeback_rate": 0},
    )
    assert card.items["gross_margin"].score == 0.0
    assert card.items["revenue"].veto  # revenue completion 0 < 50 %


def test_overrides_change_thresholds_and_scope() -> None:
    rules = merge_rules(
        default_rules(),
        items={"revenue": ItemRule(weight=20)},
        vetoes={
            "on_time": VetoRule(below=0.95, veto_scope="item", items=("revenue",)),
            "comeback": VetoRule(enabled=False),
        },
    )
    assert rules.items["revenue"].weight == 20
    assert rules.items["revenue"].label == "维修产值 revenue"  # kept from the base
    actuals = {**SEED_ACTUALS, "on_time_rate": 0.90, "comeback_rate": 0.5}
    card = score_card(rules, SEED_TARGETS, actuals)
    assert card.vetoes["on_time"] is True
    assert "comeback" not in card.vetoes
    assert card.items["revenue"].score == 0.0
    assert card.items["tyres"].score == pytest.approx(5 * 7453.0 / 16757.1)
    assert card.max_total == 65


def test_new_veto_rule_must_be_complete() -> None:
    with pytest.raises(RulesError, match=r"vetoes.extra.veto_scope"):
        merge_rules(default_rules(), vetoes={"extra": VetoRule(actual="x", below=1)})


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"items": {"a": {}}}, "items.a.weight"),
        ({"items": {"a": {"weight": -1}}}, "items.a.weight"),
        ({"items": {"a": {"weight": 1, "score": "rate"}}}, "items.a"),
        (
            {"items": {"a": {"weight": 1, "score": "rate", "rate_of": "b", "rate_target": 1}}},
            "items.a.rate_of",
        ),
        ({"items": {"a": {"weight": 1, "colour": 2}}}, "items.a.colour"),
        (
            {"items": {"a": {"weight": 1}}, "vetoes": {"v": {"below": 1, "veto_scope": "card"}}},
            "vetoes.v",
        ),
        (
            {
                "items": {"a": {"weight": 1}},
                "vetoes": {"v": {"completion_of": "z", "below": 1, "veto_scope": "item"}},
            },
            "vetoes.v.completion_of",
        ),
        (
            {
                "items": {"a": {"weight": 1}},
                "vetoes": {
                    "v": {"actual": "x", "below": 1, "at_or_above": 2, "veto_scope": "card"}
                },
            },
            "vetoes.v",
        ),
        (
            {
                "items": {"a": {"weight": 1}},
                "vetoes": {"v": {"actual": "x", "below": 1, "veto_scope": "everything"}},
            },
            "vetoes.v.veto_scope",
        ),
        (
            {
                "items": {"a": {"weight": 1}},
                "vetoes": {"v": {"actual": "x", "below": 1, "veto_scope": "item"}},
            },
            "vetoes.v.items",
        ),
        ({"items": {}}, "items"),
    ],
)
def test_bad_rules_name_the_field(data: dict, field: str) -> None:
    with pytest.raises(RulesError) as err:
        rules_from_data(data)
    assert str(err.value).startswith(f"{field}: ") or str(err.value).startswith(f"{field}.")
