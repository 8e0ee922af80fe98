"""Opening hours, breaks and working-time arithmetic.

Labour, reception, QC and delivery progress only in working time (opening hours outside
breaks). The calendar repeats weekly, so ``working(t)``, the working minutes elapsed
between time 0 and ``t``, is a precomputed piecewise-linear function: every query is a
bisection, never a loop over days.

A simulation asks about the same working period over and over, so ``working``, ``add`` and
``is_open`` remember the last open period they located and answer from it without the
bisection. The remembered path does the very same floating-point operations as the formula
(``tests/unit/test_calendar.py`` checks it bit for bit), so results never depend on what
was asked before.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

DAY = 1440.0
WEEK = 7 * DAY
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Calendar:
    """Weekly opening hours with breaks; times are minutes from Monday 00:00 of day 0."""

    def __init__(
        self,
        open_min: float,
        close_min: float,
        breaks: Sequence[tuple[float, float]] = (),
        days: Iterable[int] = range(7),
    ) -> None:
        if not 0 <= open_min < close_min <= DAY:
            raise ValueError("opening hours must satisfy 00:00 <= open < close <= 24:00")
        self.open_min = float(open_min)
        self.close_min = float(close_min)
        self.breaks = sorted((float(a), float(b)) for a, b in breaks)
        self.days = frozenset(days)
        self.day_intervals = self._day_intervals()
        self.hours_per_open_day = sum(e - s for s, e in self.day_intervals) / 60.0
        week: list[tuple[float, float]] = []
        for d in sorted(self.days):
            for s, e in self.day_intervals:
                s, e = s + d * DAY, e + d * DAY
                if week and week[-1][1] == s:
                    week[-1] = (week[-1][0], e)
                else:
                    week.append((s, e))
        if not week:
            raise ValueError("the calendar has no working time")
        self._starts = [s for s, _ in week]
        self._ends = [e for _, e in week]
        cum = [0.0]
        for s, e in week:
            cum.append(cum[-1] + e - s)
        self._cum_start = cum[:-1]
        self._cum_end = cum[1:]
        self.week_work = cum[-1]
        self.round_the_clock = self.week_work == WEEK
        # The remembered open period for ``working`` and ``is_open``: t in [lo, hi) lies in
        # period i of the week starting at wk_t (weeks * WEEK), whose working time before it
        # is wk_w (weeks * week_work).
        self._lo = self._hi = 0.0
        self._wk_t = self._wk_w = self._cs = self._st = 0.0
        # The two periods ``add`` last found, most recent first: (lo, hi, wk_w, base, cs) for
        # a target working time in (lo, hi]. Two, because a run alternates short steps
        # ending in the current period with promises ending in a later one.
        self._a: tuple[float, float, float, float, float] = (0.0, 0.0, 0.0, 0.0, 0.0)
        self._b: tuple[float, float, float, float, float] = (0.0, 0.0, 0.0, 0.0, 0.0)
        # Subtracting a whole number of weeks is exact only with whole-minute boundaries
        # (clock times are whole minutes); otherwise every query takes the formula.
        self._remember = all(float(x).is_integer() for x in (*self._starts, *self._ends))
        if self.round_the_clock:
            # Working time is elapsed time: the formulas reduce to these exactly (t's whole
            # weeks and its remainder add back to t; so does the target's), bit for bit.
            # Bound per instance on purpose (the hot path skips the general method).
            self.working = _elapsed  # type: ignore[method-assign]  # same signature
            self.add = _after  # type: ignore[method-assign]  # same signature
            self.is_open = _always  # type: ignore[method-assign]  # same signature

    def _day_intervals(self) -> list[tuple[float, float]]:
        intervals = [(self.open_min, self.close_min)]
        for a, b in self.breaks:
            out = []
            for s, e in intervals:
                if b <= s or a >= e:
                    out.append((s, e))
                    continue
                if a > s:
                    out.append((s, a))
                if b < e:
                    out.append((b, e))
            intervals = out
        return intervals

    def is_open_day(self, day: int) -> bool:
        """Whether day index ``day`` (0 = the first Monday) is an opening day."""
        return day % 7 in self.days

    def working(self, t: float) -> float:
        """Working minutes between time 0 and ``t``."""
        if self._lo <= t < self._hi:
            return self._wk_w + (self._cs + (t - self._wk_t) - self._st)
        return self._working_formula(t, remember=True)

    def _working_formula(self, t: float, remember: bool = False) -> float:
        weeks, r = divmod(t, WEEK)
        i = bisect_right(self._starts, r) - 1
        within = 0.0 if i < 0 else self._cum_start[i] + min(r, self._ends[i]) - self._starts[i]
        if remember and self._remember and i >= 0 and r < self._ends[i]:
            self._wk_t, self._wk_w = weeks * WEEK, weeks * self.week_work
            self._cs, self._st = self._cum_start[i], self._starts[i]
            self._lo, self._hi = self._wk_t + self._st, self._wk_t + self._ends[i]
        return weeks * self.week_work + within

    def working_between(self, a: float, b: float) -> float:
        """Working minutes in ``[a, b)``."""
        return self.working(b) - self.working(a) if b > a else 0.0

    def add(self, t: float, work: float) -> float:
        """The earliest time at which ``work`` working minutes started at ``t`` are done.

        ``add(t, 0) == t``: a zero-length step ends where it starts, even when closed.
        """
        if work <= 0:
            return t
        if self._lo <= t < self._hi:  # working(t), inlined: the same operations
            target = self._wk_w + (self._cs + (t - self._wk_t) - self._st) + work
        else:
            target = self._working_formula(t, remember=True) + work
        a = self._a
        if a[0] < target <= a[1]:
            return max(t, a[3] + (target - a[2]) - a[4])
        b = self._b
        if b[0] < target <= b[1]:
            self._a, self._b = b, a
            return max(t, b[3] + (target - b[2]) - b[4])
        return self._add_formula(t, target, remember=True)

    def _add_formula(self, t: float, target: float, remember: bool = False) -> float:
        weeks, rem = divmod(target, self.week_work)
        if rem == 0:
            weeks, rem = weeks - 1, self.week_work
        i = bisect_left(self._cum_end, rem)
        i = min(i, len(self._cum_end) - 1)
        if remember and self._remember:
            wk_w = weeks * self.week_work
            self._b = self._a
            self._a = (
                wk_w + self._cum_start[i],
                wk_w + self._cum_end[i],
                wk_w,
                weeks * WEEK + self._starts[i],
                self._cum_start[i],
            )
        return max(t, weeks * WEEK + self._starts[i] + rem - self._cum_start[i])

    def is_open(self, t: float) -> bool:
        """Whether ``t`` lies in working time."""
        if self._lo <= t < self._hi:
            return True
        r = t % WEEK
        i = bisect_right(self._starts, r) - 1
        return i >= 0 and r < self._ends[i]

    def next_open(self, t: float) -> float:
        """``t`` if it is working time, else the start of the next working period."""
        weeks, r = divmod(t, WEEK)
        i = bisect_right(self._starts, r) - 1
        if i >= 0 and r < self._ends[i]:
            return t
        if i + 1 < len(self._starts):
            return weeks * WEEK + self._starts[i + 1]
        return (weeks + 1) * WEEK + self._starts[0]


def _elapsed(t: float) -> float:
    return t


def _after(t: float, work: float) -> float:
    return t + work if work > 0 else t


def _always(t: float) -> bool:
    return True


class ClosedCalendar(Calendar):
    """A weekly calendar with whole days shut (holidays): no working time on them.

    ``closed`` are day indices. The weekly table answers for the week and the closed days'
    working time is taken out: ``working(t)`` subtracts each closed day's working minutes
    before ``t``, and ``add`` maps its target back onto the weekly table past them. A step
    that ends at the closing before a closed day ends there, as at any closing.
    """

    def __init__(
        self,
        open_min: float,
        close_min: float,
        breaks: Sequence[tuple[float, float]] = (),
        days: Iterable[int] = range(7),
        closed: Iterable[int] = (),
    ) -> None:
        super().__init__(open_min, close_min, breaks, days)
        for name in ("working", "add", "is_open"):  # no identity shortcut: days are shut
            self.__dict__.pop(name, None)
        self.round_the_clock = False
        self.weekly = Calendar(open_min, close_min, breaks, days)
        self.closed = frozenset(d for d in closed if d >= 0 and d % 7 in self.days)
        self._closed = sorted(self.closed)
        self._day_work = sum(e - s for s, e in self.day_intervals)
        self._c_start = [d * DAY for d in self._closed]
        # Working time (with the closed days taken out) at the start of each closed day.
        self._c_work = [
            self.weekly.working(t) - i * self._day_work for i, t in enumerate(self._c_start)
        ]

    def is_open_day(self, day: int) -> bool:
        """Whether day ``day`` is an opening day that is not closed."""
        return day % 7 in self.days and day not in self.closed

    def working(self, t: float) -> float:
        """Working minutes between time 0 and ``t``, closed days excluded."""
        i = bisect_right(self._c_start, t) - 1
        if i < 0:
            return self.weekly.working(t)
        if t < self._c_start[i] + DAY:  # on a closed day: what there was at its start
            return self._c_work[i]
        return self.weekly.working(t) - (i + 1) * self._day_work

    def add(self, t: float, work: float) -> float:
        """The earliest time at which ``work`` working minutes started at ``t`` are done."""
        if work <= 0:
            return t
        target = self.working(t) + work
        k = bisect_left(self._c_work, target)  # closed days that start before the target
        weekly = self.weekly
        return max(t, weekly._add_formula(t, target + k * self._day_work))

    def is_open(self, t: float) -> bool:
        """Whether ``t`` lies in working time (not on a closed day)."""
        return self.weekly.is_open(t) and int(t // DAY) not in self.closed

    def next_open(self, t: float) -> float:
        """``t`` if it is working time, else the start of the next working period."""
        n = self.weekly.next_open(t)
        while int(n // DAY) in self.closed:
            n = self.weekly.next_open((n // DAY + 1) * DAY)
        return n
