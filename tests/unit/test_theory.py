"""The closed forms of ``sim.theory`` against hand-worked values and independent computations.

Every reference here is computed another way than the module does it: hand-worked closed
forms (M/M/1, M/M/2, small Erlang C cases), a truncated birth-death chain solved by brute
force, numerical integration with scipy, and seeded Monte Carlo runs of the inventory
policies written event by event.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np
import pytest
from scipy import integrate, stats

from sim import theory as th

# --- independent references -------------------------------------------------------------


def birth_death(servers: int, arrival: float, death_per_server: float, nmax: int = 4000):
    """Stationary distribution of a birth-death chain with rates lambda and min(n, c) mu."""
    logp = np.zeros(nmax + 1)
    for n in range(1, nmax + 1):
        logp[n] = logp[n - 1] + math.log(arrival / (min(n, servers) * death_per_server))
    p = np.exp(logp - logp.max())
    return p / p.sum()


def mmc_reference(c: int, lam: float, mu: float):
    """P(wait), E[Wq], utilization and the Wq cdf of M/M/c from the brute-force chain."""
    pi = birth_death(c, lam, mu)
    n = np.arange(pi.size)
    p_wait = pi[c:].sum()
    mean_wait = float(np.sum(pi[c:] * (n[c:] - c + 1)) / (c * mu))  # Erlang(n-c+1, c mu)
    util = float(np.sum(pi * np.minimum(n, c)) / c)

    def wait_cdf(t: float) -> float:
        k = n[c:] - c + 1
        return float(pi[:c].sum() + np.sum(pi[c:] * stats.gamma.cdf(t, a=k, scale=1 / (c * mu))))

    return p_wait, mean_wait, util, wait_cdf


def rs_reference(lam: float, review: float, lead: float, level: int) -> tuple[float, float]:
    """(fill, on hand) of (R, S) by numerical integration over the review cycle."""

    def fill(u: float) -> float:
        return float(stats.poisson.cdf(level - 1, lam * (lead + u)))

    def on_hand(u: float) -> float:
        k = np.arange(level)
        return float(np.sum((level - k) * stats.poisson.pmf(k, lam * (lead + u))))

    if review == 0:
        return fill(0.0), on_hand(0.0)
    return (
        integrate.quad(fill, 0, review)[0] / review,
        integrate.quad(on_hand, 0, review)[0] / review,
    )


def inventory_monte_carlo(
    lam: float,
    review: float,
    lead: float,
    *,
    level: int | None = None,
    cards: int | None = None,
    container: int = 1,
    horizon: float = 60_000.0,
    warmup: float = 500.0,
    seed: int = 12345,
) -> tuple[float, float]:
    """Fill rate and time-average on hand of one part, simulated demand by demand.

    ``level`` gives (R, S) (order whole containers up to S at each review); ``cards`` gives
    a kanban loop with release on request (a card per ``container`` units requested, sent at
    the next review, or at once when ``review`` is 0). Constant lead time, full backorders.
    """
    rng = np.random.default_rng(seed)
    demands = np.sort(rng.uniform(0.0, horizon, rng.poisson(lam * horizon)))
    kanban = cards is not None
    net = cards * container if kanban else level  # on hand - backorders
    on_order = 0
    pipeline: deque[tuple[float, int]] = deque()  # (arrival time, units)
    since = released = 0
    next_review = 0.0 if review > 0 else math.inf
    last = warmup
    area = 0.0
    hits = asked = 0

    def advance(t: float) -> None:
        nonlocal area, last
        if t > last:
            area += max(net, 0) * (t - last)
            last = t

    def order(units: int, t: float) -> None:
        nonlocal on_order
        if units > 0:
            on_order += units
            pipeline.append((t + lead, units))

    def run_until(t: float) -> None:
        nonlocal net, on_order, next_review, released
        while True:
            t_arr = pipeline[0][0] if pipeline else math.inf
            t_next = min(t_arr, next_review)
            if t_next > t:
                return
            advance(t_next)
            if t_arr <= next_review:
                _, units = pipeline.popleft()
                net += units
                on_order -= units
            else:
                if kanban:
                    order(released * container, t_next)
                    released = 0
                else:
                    ip = net + on_order
                    if ip < level:
                        order(math.ceil((level - ip) / container) * container, t_next)
                next_review += review

    for t in demands:
        run_until(t)
        advance(t)
        if t >= warmup:
            asked += 1
            hits += net > 0
        net -= 1
        if kanban:
            since += 1
            if since == container:
                since = 0
                if review > 0:
                    released += 1
                else:
                    order(container, t)
    run_until(horizon)
    advance(horizon)
    return hits / asked, area / (horizon - warmup)


# --- queueing -----------------------------------------------------------------------------


def test_erlang_c_hand_worked_values() -> None:
    assert th.erlang_c(2, 1.5, 1.0) == pytest.approx(9 / 14, abs=1e-12)  # 0.642857
    assert th.erlang_c(3, 2.0, 1.0) == pytest.approx(4 / 9, abs=1e-12)  # a=2, c=3
    assert th.erlang_c(1, 0.7, 1.0) == pytest.approx(0.7, abs=1e-12)  # M/M/1: C = rho
    for rho in (0.3, 0.75, 0.9):  # M/M/2: C = 2 rho^2 / (1 + rho)
        assert th.erlang_c(2, 2 * rho, 1.0) == pytest.approx(2 * rho**2 / (1 + rho), abs=1e-12)


@pytest.mark.parametrize("c, a", [(1, 0.5), (2, 1.8), (5, 4.0), (10, 8.0), (40, 35.0)])
def test_erlang_c_against_erlang_b_recursion(c: int, a: float) -> None:
    """C = B / (1 - rho (1 - B)) with B from the Erlang B recursion."""
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    rho = a / c
    assert th.erlang_c(c, a * 2.0, 2.0) == pytest.approx(b / (1 - rho * (1 - b)), rel=1e-12)


def test_mm1_and_mm2_closed_forms() -> None:
    q = th.MMc(1, 0.8, 1.0)
    assert q.mean_wait == pytest.approx(0.8 / (1.0 - 0.8))  # rho / (mu - lambda)
    assert q.mean_time_in_system == pytest.approx(1 / (1.0 - 0.8))
    assert q.mean_in_queue == pytest.approx(0.8**2 / 0.2)
    q2 = th.MMc(2, 1.5, 1.0)  # rho = 0.75: Wq = rho^2 / (mu (1 - rho^2))
    assert q2.utilization == pytest.approx(0.75)
    assert q2.mean_wait == pytest.approx(0.75**2 / (1 - 0.75**2))  # 1.285714
    assert q2.mean_wait == pytest.approx(9 / 7)


@pytest.mark.parametrize("c, lam, mu", [(1, 0.6, 1.0), (2, 1.5, 1.0), (2, 1.8, 1.0), (6, 10, 2)])
def test_mmc_against_brute_force_chain(c: int, lam: float, mu: float) -> None:
    q = th.MMc(c, lam, mu)
    p_wait, mean_wait, util, wait_cdf = mmc_reference(c, lam, mu)
    assert q.p_wait == pytest.approx(p_wait, rel=1e-9)
    assert q.mean_wait == pytest.approx(mean_wait, rel=1e-9)
    assert q.utilization == pytest.approx(util, rel=1e-9)
    for t in (0.0, 0.3, 1.0, 2.5, 7.0):
        assert q.p_wait_within(t) == pytest.approx(wait_cdf(t), abs=1e-9)
    assert q.p_wait_within(-1.0) == 0.0


@pytest.mark.parametrize("c, lam, mu", [(2, 1.5, 1.0), (2, 1.0, 1.0), (3, 2.7, 1.0)])
def test_time_in_system_cdf_by_convolution(c: int, lam: float, mu: float) -> None:
    """P(Wq + S <= t) by integrating the Wq cdf against the Exp(mu) density.

    (2, 1.0, 1.0) has c mu - lambda = mu: the formula's special branch.
    """
    q = th.MMc(c, lam, mu)
    for t in (0.0, 0.5, 2.0, 5.0):
        ref = integrate.quad(lambda s, t=t: mu * math.exp(-mu * s) * q.p_wait_within(t - s), 0, t)[
            0
        ]
        assert q.p_time_in_system_within(t) == pytest.approx(ref, abs=1e-9)
    assert q.p_time_in_system_within(-0.1) == 0.0


def test_on_time_helpers() -> None:
    q = th.MMc(2, 1.5, 1.0)
    # exponential hours, efficiency 1: on time iff Wq <= buffer
    assert th.mmc_on_time_exponential_hours(q, 1.0) == pytest.approx(1 - 9 / 14 * math.exp(-0.5))
    assert th.mmc_on_time_exponential_hours(q, 0.0) == pytest.approx(1 - 9 / 14)
    # constant hours h, exponential efficiency: on time iff T <= h + buffer
    assert th.mmc_on_time_constant_hours(q, 1.0, 1.0) == pytest.approx(
        q.p_time_in_system_within(2.0)
    )


def test_mmc_on_time_constant_hours_monte_carlo() -> None:
    """A seeded FIFO M/M/2 (Kiefer-Wolfowitz recursion) against the on-time formula."""
    rng = np.random.default_rng(7)
    n, lam, h, buffer = 100_000, 1.5, 1.0, 1.0
    inter = rng.exponential(1 / lam, n)
    service = h * rng.exponential(1.0, n)
    free = np.zeros(2)  # times at which each server is next free, relative to arrival
    on_time = np.empty(n, dtype=bool)
    for k in range(n):
        free = np.maximum(free - inter[k], 0.0)
        i = int(np.argmin(free))
        on_time[k] = free[i] + service[k] <= h + buffer
        free[i] += service[k]
    got = on_time[5_000:].mean()
    assert got == pytest.approx(
        th.mmc_on_time_constant_hours(th.MMc(2, lam, 1 / h), h, buffer), abs=0.01
    )


@pytest.mark.parametrize("c, lam, mu, p", [(2, 1.28, 1.0, 0.2), (1, 0.5, 1.0, 0.3), (4, 3, 1, 0.1)])
def test_rework_against_birth_death(c: int, lam: float, mu: float, p: float) -> None:
    """Cars in the system form a birth-death chain with departures at min(n, c) mu (1 - p).

    A new arrival finding n >= c waits for n - c + 1 completions (fed-back cars re-join
    behind it), each at rate c mu; L / lambda is the mean time from arrival to final pass.
    """
    w = th.MMcRework(c, lam, mu, p)
    pi = birth_death(c, lam, mu * (1 - p))
    n = np.arange(pi.size)
    assert w.utilization == pytest.approx(np.sum(pi * np.minimum(n, c)) / c, rel=1e-9)
    assert w.mean_first_wait == pytest.approx(np.sum(pi[c:] * (n[c:] - c + 1)) / (c * mu), rel=1e-9)
    assert w.mean_time_in_system == pytest.approx(np.sum(pi * n) / lam, rel=1e-9)
    assert w.pass_queue.arrival_rate == pytest.approx(lam / (1 - p))


def test_rework_without_failures_is_mmc() -> None:
    w, q = th.MMcRework(3, 2.0, 1.0, 0.0), th.MMc(3, 2.0, 1.0)
    assert w.mean_first_wait == pytest.approx(q.mean_wait)
    assert w.mean_time_in_system == pytest.approx(q.mean_time_in_system)


def test_unstable_queue_raises() -> None:
    with pytest.raises(ValueError, match="unstable"):
        th.erlang_c(2, 2.0, 1.0)
    with pytest.raises(ValueError, match="unstable"):
        _ = th.MMc(2, 2.5, 1.0).mean_wait
    with pytest.raises(ValueError, match="unstable"):
        _ = th.MMcRework(2, 1.8, 1.0, 0.2).mean_first_wait  # pass rate 2.25 > 2


# --- inventory ----------------------------------------------------------------------------


@pytest.mark.parametrize("level", [0, 1, 3, 6, 9, 15])
@pytest.mark.parametrize("lam, review, lead", [(1.0, 4.0, 2.0), (0.3, 8.0, 0.75), (2.5, 0.5, 1)])
def test_order_up_to_against_integration(lam: float, review: float, lead: float, level: int):
    r = th.order_up_to(lam, review, lead, level)
    fill, on_hand = rs_reference(lam, review, lead, level)
    assert r.fill_rate == pytest.approx(fill, abs=1e-9)
    assert r.ready_rate == r.fill_rate
    assert r.on_hand == pytest.approx(on_hand, abs=1e-9)
    # net inventory = S - D(L + u): on hand - backorders = S - lambda (L + R / 2)
    assert r.on_hand - r.backorders == pytest.approx(level - lam * (lead + review / 2), abs=1e-9)
    assert r.backorders >= -1e-12
    assert r.mean_dwell == pytest.approx(r.on_hand / lam)
    assert r.cycle_service == pytest.approx(stats.poisson.cdf(level, lam * (review + lead)))


def test_order_up_to_base_stock_values() -> None:
    """review = 0 is base stock: fill = P(D(L) <= S - 1), hand-worked for S = 2, lambda L = 1."""
    r = th.order_up_to(1.0, 0.0, 1.0, 2)
    assert r.fill_rate == pytest.approx(2 * math.exp(-1))  # P(D <= 1) = e^-1 (1 + 1)
    assert r.on_hand == pytest.approx(2 * math.exp(-1) + 1 * math.exp(-1))  # 2 P(0) + 1 P(1)
    zero = th.order_up_to(1.0, 4.0, 2.0, 0)
    assert zero.fill_rate == 0.0 and zero.on_hand == 0.0
    assert zero.backorders == pytest.approx(4.0)  # lambda (L + R / 2)


@pytest.mark.parametrize("level", [3, 6, 9])
def test_order_up_to_monte_carlo(level: int) -> None:
    fill, on_hand = inventory_monte_carlo(1.0, 4.0, 2.0, level=level, seed=level)
    r = th.order_up_to(1.0, 4.0, 2.0, level)
    assert fill == pytest.approx(r.fill_rate, abs=0.012)
    assert on_hand == pytest.approx(r.on_hand, abs=0.06)


@pytest.mark.parametrize("cards, container, review", [(3, 3, 4.0), (2, 4, 2.0), (1, 5, 0.0)])
def test_kanban_loop_is_the_average_of_order_up_to(cards: int, container: int, review: float):
    k = th.kanban_loop(1.3, review, 1.5, cards, container)
    r = (cards - 1) * container
    levels = [th.order_up_to(1.3, review, 1.5, s) for s in range(r + 1, r + container + 1)]
    for name in ("on_hand", "backorders", "fill_rate", "ready_rate", "cycle_service"):
        want = sum(getattr(x, name) for x in levels) / container
        assert getattr(k, name) == pytest.approx(want, rel=1e-12), name
    assert k.mean_dwell == pytest.approx(k.on_hand / 1.3)


def test_kanban_with_unit_containers_is_order_up_to() -> None:
    assert th.kanban_loop(1.0, 4.0, 2.0, 6, 1) == th.order_up_to(1.0, 4.0, 2.0, 6)


@pytest.mark.parametrize("cards, container", [(1, 3), (2, 3), (3, 2)])
def test_kanban_continuous_against_brute_force(cards: int, container: int) -> None:
    """Continuous (r, Q): IP uniform on r+1..r+Q, net inventory IP - D(L), by direct sums."""
    lam, lead = 1.0, 2.0
    r = (cards - 1) * container
    fill = on_hand = 0.0
    for ip in range(r + 1, r + container + 1):
        fill += stats.poisson.cdf(ip - 1, lam * lead) / container
        k = np.arange(ip)
        on_hand += np.sum((ip - k) * stats.poisson.pmf(k, lam * lead)) / container
    got = th.kanban_loop(lam, 0.0, lead, cards, container)
    assert got.fill_rate == pytest.approx(fill, abs=1e-12)
    assert got.on_hand == pytest.approx(on_hand, abs=1e-12)
    mc_fill, mc_on_hand = inventory_monte_carlo(
        lam, 0.0, lead, cards=cards, container=container, seed=100 + cards
    )
    assert mc_fill == pytest.approx(got.fill_rate, abs=0.012)
    assert mc_on_hand == pytest.approx(got.on_hand, abs=0.06)


def test_kanban_periodic_monte_carlo() -> None:
    """Card release on request and call-offs every R: the (R, nQ) policy."""
    got = th.kanban_loop(1.0, 4.0, 2.0, 3, 3)
    fill, on_hand = inventory_monte_carlo(1.0, 4.0, 2.0, cards=3, container=3, seed=99)
    assert fill == pytest.approx(got.fill_rate, abs=0.012)
    assert on_hand == pytest.approx(got.on_hand, abs=0.06)


def test_kanban_cards_rounding() -> None:
    assert th.kanban_cards(1.0, 4.0, 2.0, 3, 0.2) == 3  # 1 x 6 x 1.2 / 3 = 2.4 -> 3
    assert th.kanban_cards(1.0, 4.0, 2.0, 3, 0.5) == 3  # exactly 3.0
    assert th.kanban_cards(1.0, 4.0, 2.0, 3, 0.51) == 4  # 3.02 -> 4
    # 0.07 x 100 = 7.000000000000001 in floating point: still 7 cards, not 8
    assert 0.07 * (60.0 + 40.0) > 7
    assert th.kanban_cards(0.07, 60.0, 40.0, 1, 0.0) == 7
    assert th.kanban_cards(0.14, 50.0, 50.0, 2, 0.0) == 7  # 14.000000000000002 / 2
    assert th.kanban_cards(0.0, 2.0, 1.0, 4, 0.2) == 1  # no demand: one card
    assert th.kanban_cards(0.01, 2.0, 1.0, 10, 0.0) == 1


def test_little_helpers() -> None:
    assert th.little_number(2.0, 3.0) == 6.0
    assert th.little_time(6.0, 2.0) == 3.0
    assert th.little_rate(6.0, 3.0) == 2.0
    q = th.MMc(3, 2.4, 1.0)
    assert th.little_number(q.arrival_rate, q.mean_wait) == pytest.approx(q.mean_in_queue)
