"""The pages' Jinja2 helpers (lockdown/jinja2.py)."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse, set_script_prefix

from lockdown.jinja2 import date, url


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("households:detail", [7]),
        ("households:building", [12]),
        ("households:resident_reveal", [3, "phone"]),
        ("home", []),
    ],
)
@pytest.mark.parametrize("prefix", ["/", "/lockdown/"])
def test_url_gives_what_reverse_gives_also_under_a_script_prefix(name, args, prefix):
    set_script_prefix(prefix)
    try:
        assert url(name, *args) == reverse(name, args=args)
    finally:
        set_script_prefix("/")


def test_date_shows_aware_times_in_shanghai_and_nothing_for_none():
    utc = datetime.datetime(2022, 3, 31, 20, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))

    assert date(utc, "%Y-%m-%d %H:%M") == "2022-04-01 04:30"
    assert date(datetime.date(1938, 3, 2), "%Y-%m") == "1938-03"
    assert date(None) == ""
