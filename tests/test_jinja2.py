"""The pages' Jinja2 helpers (lockdown/jinja2.py)."""

import datetime
import re
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


@pytest.mark.django_db
def test_a_page_of_many_forms_masks_its_csrf_token_once_and_each_form_posts_with_it(world):
    from django.test import Client

    from tests.volunteers.phone_world import make_volunteer
    from volunteers import task_list

    volunteer = make_volunteer(world, [world.building])
    tasks = [
        task_list.task_offer(kind="parcel", source_key=f"csrf-{n}", title=f"送快递 {n}", building=world.building)
        for n in range(3)
    ]
    client = Client(enforce_csrf_checks=True)
    client.force_login(volunteer.user)
    page = client.get(reverse("volunteers:today")).content.decode()

    tokens = re.findall(r'name="csrfmiddlewaretoken" value="(\w+)"', page)
    assert len(tokens) >= 3
    assert len(set(tokens)) == 1
    take = reverse("volunteers:task_take", args=[tasks[0].pk])
    assert client.post(take, {"next": "/"}).status_code == 403
    assert client.post(take, {"csrfmiddlewaretoken": tokens[0], "next": "/"}).status_code == 302


@pytest.mark.django_db
def test_a_forms_labels_stand_above_their_inputs_without_a_colon_in_chinese(client, world, settings):
    from tests.supplies.parcels import staff_of

    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(staff_of(world))
    page = client.get(reverse("supplies:group_buy_file", args=[world.building.compound.pk])).content.decode()

    labels = re.findall(r"<(?:label|legend)[^>]*>([^<]+)</(?:label|legend)>", page)
    assert "供货方" in labels
    assert not [label for label in labels if label.rstrip().endswith((":", "："))]


@pytest.mark.django_db
def test_what_is_said_of_one_field_or_row_takes_the_full_width_colon_in_chinese(client, world, settings):
    from tests.supplies.parcels import staff_of

    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(staff_of(world))

    filed = client.post(reverse("supplies:group_buy_file", args=[world.building.compound.pk]), {"goods": ""})
    building = client.get(reverse("households:building", args=[world.building.pk]))

    assert '<a href="#id_goods">商品</a>：该字段是必填项。' in filed.content.decode()
    assert "块区：一块区" in building.content.decode()
