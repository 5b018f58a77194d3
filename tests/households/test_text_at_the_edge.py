"""Text is cleaned at the edge, in the forms and the import: invisible and direction-control characters
removed, a value of nothing but them refused as empty, dates within sane bounds, lengths bounded, each
with a message."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from households.models import Campaign, Change, Household, Presence, Resident, Role, Tag
from households.spreadsheets.reader import read_register
from tests.households.factories import SmsTemplateFactory

from .sheets import HEADER, csv_file, xlsx

pytestmark = pytest.mark.django_db

TEXT_MAX = 2000  # lockdown.core.bounds.TEXT_MAX

ZERO_WIDTH = "\u200b"
RIGHT_TO_LEFT_OVERRIDE = "\u202e"


@pytest.fixture
def staff(client, world):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    return client


def resident_form(**changes):
    data = {"name": "钱七", "document_type": "id", "id_number": "", "phone": "", "relation": "", "sex": "", "notes": ""}
    return data | changes


def add_resident(client, world, **changes):
    return client.post(reverse("households:resident_create", args=[world.household.pk]), resident_form(**changes))


def nothing_written(residents, changes):
    return (Resident.objects.count(), Change.objects.count()) == (residents, changes)


@pytest.mark.parametrize("room", [f"1{ZERO_WIDTH}01", f"101{ZERO_WIDTH}", "\ufeff101", "１０１", "1\u200d01"])
def test_a_room_that_only_looks_like_another_is_that_room(staff, world, room):
    before = Household.objects.count()

    response = staff.post(reverse("households:create", args=[world.other_building.pk]), {"unit": "1", "room": room})

    assert "already exists" in response.content.decode()
    assert Household.objects.count() == before


@pytest.mark.parametrize("name", [ZERO_WIDTH * 3, f"{ZERO_WIDTH}\ufeff\u2060", RIGHT_TO_LEFT_OVERRIDE, "\u3164"])
def test_a_name_of_invisible_characters_is_refused_as_empty(staff, world, name):
    residents, changes = Resident.objects.count(), Change.objects.count()

    response = add_resident(staff, world, name=name)

    assert response.status_code == 200
    assert "This field is required." in response.context["form"].errors["name"]
    assert nothing_written(residents, changes)


def test_a_name_holding_a_right_to_left_override_is_saved_without_it(staff, world):
    name, notes = f"钱七{RIGHT_TO_LEFT_OVERRIDE}{ZERO_WIDTH}", f"腿脚{ZERO_WIDTH}不便"

    response = add_resident(staff, world, name=name, notes=notes)

    assert response.status_code == 302
    resident = Resident.objects.get(household=world.household, name="钱七")
    assert resident.notes == "腿脚不便"


@pytest.mark.parametrize("born", ["0001-01-01", "1899-12-31", "2999-01-01"])
def test_a_birth_date_outside_1900_to_today_is_refused_and_tags_no_one_80_plus(staff, world, born):
    residents, changes = Resident.objects.count(), Change.objects.count()

    response = add_resident(staff, world, birth_date=born)

    assert response.context["form"].errors["birth_date"] == [
        f"{born} is not a possible birth date: enter one from 1900-01-01 to today."
    ]
    assert nothing_written(residents, changes)
    assert not Resident.objects.filter(tags__tag=Tag.AGED_80).exists()


def test_a_birth_date_from_1900_is_taken(staff, world):
    response = add_resident(staff, world, birth_date="1900-01-01")

    assert response.status_code == 302
    assert Resident.objects.get(name="钱七").tags.get().tag == Tag.AGED_80


@pytest.mark.parametrize("days", [-400, 400])
def test_a_due_date_more_than_a_year_from_today_is_refused(staff, world, days):
    residents, changes = Resident.objects.count(), Change.objects.count()
    due = timezone.localdate() + datetime.timedelta(days=days)

    response = add_resident(staff, world, tag_pregnant="on", pregnant_due_date=due.isoformat())

    assert response.context["form"].errors["pregnant_due_date"] == [
        f"{due.isoformat()} is more than a year from today: check the year."
    ]
    assert nothing_written(residents, changes)


def test_a_200_kb_note_is_refused_with_a_message_and_a_note_of_2000_characters_taken(staff, world):
    residents, changes = Resident.objects.count(), Change.objects.count()

    long = add_resident(staff, world, notes="长" * 200_000)
    most = add_resident(staff, world, notes="长" * TEXT_MAX)

    assert long.context["form"].errors["notes"] == [
        "At most 2000 characters fit here; this has 200000. Shorten it and save again."
    ]
    assert most.status_code == 302
    assert Resident.objects.count() == residents + 1
    assert Change.objects.count() == changes + 1


def test_a_household_note_is_bounded_too(staff, world):
    url = reverse("households:edit", args=[world.household.pk])

    response = staff.post(url, {"unit": "3", "room": "501", "notes": "长" * 200_000})

    assert "At most 2000 characters fit here; this has 200000." in response.content.decode()
    world.household.refresh_from_db()
    assert world.household.notes == ""


@pytest.mark.parametrize("query", ["\x00", "张\x00三", ZERO_WIDTH + "张三"])
def test_a_search_holding_a_nul_or_an_invisible_character_answers(staff, world, query):
    response = staff.get(reverse("households:search"), {"q": query})

    assert response.status_code == 200
    assert [r.name for r in response.context["residents"]] == ([] if query == "\x00" else ["张三"])


def test_a_campaign_deadline_years_ahead_is_refused(staff, world):
    data = {
        "community": world.community.pk,
        "title": f"召回{ZERO_WIDTH}",
        "template": SmsTemplateFactory().pk,
        "deadline": "9999-12-31T23:59",
        "contact_phone": "021-58001234",
        "presence": Presence.AWAY,
    }

    response = staff.post(reverse("campaigns:create"), data)

    assert response.context["form"].errors["deadline"] == ["9999-12-31 is more than a year from today: check the year."]
    assert not Campaign.objects.exists()


# The import reads its cells through the same cleaning.

TODAY = datetime.date(2022, 4, 1)


def read(path):
    return read_register(path, community_name="金杨居民区", today=TODAY)


def person(name="张三", room="12-3-501", **cells):
    values = {"楼号": "", "单元": "", "室号": room, "姓名": name} | cells
    return [values.get(column, "") for column in HEADER]


@pytest.mark.parametrize("make", ["xlsx", "csv"])
def test_the_import_reads_names_rooms_and_notes_without_invisible_characters(tmp_path, make):
    name, room = f"张{ZERO_WIDTH}三{RIGHT_TO_LEFT_OVERRIDE}", f"12-3-50{ZERO_WIDTH}1"
    notes = f"\ufeff腿脚不便{ZERO_WIDTH}"
    rows = [HEADER, person(name=name, room=room, 备注=notes)]
    path = xlsx(tmp_path / "r.xlsx", {"S": rows}) if make == "xlsx" else csv_file(tmp_path / "r.csv", rows)

    (row,) = read(path).rows

    assert (row.name, row.building, row.unit, row.room, row.notes) == ("张三", "12", "3", "501", "腿脚不便")


def test_the_import_refuses_a_name_of_invisible_characters_as_empty(tmp_path):
    path = xlsx(tmp_path / "r.xlsx", {"S": [HEADER, person(name=ZERO_WIDTH * 2 + RIGHT_TO_LEFT_OVERRIDE)]})

    reading = read(path)

    assert reading.rows == []
    assert [(error.column, error.message) for error in reading.errors] == [("姓名", "The name is empty.")]


def test_the_import_refuses_a_note_longer_than_the_form_takes(tmp_path):
    path = xlsx(tmp_path / "r.xlsx", {"S": [HEADER, person(备注="长" * (TEXT_MAX + 1))]})

    reading = read(path)

    assert reading.rows == []
    assert [error.column for error in reading.errors] == ["备注"]
    assert "at most 2000 are kept" in reading.errors[0].message


def test_the_import_keeps_a_birth_date_before_1900_in_the_notes_instead(tmp_path):
    path = xlsx(tmp_path / "r.xlsx", {"S": [HEADER, person(出生日期="1890-01-01")]})

    (row,) = read(path).rows

    assert row.birth_date is None
    assert row.notes_with_remarks(None) == "出生日期：1890-01-01"


@pytest.mark.parametrize("room", ["12-3-501" + ZERO_WIDTH, "１２-3-501", "１２－３－５０１"])
def test_a_move_finds_the_room_as_cleaned_not_as_typed(staff, world, room):
    moved = staff.post(reverse("households:resident_move", args=[world.other_resident.pk]), {"room": room})

    assert moved.status_code == 302
    world.other_resident.refresh_from_db()
    assert world.other_resident.household == world.household


def test_a_move_to_no_such_room_names_the_room_as_cleaned(staff, world):
    response = staff.post(
        reverse("households:resident_move", args=[world.other_resident.pk]), {"room": "12-9-999" + ZERO_WIDTH}
    )

    assert "There is no room 12-9-999 in this community." in response.content.decode()
    assert f"no room 12-9-999{ZERO_WIDTH}" not in response.content.decode()
