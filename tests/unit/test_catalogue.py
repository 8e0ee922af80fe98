"""Parts catalogues: generated (Zipf, deterministic) and read from CSV (checked row by row)."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

from sim.catalogue import (
    CatalogueError,
    catalogue_of,
    generate_catalogue,
    read_catalogue,
    write_catalogue,
)
from sim.loading import load_scenario
from sim.scenario import Generate
from sim.streams import Streams

REPO = Path(__file__).resolve().parents[2]
PARTS = REPO / "scenarios" / "parts"


def harmonic(n: int, s: float = 1.0) -> float:
    return sum(1.0 / k**s for k in range(1, n + 1))


def top_share(weight: np.ndarray, fraction: float = 0.2) -> float:
    w = np.sort(weight)[::-1]
    return float(w[: int(len(w) * fraction)].sum() / w.sum())


# ---------------------------------------------------------------------------- generated


def test_generated_catalogue_is_deterministic() -> None:
    gen = Generate(count=500)
    a, b = generate_catalogue(gen, 42), generate_catalogue(gen, 42)
    assert a.part_no == b.part_no
    for col in ("unit_cost", "unit_price", "container_qty", "weight"):
        assert np.array_equal(getattr(a, col), getattr(b, col))


def test_generated_catalogue_ignores_other_randomness_and_replications() -> None:
    gen = Generate(count=300)
    before = generate_catalogue(gen, 7)
    for rep in range(3):  # a replication drawing from its own streams first
        Streams(7, rep)["arrivals"].random(1000)
        np.random.seed(rep)
        again = generate_catalogue(gen, 7)
        assert np.array_equal(again.unit_cost, before.unit_cost)
        assert np.array_equal(again.container_qty, before.container_qty)


def test_generated_catalogue_is_the_same_for_any_replication_count() -> None:
    path = REPO / "scenarios" / "small_dealer.yaml"
    cats = []
    for reps in (1, 10):
        scn = load_scenario(path, replications=reps)
        assert scn.parts.generate is not None
        cats.append(catalogue_of(None, None, scn.parts.generate, scn.run.seed))
    assert np.array_equal(cats[0].unit_price, cats[1].unit_price)


def test_generated_catalogue_depends_on_seed_and_block() -> None:
    base = generate_catalogue(Generate(count=200), 1)
    assert not np.array_equal(generate_catalogue(Generate(count=200), 2).unit_cost, base.unit_cost)
    other = generate_catalogue(Generate(count=200, zipf_s=0.8), 1)
    assert not np.array_equal(other.unit_cost, base.unit_cost)


def test_zipf_weights_top_20_percent() -> None:
    cat = generate_catalogue(Generate(count=2000, zipf_s=1.0), 1)
    # weight of rank r is 1 / r
    assert cat.weight[0] == 1.0 and cat.weight[9] == pytest.approx(0.1)
    # top 400 of 2000: H(400) / H(2000); with H(n) ~ ln n + 0.5772 + 1/(2n):
    # (5.99146 + 0.57722 + 0.00125) / (7.60090 + 0.57722 + 0.00025) = 6.56993 / 8.17837
    assert top_share(cat.weight) == pytest.approx(0.80333, abs=2e-4)
    assert top_share(cat.weight) == pytest.approx(harmonic(400) / harmonic(2000), rel=1e-12)


def test_zipf_exponent() -> None:
    flat = generate_catalogue(Generate(count=1000, zipf_s=0.0), 1)
    assert top_share(flat.weight) == pytest.approx(0.2)
    steep = generate_catalogue(Generate(count=2000, zipf_s=2.0), 1)
    # sum 1/r^2 tends to pi^2 / 6; the tail beyond n is about 1/n
    expected = (math.pi**2 / 6 - 1 / 400) / (math.pi**2 / 6 - 1 / 2000)
    assert top_share(steep.weight) == pytest.approx(expected, abs=1e-5)


def test_generated_prices_margins_and_containers() -> None:
    gen = Generate(count=2000)
    cat = generate_catalogue(gen, 3)
    assert len(cat) == 2000
    assert len(set(cat.part_no)) == 2000 and cat.part_no[0] == "P00001"
    assert all(j is None for j in cat.job_types)
    assert set(cat.container_qty.tolist()) == set(gen.container_qty)
    dear = cat.unit_cost > 5  # rounding to cents blurs the markup of very cheap parts
    markup = cat.unit_price[dear] / cat.unit_cost[dear] - 1
    assert markup.min() >= 0.12 - 1e-3 and markup.max() <= 0.45 + 1e-3
    # default unit cost: lognormal mean 150, cv 1.2 -> sd 180; 3 standard errors of the mean
    assert abs(cat.unit_cost.mean() - 150) < 3 * 180 / math.sqrt(2000)


def test_generated_catalogue_with_a_redrawn_normal_has_every_part() -> None:
    # A normal redrawn until >= 0 yields short blocks; the catalogue must still be complete.
    gen = Generate.model_validate(
        {"count": 1000, "unit_cost": {"dist": "normal", "mean": 100, "sd": 100}}
    )
    cat = generate_catalogue(gen, 5)
    assert len(cat.unit_cost) == len(cat.unit_price) == len(cat.container_qty) == 1000
    assert cat.unit_cost.min() >= 0


def test_catalogue_of_caches_per_process() -> None:
    gen = Generate(count=50)
    assert catalogue_of(None, None, gen, 9) is catalogue_of(None, None, gen, 9)


# ---------------------------------------------------------------------------- CSV

GOOD = (
    "\ufeffpart_no,category,unit_cost,unit_price,container_qty,weight,job_types,cards\n"
    "A1,service,10.50,14.00,10,5,,3\n"
    " B2 ,body,100,130,2,1,body_paint; warranty ,\n"
    "C3,body,50,60,4,0,body_paint,2\n"
)


def test_read_a_good_catalogue(tmp_path: Path) -> None:
    path = tmp_path / "good.csv"
    path.write_text(GOOD, encoding="utf-8")
    cat = read_catalogue(path)
    assert cat.part_no == ("A1", "B2", "C3")  # BOM and blanks stripped
    assert cat.unit_cost.tolist() == [10.5, 100.0, 50.0]
    assert cat.container_qty.dtype == np.int64 and cat.container_qty.tolist() == [10, 2, 4]
    assert cat.weight.tolist() == [5.0, 1.0, 0.0]
    assert cat.job_types == (None, frozenset({"body_paint", "warranty"}), frozenset({"body_paint"}))
    assert set(cat.sizes) == {"cards"}
    assert cat.sizes["cards"][0] == 3 and math.isnan(cat.sizes["cards"][1])


HEADER = "part_no,unit_cost,unit_price,container_qty,weight\n"


@pytest.mark.parametrize(
    ("body", "texts"),
    [
        ("A,1,2,1,1\nB,x,2,1,1\n", ("row 3", "unit_cost", "'x'")),
        ("A,1,-2,1,1\n", ("row 2", "unit_price", ">= 0")),
        ("A,1,2,1,nan\n", ("row 2", "weight")),
        ("A,1,inf,1,1\n", ("row 2", "unit_price")),
        ("A,1,2,0,1\n", ("row 2", "container_qty", ">= 1")),
        ("A,1,2,2.5,1\n", ("row 2", "container_qty", "whole number")),
        ("A,1,2,inf,1\n", ("row 2", "container_qty")),
        ("A,1,2,1,1\nA,1,2,1,1\n", ("row 3", "repeated")),
        (",1,2,1,1\n", ("row 2", "empty")),
        ("A,1,2,1\n", ("row 2", "weight")),
        ("A,1,2,1,0\nB,1,2,1,0\n", ("weights must not all be 0",)),
        ("", ("has no parts",)),
    ],
)
def test_bad_catalogues(tmp_path: Path, body: str, texts: tuple[str, ...]) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        read_catalogue(path)
    assert "bad.csv" in str(info.value)
    for text in texts:
        assert text in str(info.value)


def test_missing_columns_and_files(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("part_no,unit_cost\nA,1\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"lacks column\(s\) unit_price, container_qty"):
        read_catalogue(path)
    with pytest.raises(CatalogueError, match="cannot read"):
        read_catalogue(tmp_path / "none.csv")


def test_bad_size_column(tmp_path: Path) -> None:
    path = tmp_path / "sizes.csv"
    path.write_text(HEADER.strip() + ",cards\nA,1,2,1,1,1.5\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="row 2: cards must be a whole number"):
        read_catalogue(path)


def test_write_then_read(tmp_path: Path) -> None:
    src = tmp_path / "good.csv"
    src.write_text(GOOD, encoding="utf-8")
    cat = read_catalogue(src)
    out = tmp_path / "out.csv"
    write_catalogue(cat, out, extra={"order_qty": np.array([10, 2, 4])})
    again = read_catalogue(out)
    assert again.part_no == cat.part_no and again.job_types == cat.job_types
    assert np.array_equal(again.unit_price, cat.unit_price)
    assert again.sizes["order_qty"].tolist() == [10, 2, 4]


# ---------------------------------------------------------------------------- default.csv


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "make_default", PARTS / "make_default_catalogue.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_default_csv_is_reproduced_by_its_script(tmp_path: Path) -> None:
    script = _script()
    out = tmp_path / "default.csv"
    script.write(script.build(), out)
    assert out.read_bytes() == (PARTS / "default.csv").read_bytes()


def test_default_csv_shape() -> None:
    cat = read_catalogue(PARTS / "default.csv")
    assert len(cat) == 2000
    assert top_share(cat.weight) == pytest.approx(harmonic(400) / harmonic(2000), abs=1e-3)
    margin = 1 - cat.unit_cost / cat.unit_price
    dear = cat.unit_cost > 5
    assert margin[dear].min() >= 0.12 - 2e-3 and margin[dear].max() <= 0.45 + 2e-3
    scn = load_scenario(REPO / "scenarios" / "default.yaml")
    types = set(scn.demand.job_types)
    named = set().union(*(j for j in cat.job_types if j is not None))
    assert named <= types
    for jt in types:
        usable = [w for w, j in zip(cat.weight, cat.job_types, strict=True) if j is None or jt in j]
        assert sum(usable) > 0, jt
