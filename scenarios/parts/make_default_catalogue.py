"""Write ``default.csv``: the ~2,000 active part numbers of the default mid-size dealer.

Run it from anywhere (``python scenarios/parts/make_default_catalogue.py``); the seed is
fixed, so the CSV is byte-for-byte reproducible. Edit the CATEGORIES table and re-run to
reshape the catalogue; ``--check`` only prints the statistics.

Demand weights follow Zipf's law with s = 1: the part of popularity rank r has weight 1/r,
so the top 20 % of the 2,000 parts carry H(400)/H(2000) = 80.3 % of the weight (H = harmonic
number). Ranks are dealt to categories by a weighted random permutation, so that popular
categories (service consumables) hold most of the top ranks while the long tail is mostly
mechanical and body parts that sell a few times a year.

Prices: ``unit_cost`` is lognormal per category; ``unit_price = unit_cost / (1 - margin)``
with the category's gross parts margin drawn uniformly from its range (12-45 % overall,
low for campaign and warranty-heavy parts, high for consumables).

Containers are sized to demand, the way a kanban bin is: each part's ``container_qty`` is
the largest of its category's pack sizes that holds at most ``CONTAINER_HOURS`` working
hours of the part's expected use at the default dealer (at least one unit), the demand
coming from ``scenarios/default.yaml`` and the simulator's own demand model. So a fast
mover comes in several small containers and its stock follows the call-off interval, and
a slow mover comes one at a time.

``job_types`` restricts a part to the job types that use it (``;``-separated, empty = all),
matching the job type names of ``scenarios/default.yaml``. ``--check`` also prints, per job
type, the expected price and cost of one parts line (weights normalised over the parts that
serve the type), which the scenario's revenue comments use.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

SEED = 20261126
COUNT = 2000
ZIPF_S = 1.0
OUT = Path(__file__).with_name("default.csv")

REPO = Path(__file__).resolve().parents[2]
SCENARIO = REPO / "scenarios" / "default.yaml"
CONTAINER_HOURS = 4.0  # a container holds at most half a working day of use

_ALL_BUT_CAMPAIGN = "maintenance;general_repair;body_paint;warranty"
# name: (share of part numbers, popularity boost, job_types, cost mean CNY, cost cv,
#        gross margin low-high, pack sizes a container may take)
CATEGORIES: dict[
    str, tuple[float, float, str, float, float, tuple[float, float], tuple[int, ...]]
] = {
    # oil (4 L can), oil/air/cabin/fuel filters, plugs, fluids, wiper blades
    "service": (0.08, 12.0, "maintenance", 70.0, 0.7, (0.35, 0.45), (1, 2, 4, 6, 12)),
    # brake pads and discs, batteries, bulbs, belts: used by services and repairs
    "wear": (0.09, 3.0, "maintenance;general_repair", 260.0, 0.8, (0.30, 0.40), (1, 2, 4)),
    # engine, chassis, electrical and electronic parts
    "mechanical": (0.47, 0.6, "general_repair;warranty", 520.0, 1.2, (0.18, 0.35), (1, 2)),
    # panels, bumpers, lamps, glass, trim; paint and filler
    "body": (0.26, 0.8, "body_paint", 640.0, 1.2, (0.25, 0.40), (1, 2)),
    # recall and service-campaign kits (the maker pays a small handling margin)
    "campaign": (0.01, 8.0, "campaign", 300.0, 0.5, (0.12, 0.15), (1, 5, 10)),
    # clips, screws, seals, gaskets, washers: every job type but campaigns (whose few kit
    # parts would otherwise be swamped by them); an empty job_types would mean all types
    "common": (0.09, 2.0, _ALL_BUT_CAMPAIGN, 9.0, 0.8, (0.40, 0.45), (1, 5, 10, 20, 50)),
}
PREFIX = {
    "service": "SRV",
    "wear": "WEA",
    "mechanical": "MEC",
    "body": "BDY",
    "campaign": "CMP",
    "common": "COM",
}


def build(seed: int = SEED, count: int = COUNT) -> list[dict[str, object]]:
    """The catalogue rows, most popular part first."""
    rng = np.random.default_rng(seed)
    names = list(CATEGORIES)
    shares = np.array([CATEGORIES[c][0] for c in names])
    sizes = np.floor(shares / shares.sum() * count).astype(int)
    sizes[names.index("mechanical")] += count - sizes.sum()
    category = np.repeat(np.arange(len(names)), sizes)
    # Weighted random permutation (Efraimidis-Spirakis): larger boost, earlier rank.
    boost = np.array([CATEGORIES[names[c]][1] for c in category])
    keys = rng.random(count) ** (1.0 / boost)
    order = np.argsort(-keys, kind="stable")
    rows: list[dict[str, object]] = []
    serial = dict.fromkeys(names, 0)
    for rank, idx in enumerate(order, start=1):
        cat = names[category[idx]]
        _, _, job_types, mean, cv, (m_lo, m_hi), containers = CATEGORIES[cat]
        s2 = np.log1p(cv**2)
        cost = max(0.5, float(rng.lognormal(np.log(mean) - s2 / 2, np.sqrt(s2))))
        margin = float(rng.uniform(m_lo, m_hi))
        serial[cat] += 1
        rows.append(
            {
                "part_no": f"{PREFIX[cat]}-{serial[cat]:04d}",
                "category": cat,
                "unit_cost": round(cost, 2),
                "unit_price": round(cost / (1 - margin), 2),
                "container_qty": 1,  # sized to demand below
                "packs": containers,
                "_draw": rng.choice(len(containers)),  # keeps the later draws of the seed
                "weight": float(f"{1.0 / rank**ZIPF_S:.6g}"),
                "job_types": job_types,
            }
        )
    for row in rows:
        del row["_draw"]
    return size_containers(rows)


def size_containers(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Set each part's container to the largest pack holding at most ``CONTAINER_HOURS``
    working hours of its expected use at the default dealer (the simulator's demand model)."""
    import sys
    import tempfile

    sys.path.insert(0, str(REPO))
    import yaml

    from sim.loading import validate_raw
    from sim.model.sizing import demand_per_open_hour
    from sim.model.world import calendar_of, catalogue_for

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "unsized.csv"
        write([{k: v for k, v in r.items() if k != "packs"} for r in rows], path)
        raw = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
        raw["parts"] = {"catalogue": str(path)}
        scn = validate_raw(raw, file=SCENARIO)
        per_hour = demand_per_open_hour(scn, catalogue_for(scn), calendar_of(scn))
    for row, rate in zip(rows, per_hour.tolist(), strict=True):
        packs = row.pop("packs")
        fits = [p for p in packs if p <= max(1.0, rate * CONTAINER_HOURS)]  # type: ignore[union-attr]
        row["container_qty"] = max(fits)
    return rows


def summary(rows: list[dict[str, object]]) -> str:
    """Top-20 % weight share, and per category its count, weight share and mean price."""
    w = np.array([r["weight"] for r in rows], dtype=float)
    top = np.sort(w)[::-1][: len(w) // 5].sum() / w.sum()
    lines = [f"{len(rows)} parts; top 20 % of parts hold {top:.1%} of the weight"]
    for cat in CATEGORIES:
        sel = [r for r in rows if r["category"] == cat]
        cw = np.array([r["weight"] for r in sel], dtype=float)
        price = np.array([r["unit_price"] for r in sel], dtype=float)
        cost = np.array([r["unit_cost"] for r in sel], dtype=float)
        lines.append(
            f"  {cat:<10} {len(sel):5d} parts  weight {cw.sum() / w.sum():6.1%}  "
            f"weighted price {np.dot(cw, price) / cw.sum():8.2f}  "
            f"weighted cost {np.dot(cw, cost) / cw.sum():8.2f}"
        )
    for jt in ("maintenance", "general_repair", "body_paint", "warranty", "campaign"):
        sel = [r for r in rows if not r["job_types"] or jt in str(r["job_types"]).split(";")]
        cw = np.array([r["weight"] for r in sel], dtype=float)
        price = np.dot(cw, [r["unit_price"] for r in sel]) / cw.sum()
        cost = np.dot(cw, [r["unit_cost"] for r in sel]) / cw.sum()
        lines.append(f"  per line of {jt:<15} price {price:8.2f}  cost {cost:8.2f}")
    return "\n".join(lines)


def write(rows: list[dict[str, object]], path: Path) -> None:
    """Write the rows as CSV with Unix line ends (stable bytes on every platform)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {
                    **row,
                    "unit_cost": f"{row['unit_cost']:.2f}",
                    "unit_price": f"{row['unit_price']:.2f}",
                }
            )


def main() -> None:
    """Generate the catalogue (or only print its statistics with ``--check``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="print statistics, write nothing")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    rows = build()
    print(summary(rows))
    if not args.check:
        write(rows, args.out)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
