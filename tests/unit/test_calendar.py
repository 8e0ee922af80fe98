"""Working-time arithmetic, checked by hand on a dealer's week and by invariants."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sim.calendar import DAY, WEEK, Calendar, ClosedCalendar
from sim.units import parse_clock

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def at(day: int, clock: str) -> float:
    """Minutes from Monday 00:00 of day 0 to ``clock`` on ``day``."""
    return day * DAY + parse_clock(clock)


@pytest.fixture
def dealer() -> Calendar:
    """08:30-17:30, lunch 12:00-13:00, open every day: 8 working hours a day."""
    return Calendar(parse_clock("08:30"), parse_clock("17:30"), [(720, 780)])


@pytest.fixture
def weekdays() -> Calendar:
    """The same hours, Monday to Friday only."""
    return Calendar(510, 1050, [(720, 780)], days=[MON, TUE, WED, THU, FRI])


def test_hours_per_day_and_week(dealer: Calendar, weekdays: Calendar) -> None:
    assert dealer.hours_per_open_day == 8.0
    assert dealer.week_work == 7 * 8 * 60
    assert weekdays.week_work == 5 * 8 * 60
    assert not dealer.round_the_clock


def test_two_hour_job_over_lunch(dealer: Calendar) -> None:
    # 11:00-12:00 is one hour of work, lunch pauses it, 13:00-14:00 is the second.
    assert dealer.add(at(MON, "11:00"), 120) == at(MON, "14:00")


def test_job_reaching_closing_resumes_at_next_opening(dealer: Calendar) -> None:
    # 16:30-17:30 is one hour; the second hour is 08:30-09:30 the next morning.
    assert dealer.add(at(TUE, "16:30"), 120) == at(WED, "09:30")


def test_end_exactly_at_a_break_is_the_earliest_time(dealer: Calendar) -> None:
    assert dealer.add(at(MON, "11:30"), 30) == at(MON, "12:00")
    assert dealer.add(at(MON, "11:30"), 31) == at(MON, "13:01")
    assert dealer.add(at(MON, "16:30"), 60) == at(MON, "17:30")


def test_start_in_closed_time_waits_for_opening(dealer: Calendar) -> None:
    assert dealer.add(at(MON, "07:00"), 60) == at(MON, "09:30")
    assert dealer.add(at(MON, "12:15"), 60) == at(MON, "14:00")
    assert dealer.add(at(MON, "18:00"), 60) == at(TUE, "09:30")


def test_zero_work_ends_where_it_starts_even_when_closed(dealer: Calendar) -> None:
    assert dealer.add(at(MON, "12:30"), 0) == at(MON, "12:30")
    assert dealer.add(at(MON, "03:00"), 0) == at(MON, "03:00")


def test_closed_days_are_skipped(weekdays: Calendar) -> None:
    # Friday 16:30 + 2 h: 1 h on Friday, the next opening is Monday of week 2 (day 7).
    assert weekdays.add(at(FRI, "16:30"), 120) == at(7, "09:30")
    # A job started on Saturday starts on Monday.
    assert weekdays.add(at(SAT, "10:00"), 30) == at(7, "09:00")
    # A full week of work started Monday 08:30 ends Friday 17:30.
    assert weekdays.add(at(MON, "08:30"), 5 * 480) == at(FRI, "17:30")
    assert not weekdays.is_open_day(SAT) and not weekdays.is_open_day(13)
    assert weekdays.is_open_day(7) and weekdays.is_open_day(FRI)


def test_long_jobs_span_days(dealer: Calendar) -> None:
    # 3 working days of 8 h from Monday 08:30: Wednesday 17:30.
    assert dealer.add(at(MON, "08:30"), 3 * 480) == at(WED, "17:30")
    # 20 h = 1200 min from Sunday 13:00: Sunday 13:00-17:30 is 270, Monday 480 (750 done);
    # Tuesday of week 2 needs 450: 08:30-12:00 is 210, then 13:00 + 240 min = 17:00.
    assert dealer.add(at(SUN, "13:00"), 1200) == at(7 + TUE, "17:00")


def test_working_minutes(dealer: Calendar, weekdays: Calendar) -> None:
    assert dealer.working(at(MON, "08:30")) == 0
    assert dealer.working(at(MON, "12:30")) == 210
    assert dealer.working(at(MON, "14:00")) == 270
    assert dealer.working(at(TUE, "00:00")) == 480
    assert dealer.working(WEEK) == 7 * 480
    assert weekdays.working(at(SUN, "23:59")) == 5 * 480
    assert dealer.working_between(at(MON, "11:00"), at(MON, "14:00")) == 120
    assert dealer.working_between(at(MON, "14:00"), at(MON, "11:00")) == 0


def test_is_open_and_next_open(dealer: Calendar, weekdays: Calendar) -> None:
    assert dealer.is_open(at(MON, "08:30"))
    assert dealer.is_open(at(MON, "11:59"))
    assert not dealer.is_open(at(MON, "12:00"))
    assert not dealer.is_open(at(MON, "17:30"))
    assert dealer.next_open(at(MON, "10:00")) == at(MON, "10:00")
    assert dealer.next_open(at(MON, "12:30")) == at(MON, "13:00")
    assert dealer.next_open(at(MON, "17:30")) == at(TUE, "08:30")
    assert dealer.next_open(at(SUN, "20:00")) == at(7, "08:30")
    assert weekdays.next_open(at(FRI, "18:00")) == at(7, "08:30")


def test_round_the_clock_is_the_identity() -> None:
    cal = Calendar(0, 1440)
    assert cal.round_the_clock
    for t, w in [(0.0, 0.0), (17.25, 600.0), (3 * WEEK + 5.5, 2 * WEEK + 0.125)]:
        assert cal.add(t, w) == t + w
        assert cal.working(t) == t


@given(
    st.floats(min_value=0, max_value=20 * WEEK, allow_nan=False),
    st.floats(min_value=0, max_value=3 * WEEK, allow_nan=False),
)
def test_round_the_clock_identity_property(t: float, w: float) -> None:
    cal = Calendar(0, 1440)
    assert cal.add(t, w) == pytest.approx(t + w, rel=1e-12, abs=1e-9)
    assert cal.working(t) == pytest.approx(t, rel=1e-12, abs=1e-9)


def test_invalid_calendars() -> None:
    with pytest.raises(ValueError, match="opening hours"):
        Calendar(600, 600)
    with pytest.raises(ValueError, match="opening hours"):
        Calendar(0, 1500)
    with pytest.raises(ValueError, match="no working time"):
        Calendar(510, 1050, days=[])
    with pytest.raises(ValueError, match="no working time"):
        Calendar(510, 1050, [(510, 1050)])


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    """Random opening hours (whole minutes), up to two breaks, at least one open day."""
    open_ = draw(st.integers(0, 1380))
    close = draw(st.integers(open_ + 30, 1440))
    breaks = []
    cuts = sorted(draw(st.lists(st.integers(open_ + 1, close - 1), max_size=4, unique=True)))
    for a, b in zip(cuts[::2], cuts[1::2], strict=False):
        breaks.append((float(a), float(b)))
    days = draw(st.sets(st.integers(0, 6), min_size=1))
    return Calendar(open_, close, breaks, days)


times = st.floats(min_value=0, max_value=6 * WEEK, allow_nan=False)
works = st.one_of(st.just(0.0), st.floats(min_value=0, max_value=4 * WEEK, allow_nan=False))


@settings(max_examples=300, deadline=None)
@given(calendars(), times, works)
def test_add_is_the_inverse_of_working(cal: Calendar, t: float, w: float) -> None:
    end = cal.add(t, w)
    assert end >= t
    assert cal.working(end) - cal.working(t) == pytest.approx(w, abs=1e-6)
    if w >= 1e-3:
        # Earliest: a moment before the end, the work was not yet done.
        assert cal.working(end - 1e-4) < cal.working(t) + w


@settings(max_examples=300, deadline=None)
@given(calendars(), times, st.floats(min_value=0, max_value=4 * WEEK, allow_nan=False))
def test_working_then_add_returns_to_an_open_time(cal: Calendar, t: float, span: float) -> None:
    u = t + span
    back = cal.add(t, cal.working_between(t, u))
    assert back <= u + 1e-6
    assert cal.working(back) == pytest.approx(cal.working(u), abs=1e-6)
    if span > 0 and cal.is_open(u) and cal.is_open(u - 1e-3):
        # Strictly inside working time no earlier moment has the same working minutes.
        # (At the start of a period, after a break, the earliest is the break's start.)
        assert back == pytest.approx(u, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(calendars(), times, works, works)
def test_add_is_monotone_and_composes(cal: Calendar, t: float, w1: float, w2: float) -> None:
    assume(w1 <= w2)
    assert cal.add(t, w1) <= cal.add(t, w2) + 1e-6
    # Doing w1 then w2 is doing w1 + w2 (a paused step resumes where it stopped).
    assert cal.add(cal.add(t, w1), w2) == pytest.approx(cal.add(t, w1 + w2), abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(calendars(), times)
def test_next_open_is_open_and_skips_only_closed_time(cal: Calendar, t: float) -> None:
    nxt = cal.next_open(t)
    assert nxt >= t
    assert cal.is_open(nxt)
    assert cal.working(nxt) == pytest.approx(cal.working(t), abs=1e-6)


def _formula(cal: Calendar, op: str, t: float, w: float) -> float | bool:
    """The answer of a calendar that remembers nothing (a fresh one, each time)."""
    fresh = Calendar(cal.open_min, cal.close_min, cal.breaks, cal.days)
    return (
        {"working": fresh.working, "open": fresh.is_open}[op](t)
        if op != "add"
        else (fresh.add(t, w))
    )


@settings(max_examples=300, deadline=None)
@given(
    calendars(),
    st.lists(
        st.tuples(
            st.sampled_from(["working", "add", "open"]),
            st.one_of(times, st.integers(0, 6 * 7 * 24).map(lambda h: h * 60.0)),
            works,
        ),
        min_size=1,
        max_size=40,
    ),
)
def test_remembered_period_answers_bit_for_bit_like_the_formula(
    cal: Calendar, queries: list[tuple[str, float, float]]
) -> None:
    # One calendar answers a sequence of queries (near each other, as in a run, and at whole
    # hours, on period boundaries); each answer must equal a fresh calendar's exactly.
    for op, t, w in queries:
        for u in (t, t + 0.5, t + w):
            got = (
                {"working": cal.working, "open": cal.is_open}[op](u)
                if op != "add"
                else (cal.add(u, w))
            )
            assert got == _formula(cal, op, u, w), (op, u, w)


def test_remembered_period_is_used() -> None:
    cal = Calendar(510, 1050, [(720, 780)])
    cal.working(600.0)
    assert cal._lo == 510.0 and cal._hi == 720.0  # Monday's morning period
    assert cal.working(700.0) == 190.0
    cal.add(600.0, 30.0)
    assert cal._a[:2] == (0.0, 210.0)  # (lo, hi]: Monday's morning, in working time
    assert cal.add(650.0, 60.0) == 710.0
    cal.add(600.0, 300.0)  # Monday's afternoon
    assert cal._a[:2] == (210.0, 480.0) and cal._b[:2] == (0.0, 210.0)
    assert cal.add(610.0, 20.0) == 630.0  # the morning again: the second memory, now first
    assert cal._a[:2] == (0.0, 210.0) and cal._b[:2] == (210.0, 480.0)


@settings(max_examples=300, deadline=None)
@given(times, works)
def test_round_the_clock_shortcut_is_the_formula_bit_for_bit(t: float, w: float) -> None:
    cal = Calendar(0, 1440)
    assert cal.working(t) == cal._working_formula(t)
    target = cal._working_formula(t) + w
    assert cal.add(t, w) == (cal._add_formula(t, target) if w > 0 else t)
    assert cal.is_open(t)
    # The shortcut is only for calendars open every minute of the week.
    assert Calendar(0, 1440, days=range(6)).add.__name__ == "add"


@st.composite
def closed_calendars(draw: st.DrawFn) -> ClosedCalendar:
    """A random weekly calendar with some of its first 42 days closed."""
    cal = draw(calendars())
    closed = draw(st.sets(st.integers(0, 41), max_size=10))
    return ClosedCalendar(cal.open_min, cal.close_min, cal.breaks, cal.days, closed)


@settings(max_examples=300, deadline=None)
@given(closed_calendars(), times, works)
def test_closed_days_have_no_working_time(cal: ClosedCalendar, t: float, w: float) -> None:
    end = cal.add(t, w)
    assert end >= t
    assert cal.working(end) - cal.working(t) == pytest.approx(w, abs=1e-6)
    if w >= 1e-3:
        assert cal.is_open(end - 1e-4) or cal.working(end - 1e-4) < cal.working(t) + w
        assert int((end - 1e-4) // DAY) not in cal.closed
    nxt = cal.next_open(t)
    assert cal.is_open(nxt) and int(nxt // DAY) not in cal.closed
    assert cal.working(nxt) == pytest.approx(cal.working(t), abs=1e-6)
    day = int(t // DAY)
    if day in cal.closed:
        assert not cal.is_open(t) and not cal.is_open_day(day)
        assert cal.working((day + 1) * DAY) == pytest.approx(cal.working(day * DAY), abs=1e-9)
    else:
        assert cal.working(t) - cal.working(day * DAY) == pytest.approx(
            cal.weekly.working(t) - cal.weekly.working(day * DAY), abs=1e-6
        )
