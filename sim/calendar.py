"""Opening hours, breaks and working-time arithmetic.

Labour, reception, QC and delivery progress only in working time (opening hours outside
breaks). The calendar repeats weekly, so ``working(t)``, the working minutes elapsed
between time 0 and ``t``, is a precomputed piecewise-linear function: every query is a
bisection, never a loop over days.
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
        weeks, r = divmod(t, WEEK)
        i = bisect_right(self._starts, r) - 1
        within = 0.0 if i < 0 else self._cum_start[i] + min(r, self._ends[i]) - self._starts[i]
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
        target = self.working(t) + work
        weeks, rem = divmod(target, self.week_work)
        if rem == 0:
            weeks, rem = weeks - 1, self.week_work
        i = bisect_left(self._cum_end, rem)
        i = min(i, len(self._cum_end) - 1)
        return max(t, weeks * WEEK + self._starts[i] + rem - self._cum_start[i])

    def is_open(self, t: float) -> bool:
        """Whether ``t`` lies in working time."""
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
