"""Loading scenario files: extends, relative paths, --set, and one clear error per bad input."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.loading import (
    ScenarioError,
    apply_set,
    deep_merge,
    load_raw,
    load_scenario,
    parse_set,
    validate_raw,
)

CATALOGUE = "part_no,unit_cost,unit_price,container_qty,weight,job_types\n" + "\n".join(
    [
        "A1,10.00,14.00,10,5,service;body",
        "B2,100.00,130.00,2,1,service",
        "C3,50.00,60.00,4,2,body",
    ]
)

BASE: dict[str, Any] = {
    "name": "base",
    "run": {"horizon": "7d", "warmup": "1d", "replications": 2, "seed": 11},
    "calendar": {"open": "08:30", "close": "17:30", "breaks": [["12:00", "13:00"]]},
    "resources": {"advisors": 1, "qc": 1, "bays": 2, "mechs": 2},
    "demand": {
        "walk_ins": {"per_day": 10},
        "job_types": {
            "service": {
                "share": 1.0,
                "route": [
                    {
                        "op": "repair",
                        "uses": ["bays", "mechs"],
                        "standard_hours": {"dist": "lognormal", "mean": "1h", "cv": 0.4},
                    }
                ],
                "parts": {"lines": {"dist": "uniform_int", "low": 1, "high": 3}},
                "labour_rate": 160,
            }
        },
    },
    "workshop": {
        "reception": {"dist": "triangular", "low": "8min", "mode": "15min", "high": "30min"},
        "qc": "10min",
        "delivery": "10min",
    },
    "parts": {"catalogue": "parts.csv"},
    "supply": {"lead_time": "45min"},
    "economics": {"labour_cost_per_hour": 55},
}


def write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def base(tmp_path: Path) -> Path:
    """A valid scenario with its catalogue beside it."""
    (tmp_path / "parts.csv").write_text(CATALOGUE, encoding="utf-8")
    return write(tmp_path / "base.yaml", BASE)


def variant(tmp_path: Path, change: dict[str, Any], name: str = "bad.yaml") -> Path:
    """BASE deep-merged with ``change``, written beside the catalogue."""
    (tmp_path / "parts.csv").write_text(CATALOGUE, encoding="utf-8")
    return write(tmp_path / name, deep_merge(BASE, change))


def error_of(path: Path, *overrides: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    return info.value


# ---------------------------------------------------------------------------- valid loads


def test_base_loads_with_units_converted(base: Path) -> None:
    scn = load_scenario(base)
    assert scn.run.horizon == 7 * 1440
    assert scn.calendar.open == 510
    assert scn.calendar.breaks == ((720.0, 780.0),)
    assert scn.workshop.qc.mean_value() == 10.0
    assert scn.parts.catalogue == str((base.parent / "parts.csv").resolve())
    assert scn.parts.catalogue_sha256 is not None and len(scn.parts.catalogue_sha256) == 64


def test_resolved_scenario_reloads_to_the_same_digest(base: Path) -> None:
    scn = load_scenario(base)
    again = validate_raw(scn.dump(), file="resolved.yaml")
    assert again == scn
    assert again.digest() == scn.digest()


def test_digest_changes_with_any_value(base: Path) -> None:
    a = load_scenario(base).digest()
    assert load_scenario(base).digest() == a
    assert load_scenario(base, ["supply.lead_time=50min"]).digest() != a


def test_catalogue_content_enters_the_digest(base: Path) -> None:
    before = load_scenario(base).digest()
    (base.parent / "parts.csv").write_text(CATALOGUE.replace("14.00", "15.00"), encoding="utf-8")
    assert load_scenario(base).digest() != before


# ---------------------------------------------------------------------------- extends


def test_extends_deep_merges_with_paths_relative_to_each_file(tmp_path: Path) -> None:
    common = tmp_path / "common"
    (common).mkdir()
    (common / "parts.csv").write_text(CATALOGUE, encoding="utf-8")
    write(common / "base.yaml", BASE)
    child = write(
        tmp_path / "dealers" / "child.yaml",
        {
            "extends": "../common/base.yaml",
            "name": "child",
            "resources": {"mechs": 3, "painters": 1},  # merges key by key
            "calendar": {"breaks": []},  # lists replace
            "demand": {"walk_ins": {"per_day": 4.5}},
        },
    )
    scn = load_scenario(child)
    assert scn.name == "child"
    assert scn.resources == {"advisors": 1, "qc": 1, "bays": 2, "mechs": 3, "painters": 1}
    assert scn.calendar.breaks == ()
    assert scn.calendar.open == 510  # inherited
    assert scn.demand.walk_ins is not None and scn.demand.walk_ins.per_day == 4.5
    # the catalogue named in common/base.yaml is found beside that file
    assert scn.parts.catalogue == str((common / "parts.csv").resolve())


def test_child_catalogue_is_relative_to_the_child(tmp_path: Path) -> None:
    write(tmp_path / "base" / "base.yaml", BASE)
    (tmp_path / "base" / "parts.csv").write_text(CATALOGUE, encoding="utf-8")
    (tmp_path / "own").mkdir()
    (tmp_path / "own" / "mine.csv").write_text(CATALOGUE, encoding="utf-8")
    child = write(
        tmp_path / "own" / "child.yaml",
        {"extends": "../base/base.yaml", "parts": {"catalogue": "mine.csv"}},
    )
    assert load_scenario(child).parts.catalogue == str((tmp_path / "own" / "mine.csv").resolve())


def test_extends_a_list_and_a_chain(tmp_path: Path, base: Path) -> None:
    write(tmp_path / "more.yaml", {"resources": {"bays": 5}})
    write(tmp_path / "mid.yaml", {"extends": ["base.yaml", "more.yaml"], "name": "mid"})
    top = write(tmp_path / "top.yaml", {"extends": "mid.yaml", "resources": {"mechs": 4}})
    scn = load_scenario(top)
    assert scn.name == "mid"
    assert scn.resources["bays"] == 5 and scn.resources["mechs"] == 4


def test_switching_from_catalogue_to_generate_needs_a_null(tmp_path: Path, base: Path) -> None:
    child = write(
        tmp_path / "gen.yaml", {"extends": "base.yaml", "parts": {"generate": {"count": 20}}}
    )
    assert "exactly one of catalogue or generate" in str(error_of(child))
    write(child, {"extends": "base.yaml", "parts": {"catalogue": None, "generate": {"count": 20}}})
    scn = load_scenario(child)
    assert scn.parts.catalogue is None and scn.parts.generate is not None


def test_circular_extends(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", {"extends": "b.yaml"})
    write(tmp_path / "b.yaml", {"extends": "a.yaml"})
    err = error_of(tmp_path / "a.yaml")
    assert err.field == "extends" and "circular" in str(err)


def test_missing_parent(tmp_path: Path) -> None:
    child = write(tmp_path / "child.yaml", {"extends": "nowhere.yaml"})
    err = error_of(child)
    assert err.field == "extends"
    assert "nowhere.yaml" in str(err)


def test_error_names_the_parent_it_came_from(tmp_path: Path) -> None:
    (tmp_path / "parts.csv").write_text(CATALOGUE, encoding="utf-8")
    bad_base = deep_merge(BASE, {"demand": {"job_types": {"service": {"labour_rate": -160}}}})
    write(tmp_path / "base.yaml", bad_base)
    child = write(tmp_path / "child.yaml", {"extends": "base.yaml", "name": "child"})
    err = error_of(child)
    assert err.field == "demand.job_types.service.labour_rate"
    assert str(err).startswith(f"{child}: demand.job_types.service.labour_rate (from base.yaml): ")
    assert "greater than or equal to 0" in str(err)


def test_error_in_the_file_itself_names_no_other_origin(
    tmp_path: Path, base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    child = write(tmp_path / "child.yaml", {"extends": "base.yaml", "resources": {"bays": -1}})
    monkeypatch.chdir(tmp_path)
    # given as a relative path, the origin (resolved internally) is still the same file
    err = error_of(Path("child.yaml"))
    assert str(err) == "child.yaml: resources.bays: Input should be greater than or equal to 0"
    assert child.exists()


def test_error_from_an_override_names_it(base: Path) -> None:
    err = error_of(base, "demand.walk_ins.per_day=-1")
    assert err.field == "demand.walk_ins.per_day"
    assert "(from --set)" in str(err)


# ---------------------------------------------------------------------------- --set


@pytest.mark.parametrize(
    ("item", "key", "value"),
    [
        ("a.b=1", "a.b", 1),
        ("x=1.5", "x", 1.5),
        ("x=abc", "x", "abc"),
        ("x=true", "x", True),
        ("x=null", "x", None),
        ("x=[1, 2]", "x", [1, 2]),
        ("x={a: 1}", "x", {"a": 1}),
        ("x=2h", "x", "2h"),
        ("x=", "x", ""),
        # YAML 1.1 would read 10:30 as 630; on the command line it is a clock time
        ("calendar.open=10:30", "calendar.open", "10:30"),
        ("x=08:30", "x", "08:30"),
        (" k = 3 ", "k", 3),
        ("x=a=b", "x", "a=b"),
    ],
)
def test_parse_set(item: str, key: str, value: Any) -> None:
    assert parse_set(item) == (key, value)


@pytest.mark.parametrize("item", ["novalue", "=3", " =3"])
def test_parse_set_needs_key_and_equals(item: str) -> None:
    with pytest.raises(ValueError, match=r"dotted\.key=value"):
        parse_set(item)


def test_apply_set_walks_mappings_and_list_indices() -> None:
    data: dict[str, Any] = {"a": {"b": [{"c": 1}, {"c": 2}]}, "s": "text"}
    apply_set(data, "a.b.1.c", 5)
    apply_set(data, "new.deep.key", "x")
    apply_set(data, "a.b.0", "replaced")
    assert data == {
        "a": {"b": ["replaced", {"c": 5}]},
        "s": "text",
        "new": {"deep": {"key": "x"}},
    }
    with pytest.raises(KeyError, match="no list item 2"):
        apply_set(data, "a.b.2.c", 1)
    with pytest.raises(KeyError, match="no list item x"):
        apply_set(data, "a.b.x", 1)
    with pytest.raises(KeyError, match="not a mapping"):
        apply_set(data, "s.deeper", 1)


def test_overrides_on_a_scenario(base: Path) -> None:
    scn = load_scenario(
        base,
        [
            "supply.truck_capacity=12",
            "supply.emergency.enabled=true",
            "supply.emergency.cost=80",
            "calendar.open=09:00",
            "calendar.breaks.0.1=12:30",
            "demand.job_types.service.route.0.uses.1=bays2",
            "resources.bays2=3",
            "scorecard.targets.revenue=1000",
            "supply.call_off.every=continuous",
        ],
    )
    assert scn.supply.truck_capacity == 12
    assert scn.supply.emergency.enabled is True and scn.supply.emergency.cost == 80
    assert scn.calendar.open == 540
    assert scn.calendar.breaks == ((720.0, 750.0),)
    assert scn.demand.job_types["service"].route[0].uses == ("bays", "bays2")
    assert scn.scorecard is not None and scn.scorecard.targets == {"revenue": 1000}
    assert scn.supply.call_off.continuous


def test_set_on_a_yaml_anchor_changes_only_that_use(tmp_path: Path) -> None:
    data = deep_merge(BASE, {"demand": {"job_types": {"service": {"share": 0.5}}}})
    data["demand"]["job_types"]["other"] = copy.deepcopy(data["demand"]["job_types"]["service"])
    text = yaml.safe_dump(data, sort_keys=False)
    # Give both operations one anchored efficiency, as the shipped scenarios do.
    text = text.replace("standard_hours:", "efficiency: EFF\n        standard_hours:")
    text = text.replace(
        "efficiency: EFF", "efficiency: &eff {dist: lognormal, mean: 1.0, cv: 0.25}", 1
    )
    text = text.replace("efficiency: EFF", "efficiency: *eff")
    (tmp_path / "parts.csv").write_text(CATALOGUE.replace("service;body", ""), encoding="utf-8")
    path = tmp_path / "anchored.yaml"
    path.write_text(text, encoding="utf-8")
    plain = load_scenario(path)
    assert plain.demand.job_types["other"].route[0].efficiency == (
        plain.demand.job_types["service"].route[0].efficiency
    )
    scn = load_scenario(path, ["demand.job_types.service.route.0.efficiency.cv=0.5"])
    assert scn.demand.job_types["service"].op_efficiency(0).cv == 0.5
    assert scn.demand.job_types["other"].op_efficiency(0).cv == 0.25


def test_run_keyword_overrides(base: Path) -> None:
    scn = load_scenario(base, horizon="28d", replications=5, seed=3)
    assert (scn.run.horizon, scn.run.replications, scn.run.seed) == (28 * 1440, 5, 3)
    err = error_of_kw(base, horizon="28")
    assert err.field == "run.horizon" and "(from --horizon)" in str(err)
    assert "bare number" in str(err)


def error_of_kw(path: Path, **kw: Any) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, **kw)
    return info.value


@pytest.mark.parametrize(
    ("item", "field", "text"),
    [
        ("demand.job_types.service.route.3.op=x", "--set", "no list item 3"),
        ("supply.policy", "--set", "dotted.key=value"),
        ("name.first=x", "--set", "not a mapping"),
    ],
)
def test_bad_set_items(base: Path, item: str, field: str, text: str) -> None:
    err = error_of(base, item)
    assert err.field == field and text in str(err)


def test_deep_merge_does_not_touch_its_inputs() -> None:
    a = {"x": {"y": 1, "z": [1, 2]}, "k": 1}
    b = {"x": {"z": [3]}, "n": {"m": 2}}
    a0, b0 = copy.deepcopy(a), copy.deepcopy(b)
    merged = deep_merge(a, b)
    assert merged == {"x": {"y": 1, "z": [3]}, "k": 1, "n": {"m": 2}}
    assert a == a0 and b == b0
    merged["n"]["m"] = 5
    assert b["n"]["m"] == 2


def test_load_raw_records_where_each_value_came_from(tmp_path: Path, base: Path) -> None:
    child = write(tmp_path / "child.yaml", {"extends": "base.yaml", "run": {"seed": 5}})
    raw, origins = load_raw(child)
    assert raw["run"] == {"horizon": "7d", "warmup": "1d", "replications": 2, "seed": 5}
    assert origins[("run", "seed")] == child.resolve()
    assert origins[("run", "horizon")] == base.resolve()


# ---------------------------------------------------------------------------- bad input


# A job type that needs one part a job, while no catalogue part lists it in job_types.
TYRES = {
    "share": 0.5,
    "route": [{"op": "fit", "uses": ["bays", "mechs"], "standard_hours": "30min"}],
    "parts": {"lines": 1},
}

BAD_CASES: dict[str, tuple[dict[str, Any], str, str]] = {
    "unknown key": (
        {"demand": {"walk_ins": {"colour": "red"}}},
        "demand.walk_ins.colour",
        "unknown key",
    ),
    "unknown top-level key": ({"colour": "red"}, "colour", "unknown key"),
    "negative rate": (
        {"demand": {"walk_ins": {"per_day": -1}}},
        "demand.walk_ins.per_day",
        "greater than or equal to 0",
    ),
    "negative labour rate": (
        {"demand": {"job_types": {"service": {"labour_rate": -5}}}},
        "demand.job_types.service.labour_rate",
        "greater than or equal to 0",
    ),
    "shares": (
        {"demand": {"job_types": {"service": {"share": 0.9}}}},
        "demand.job_types",
        "sum to 1",
    ),
    "bare number duration": ({"supply": {"lead_time": 45}}, "supply.lead_time", "bare number"),
    "bare number in a distribution": (
        {
            "demand": {
                "job_types": {
                    "service": {
                        "route": [
                            {
                                "op": "repair",
                                "uses": ["bays", "mechs"],
                                "standard_hours": {"dist": "lognormal", "mean": 1, "cv": 0.4},
                            }
                        ]
                    }
                }
            }
        },
        "demand.job_types.service.route.0.standard_hours",
        "bare number",
    ),
    "bare number call-off interval": (
        {"supply": {"call_off": {"every": 2}}},
        "supply.call_off.every",
        "bare number",
    ),
    "zero cards": (
        {"supply": {"kanban": {"cards": 0}}},
        "supply.kanban.cards",
        "greater than or equal to 1",
    ),
    "unknown day": (
        {"calendar": {"days": ["mon", "funday"]}},
        "calendar.days.1",
        "'mon', 'tue'",
    ),
    "unquoted clock": ({"calendar": {"open": 630}}, "calendar.open", "quoted"),
    "break outside hours": (
        {"calendar": {"breaks": [["07:00", "08:00"]]}},
        "calendar",
        "within opening hours",
    ),
    "undefined pool": (
        {
            "demand": {
                "job_types": {
                    "service": {
                        "route": [
                            {
                                "op": "repair",
                                "uses": ["bays", "lifts"],
                                "standard_hours": "1h",
                            }
                        ]
                    }
                }
            }
        },
        "demand.job_types.service.route.0.uses.1",
        "'lifts' is not defined in resources",
    ),
    "missing advisors": (
        {"resources": {"advisors": 0}},
        "resources",
        "advisors must be >= 1",
    ),
    "zero horizon": ({"run": {"horizon": "0d"}}, "run.horizon", "> 0"),
    "unknown dist": (
        {"supply": {"lead_time": {"dist": "weibull", "mean": "1h"}}},
        "supply.lead_time",
        "unknown dist",
    ),
    "unknown policy": ({"supply": {"policy": "magic"}}, "supply.policy", "'kanban'"),
    "missing catalogue": (
        {"parts": {"catalogue": "no_such.csv"}},
        "parts.catalogue",
        "no_such.csv",
    ),
    "profile not summing to 1": (
        {"demand": {"walk_ins": {"profile": {"08:30": 0.5, "13:00": 0.4}}}},
        "demand.walk_ins.profile",
        "sum to 1",
    ),
    "job type with no usable part": (
        {"demand": {"job_types": {"service": {"share": 0.5}, "tyres": TYRES}}},
        "demand.job_types.tyres.parts.lines",
        "no catalogue part",
    ),
}


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_input_names_the_field(tmp_path: Path, case: str) -> None:
    check_bad_case(tmp_path, *BAD_CASES[case])


def check_bad_case(tmp_path: Path, change: dict[str, Any], field: str, text: str) -> None:
    """Loading ``BASE`` with ``change`` fails with one line naming ``field`` and ``text``."""
    path = variant(tmp_path, change)
    err = error_of(path)
    assert err.field == field, str(err)
    assert text in str(err)
    assert str(err).startswith(f"{path}: {field}")
    assert "\n" not in str(err)
    assert isinstance(err, ValueError)


def test_missing_required_block(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    del data["supply"]
    (tmp_path / "parts.csv").write_text(CATALOGUE, encoding="utf-8")
    err = error_of(write(tmp_path / "s.yaml", data))
    assert err.field == "supply" and "required key is missing" in str(err)


def test_unreadable_yaml(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nrun: {horizon: 7d\ncalendar: [\n", encoding="utf-8")
    err = error_of(path)
    assert err.field == ""
    assert "unreadable YAML at line" in str(err)
    assert str(err).startswith(f"{path}: unreadable YAML")


def test_yaml_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    assert "must be a YAML mapping" in str(error_of(path))


def test_missing_file(tmp_path: Path) -> None:
    err = error_of(tmp_path / "nothing.yaml")
    assert "cannot read" in str(err) and "nothing.yaml" in str(err)


@pytest.mark.parametrize(
    ("csv", "text"),
    [
        ("part_no,unit_cost,unit_price,container_qty,weight\nA,1,2,1,1\nB,x,2,1,1\n", "row 3"),
        ("part_no,unit_cost,unit_price,container_qty,weight\nA,1,2,0,1\n", "container_qty"),
        ("part_no,unit_cost,unit_price,weight\nA,1,2,1\n", "lacks column(s) container_qty"),
        ("part_no,unit_cost,unit_price,container_qty,weight\nA,1,2,1,1\nA,1,2,1,1\n", "repeated"),
    ],
)
def test_catalogue_with_a_bad_row(tmp_path: Path, csv: str, text: str) -> None:
    path = variant(tmp_path, {"parts": {"catalogue": "bad.csv"}})
    (tmp_path / "bad.csv").write_text(csv, encoding="utf-8")
    err = error_of(path)
    assert err.field == "parts.catalogue"
    assert text in str(err)
    assert "bad.csv" in str(err)


# ---------------------------------------------------------------------------- shipped files
