"""Business-time arithmetic across nights, weekends, time zones and DST (pure, no AWS)."""
from datetime import datetime, timezone, timedelta

from chalicelib.domain.tickets import business_time as bt

WEEKDAYS_9_18 = {"tz": "Asia/Shanghai",
                 "days": {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}}
CN = timezone(timedelta(hours=8))


def ms(y, mo, d, h=0, mi=0, tz=CN):
    return int(datetime(y, mo, d, h, mi, tzinfo=tz).timestamp() * 1000)


def test_no_hours_is_calendar_time():
    assert bt.add(1000, 60, None) == 61000
    assert bt.between(0, 90_000, None) == 90


def test_within_one_day():
    # Wednesday 2026-12-02 10:00 + 2 h -> 12:00 the same day
    assert bt.add(ms(2026, 12, 2, 10), 2 * 3600, WEEKDAYS_9_18) == ms(2026, 12, 2, 12)


def test_across_a_night():
    # Wednesday 17:00 + 2 h: 1 h today, 1 h Thursday from 09:00
    assert bt.add(ms(2026, 12, 2, 17), 2 * 3600, WEEKDAYS_9_18) == ms(2026, 12, 3, 10)


def test_across_a_weekend():
    # Friday 2026-12-04 16:00 + 4 h: 2 h Friday, then Monday 09:00 + 2 h
    assert bt.add(ms(2026, 12, 4, 16), 4 * 3600, WEEKDAYS_9_18) == ms(2026, 12, 7, 11)


def test_start_outside_hours_starts_at_the_next_opening():
    # Saturday 03:00 + 30 min -> Monday 09:30
    assert bt.add(ms(2026, 12, 5, 3), 1800, WEEKDAYS_9_18) == ms(2026, 12, 7, 9, 30)


def test_between_counts_only_open_time():
    assert bt.between(ms(2026, 12, 4, 16), ms(2026, 12, 7, 11), WEEKDAYS_9_18) == 4 * 3600
    assert bt.between(ms(2026, 12, 5, 0), ms(2026, 12, 6, 23), WEEKDAYS_9_18) == 0
    assert bt.between(ms(2026, 12, 7, 11), ms(2026, 12, 4, 16), WEEKDAYS_9_18) == -4 * 3600


def test_time_zone_of_the_hours_not_of_the_instant():
    # Monday 09:30 UTC is 17:30 in Shanghai: 30 min left that day, then Tuesday 09:00-09:30
    start = int(datetime(2026, 12, 7, 9, 30, tzinfo=timezone.utc).timestamp() * 1000)
    assert bt.add(start, 3600, WEEKDAYS_9_18) == ms(2026, 12, 8, 9, 30)


def test_fixed_offset_and_split_spans():
    hours = {"tz": "+02:00", "days": {"mon": [["09:00", "12:00"], ["13:00", "17:00"]]}}
    tz = timezone(timedelta(hours=2))
    # Monday 11:00 + 2 h: 1 h before lunch, 1 h after -> 14:00
    assert bt.add(ms(2026, 12, 7, 11, tz=tz), 7200, hours) == ms(2026, 12, 7, 14, tz=tz)


def test_daylight_saving_day_counts_real_hours():
    # Europe/Berlin leaves DST on Sunday 2026-10-25: a 00:00-24:00 Sunday lasts 25 hours
    hours = {"tz": "Europe/Berlin", "days": {"sun": [["00:00", "24:00"]]}}
    start = int(datetime(2026, 10, 24, 22, 0, tzinfo=timezone.utc).timestamp() * 1000)
    assert bt.between(start, start + 30 * 3600 * 1000, hours) == 25 * 3600


def test_hours_that_never_open_have_no_due_time():
    assert bt.add(ms(2026, 12, 7), 60, {"tz": "UTC", "days": {}}) is None
