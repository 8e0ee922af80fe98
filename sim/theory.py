"""Closed-form queueing and inventory results, for quick estimates and for validation.

Pure functions, no simulation. Times are in any consistent unit (the examples use hours);
rates are per that unit. Sources:

- Erlang C and M/M/c waiting and sojourn times: Gross, Shortle, Thompson & Harris,
  *Fundamentals of Queueing Theory*, 4th ed. (2008), section 2.3; Kleinrock, *Queueing
  Systems* vol. 1 (1975), section 3.5.
- Bernoulli feedback (rework) in M/M/c: Gross et al. section 4.1 (Jackson networks): the
  queue behaves as M/M/c with the total rate lambda / (1 - p).
- Periodic review (R, S) with Poisson demand, constant lead time and full backorders:
  Axsäter, *Inventory Control*, 3rd ed. (2015), sections 5.2 and 6.2; Silver, Pyke &
  Thomas, *Inventory and Production Management in Supply Chains*, 4th ed. (2017), ch. 6.
- (R, nQ) and continuous (r, Q) with Poisson demand: Axsäter (2015) section 5.3.2, where
  the inventory position after ordering is uniform on r+1 .. r+Q.
- Little's law: Little (1961), *Operations Research* 9(3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# --- queueing ---------------------------------------------------------------------------


def erlang_c(servers: int, arrival_rate: float, service_rate: float) -> float:
    """Probability that an arrival waits in M/M/c (Erlang C); requires rho < 1."""
    c, a = servers, arrival_rate / service_rate
    rho = a / c
    if not 0 <= rho < 1:
        raise ValueError(f"unstable queue: rho = {rho:.3f} (must be < 1)")
    term, total = 1.0, 1.0  # a^k / k!, summed for k < c
    for k in range(1, c):
        term *= a / k
        total += term
    top = term * a / c / (1 - rho)  # a^c / c! / (1 - rho)
    return top / (total + top)


@dataclass(frozen=True)
class MMc:
    """An M/M/c queue: Poisson arrivals, exponential service, c servers, FIFO."""

    servers: int
    arrival_rate: float
    service_rate: float

    @property
    def utilization(self) -> float:
        """rho = lambda / (c mu)."""
        return self.arrival_rate / (self.servers * self.service_rate)

    @property
    def p_wait(self) -> float:
        """P(Wq > 0), Erlang C."""
        return erlang_c(self.servers, self.arrival_rate, self.service_rate)

    @property
    def _theta(self) -> float:
        return self.servers * self.service_rate - self.arrival_rate

    @property
    def mean_wait(self) -> float:
        """E[Wq] = C / (c mu - lambda)."""
        return self.p_wait / self._theta

    @property
    def mean_time_in_system(self) -> float:
        """E[T] = E[Wq] + 1 / mu."""
        return self.mean_wait + 1 / self.service_rate

    @property
    def mean_in_queue(self) -> float:
        """Lq = lambda E[Wq] (Little)."""
        return self.arrival_rate * self.mean_wait

    def p_wait_within(self, t: float) -> float:
        """P(Wq <= t) = 1 - C exp(-(c mu - lambda) t)."""
        return 1 - self.p_wait * math.exp(-self._theta * t) if t >= 0 else 0.0

    def p_time_in_system_within(self, t: float) -> float:
        """P(T <= t) for T = Wq + S, S ~ Exp(mu) independent of Wq."""
        if t < 0:
            return 0.0
        mu, th, c = self.service_rate, self._theta, self.p_wait
        if math.isclose(th, mu, rel_tol=1e-9):
            tail_sum = (1 + mu * t) * math.exp(-mu * t)
        else:
            tail_sum = (th * math.exp(-mu * t) - mu * math.exp(-th * t)) / (th - mu)
        return 1 - ((1 - c) * math.exp(-mu * t) + c * tail_sum)


def mmc_on_time_exponential_hours(q: MMc, buffer: float) -> float:
    """On-time probability when standard hours are exponential and efficiency is 1.

    Labour equals the standard hours, so delivery <= promise iff the wait <= buffer (zero
    reception, QC and delivery times).
    """
    return q.p_wait_within(buffer)


def mmc_on_time_constant_hours(q: MMc, hours: float, buffer: float) -> float:
    """On-time probability with constant standard hours h and exponential efficiency (mean 1).

    Labour = h x Exp(1) is exponential with mean h, and the promise is h + buffer after the
    reception: on time iff the time in system <= h + buffer.
    """
    return q.p_time_in_system_within(hours + buffer)


@dataclass(frozen=True)
class MMcRework:
    """M/M/c where each service pass fails QC with probability p and re-joins the queue.

    The servers see the total rate lambda / (1 - p) and behave as M/M/c at that rate; each
    job makes a geometric number of passes with mean 1 / (1 - p).
    """

    servers: int
    arrival_rate: float
    service_rate: float
    fail: float

    @property
    def pass_queue(self) -> MMc:
        """The M/M/c queue of passes (rate lambda / (1 - p))."""
        return MMc(self.servers, self.arrival_rate / (1 - self.fail), self.service_rate)

    @property
    def utilization(self) -> float:
        """Busy fraction of the servers."""
        return self.pass_queue.utilization

    @property
    def mean_first_wait(self) -> float:
        """Mean wait before the first pass (external arrivals see time averages: PASTA)."""
        return self.pass_queue.mean_wait

    @property
    def mean_time_in_system(self) -> float:
        """Mean time from arrival to the end of the last pass: E[passes] x E[pass sojourn]."""
        return self.pass_queue.mean_time_in_system / (1 - self.fail)


# --- inventory --------------------------------------------------------------------------


def _poisson_cdf_table(mean: np.ndarray, kmax: int) -> np.ndarray:
    """P(D <= k) for k = 0..kmax, each row one Poisson mean (pmf by recursion)."""
    mean = np.asarray(mean, dtype=float)
    pmf = np.empty((mean.size, kmax + 1))
    pmf[:, 0] = np.exp(-mean)
    for k in range(1, kmax + 1):
        pmf[:, k] = pmf[:, k - 1] * mean / k
    return np.cumsum(pmf, axis=1)


def _expected_positive_part(level: int, mean: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """E[(level - D)^+] and E[(D - level)^+] for D ~ Poisson(mean), per mean."""
    mean = np.asarray(mean, dtype=float)
    if level <= 0:
        return np.zeros_like(mean), mean - level
    cdf = _poisson_cdf_table(mean, level - 1)  # P(D <= k), k < level
    on_hand = cdf.sum(axis=1)  # E[(S - D)^+] = sum_{k=0}^{S-1} P(D <= k)
    backorders = on_hand - (level - mean)  # E[(D - S)^+] = E[(S - D)^+] - (S - E[D])
    return on_hand, backorders


@dataclass(frozen=True)
class StockResult:
    """Long-run stock measures of one part."""

    on_hand: float  # time-average units on the shelf
    backorders: float  # time-average units backordered
    fill_rate: float  # share of units issued from stock at the request
    ready_rate: float  # share of time with stock on hand (P(net inventory > 0))
    cycle_service: float  # P(no stock-out within a review cycle), where defined
    mean_dwell: float  # mean time a unit waits beside the line (Little: on_hand / demand)


_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(96)


def order_up_to(demand_rate: float, review: float, lead_time: float, level: int) -> StockResult:
    """Periodic review (R, S), Poisson unit demand, constant lead time, full backorders.

    An order placed at a review arrives L later; over the following R the net inventory is
    S - D(L + u), u uniform on [0, R). A unit demand is filled from stock iff fewer than S
    units were demanded since the order: fill = ready = mean over u of P(D(L+u) <= S-1).
    """
    lam, r, lt = demand_rate, review, lead_time
    if r <= 0:
        u = np.array([0.0])
        w = np.array([1.0])
    else:
        u = (_NODES + 1) * r / 2
        w = _WEIGHTS / 2
    mean = lam * (lt + u)
    oh, bo = _expected_positive_part(level, mean)
    ready = float(np.sum(w * _poisson_cdf_table(mean, level - 1)[:, -1])) if level > 0 else 0.0
    on_hand = float(np.sum(w * oh))
    csl = (
        float(_poisson_cdf_table(np.array([lam * (r + lt)]), max(level, 0))[0, -1])
        if level >= 0
        else 0.0
    )
    return StockResult(
        on_hand=on_hand,
        backorders=float(np.sum(w * bo)),
        fill_rate=ready,
        ready_rate=ready,
        cycle_service=csl,
        mean_dwell=on_hand / lam if lam > 0 else math.nan,
    )


def kanban_loop(
    demand_rate: float, review: float, lead_time: float, cards: int, container: int
) -> StockResult:
    """A kanban loop of N cards of C units with release on request: (R, nQ), r=(N-1)C, Q=C.

    The inventory position after each review is uniform on r+1 .. r+Q, so every measure is
    the average of the (R, S) result over S = r+1 .. r+Q. ``review=0`` gives the
    continuous-review (r, Q) policy (call-off ``every: continuous``).
    """
    r, q = (cards - 1) * container, container
    results = [order_up_to(demand_rate, review, lead_time, s) for s in range(r + 1, r + q + 1)]

    def avg(name: str) -> float:
        return sum(getattr(x, name) for x in results) / q

    on_hand = avg("on_hand")
    return StockResult(
        on_hand=on_hand,
        backorders=avg("backorders"),
        fill_rate=avg("fill_rate"),
        ready_rate=avg("ready_rate"),
        cycle_service=avg("cycle_service"),
        mean_dwell=on_hand / demand_rate if demand_rate > 0 else math.nan,
    )


def kanban_cards(
    demand_rate: float, review: float, lead_time: float, container: int, safety: float
) -> int:
    """N = max(1, ceil(D (R + L) (1 + safety) / C)): the sizing rule of ``cards: auto``."""
    raw = demand_rate * (review + lead_time) * (1 + safety) / container
    return max(1, math.ceil(round(raw, 9)))


def fill_by_level(demand_rate: float, review: float, lead_time: float, kmax: int) -> np.ndarray:
    """F[k] for k = 0..kmax: the fill rate of (R, S) with S = k + 1, as ``order_up_to``.

    F[k] = mean over u uniform on [0, R) of P(D(L + u) <= k), D Poisson. Every policy of
    whole containers is an average of F over a window of levels: kanban with N cards of C
    is the mean of F[(N-1)C .. NC-1], (s, Q) the mean of F[s .. s+Q-1]. Computed in log
    space, so large means neither underflow nor overflow.
    """
    if review <= 0:
        u, w = np.array([0.0]), np.array([1.0])
    else:
        u, w = (_NODES + 1) * review / 2, _WEIGHTS / 2
    mean = demand_rate * (lead_time + u)
    k = np.arange(kmax + 1)
    log_fact = np.concatenate(([0.0], np.cumsum(np.log(np.arange(1, kmax + 1)))))
    with np.errstate(divide="ignore", invalid="ignore"):
        log_pmf = -mean[:, None] + k[None, :] * np.log(mean)[:, None] - log_fact[None, :]
    pmf = np.where(mean[:, None] > 0, np.exp(log_pmf), (k == 0)[None, :].astype(float))
    return w @ np.minimum(1.0, np.cumsum(pmf, axis=1))


def fewest_for_fill(
    demand_rate: float,
    review: float,
    lead_time: float,
    target: float,
    *,
    start: int,
    step: int,
    width: int,
) -> int:
    """The least j >= 0 whose window F[start + j·step .. + width - 1] has mean >= target.

    Kanban N cards of C: start 0, step C, width C, N = j + 1. Order-up-to S = (j + 1)·C:
    start C - 1, step C, width 1. Reorder point s = j·C with lot Q: start 0, step C,
    width Q. No demand: 0. ``target`` must be below 1.
    """
    if demand_rate <= 0:
        return 0
    if not 0 < target < 1:
        raise ValueError(f"target fill must lie in (0, 1), not {target}")
    m = demand_rate * (lead_time + review)
    kmax = int(m + 10 * math.sqrt(m) + 10) + start + step + width
    while True:
        f = fill_by_level(demand_rate, review, lead_time, kmax)
        cum = np.concatenate(([0.0], np.cumsum(f)))
        j = np.arange((kmax + 1 - start - width) // step + 1)
        lo = start + j * step
        fill = (cum[lo + width] - cum[lo]) / width
        ok = np.flatnonzero(fill >= target)
        if len(ok):
            return int(ok[0])
        kmax *= 2


# --- Little's law ---------------------------------------------------------------------


def little_number(arrival_rate: float, time_in_system: float) -> float:
    """L = lambda W."""
    return arrival_rate * time_in_system


def little_time(number: float, arrival_rate: float) -> float:
    """W = L / lambda."""
    return number / arrival_rate


def little_rate(number: float, time_in_system: float) -> float:
    """lambda = L / W."""
    return number / time_in_system
