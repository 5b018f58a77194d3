"""The resident rules (households/residents.py): plain functions, no database."""

import dataclasses
import datetime

import pytest

from households import models, residents
from households.api import RESIDENT_API_FIELDS, ResidentSerializer
from households.forms import RESIDENT_FORM_FIELDS
from households.residents import (
    RESIDENT_FIELDS,
    eightieth_birthday,
    is_80_plus,
    latest_80_plus_birth_date,
    search_fields,
)
from households.services import ResidentInput
from households.spreadsheets.reader import RESIDENT_IMPORT_FIELDS, ImportRow

D = datetime.date


def test_a_resident_is_80_plus_from_the_80th_birthday_on_the_day_given():
    born = D(1942, 4, 2)

    assert not is_80_plus(born, D(2022, 4, 1))
    assert is_80_plus(born, D(2022, 4, 2))
    assert is_80_plus(born, D(2022, 4, 3))


def test_an_unknown_birth_date_is_not_80_plus():
    assert not is_80_plus(None, D(2022, 4, 1))


def test_born_on_29_february_is_80_on_29_february_or_else_on_28_february():
    assert eightieth_birthday(D(1944, 2, 29)) == D(2024, 2, 29)  # 2024 has a 29 February
    assert not is_80_plus(D(1944, 2, 29), D(2024, 2, 28))
    assert is_80_plus(D(1944, 2, 29), D(2024, 2, 29))
    assert eightieth_birthday(D(2020, 2, 29)) == D(2100, 2, 28)  # 2100 has none
    assert not is_80_plus(D(2020, 2, 29), D(2100, 2, 27))
    assert is_80_plus(D(2020, 2, 29), D(2100, 2, 28))


@pytest.mark.parametrize("first_day", [D(2023, 12, 1), D(2099, 12, 1), D(1979, 12, 1)])
def test_the_latest_80_plus_birth_date_agrees_with_is_80_plus_on_every_day(first_day):
    """The beat task's query (birth_date <= latest) and the rule for one resident say the same."""
    for day in range(130):  # December to early April: every 28 and 29 February in between
        today = first_day + datetime.timedelta(days=day)
        latest = latest_80_plus_birth_date(today)
        for offset in range(-3, 4):
            born = latest + datetime.timedelta(days=offset)
            assert is_80_plus(born, today) == (born <= latest), (today, born)


def test_search_fields_are_the_name_initials_and_the_last_four_digits():
    assert search_fields(name="张三", id_number="310105195001020013", phone="13800000001") == {
        "name_initials": "zs",
        "id_last4": "0013",
        "phone_last4": "0001",
    }
    assert search_fields(name="Li Lei", id_number="", phone="") == {
        "name_initials": "l",  # a Latin name is one run: its first letter
        "id_last4": "",
        "phone_last4": "",
    }
    assert tuple(search_fields(name="王", id_number="", phone="")) == residents.SEARCH_FIELDS


def test_room_and_building_labels_are_the_same_functions_from_the_models():
    assert models.room_label is residents.room_label
    assert models.building_label is residents.building_label
    assert residents.room_label("12", "3", "501", "金杨一村") == "金杨一村 12-3-501"
    assert residents.room_label("12", "", "501") == "12-501"


def test_each_purposes_resident_fields_come_from_the_one_list_in_its_order():
    assert RESIDENT_FORM_FIELDS == tuple(f for f in RESIDENT_FIELDS if f != "presence")
    assert RESIDENT_IMPORT_FIELDS == RESIDENT_FIELDS
    assert RESIDENT_API_FIELDS == tuple(f for f in RESIDENT_FIELDS if f != "notes")
    # What each purpose writes or reads takes exactly its list.
    assert [f.name for f in dataclasses.fields(ResidentInput) if f.name != "tags"] == list(RESIDENT_FORM_FIELDS)
    assert set(RESIDENT_IMPORT_FIELDS) <= {f.name for f in dataclasses.fields(ImportRow)}
    assert ResidentSerializer.Meta.fields == ["id", "household", *RESIDENT_API_FIELDS, "tags"]
    editable = [
        f.name for f in models.Resident._meta.concrete_fields if f.editable and not (f.is_relation or f.primary_key)
    ]
    assert sorted(RESIDENT_FIELDS) == sorted(editable)
