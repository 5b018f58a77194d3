import datetime

import pytest
from django.db import IntegrityError
from django.utils import translation

from households import services
from households.models import AuditEvent, Change, ControlLevelChange, Household, Presence, Resident, Role, Tag
from households.services import ResidentInput, TagInput
from lockdown.core.errors import ServiceError

from .factories import ResidentTagFactory, valid_id_number

pytestmark = pytest.mark.django_db


def snapshot():
    """Everything a failed write must leave as it was."""
    return (
        list(Resident.objects.order_by("pk").values()),
        list(Household.objects.order_by("pk").values()),
        Change.objects.count(),
    )


def test_create_resident_derives_birth_date_and_sex_from_id_and_records_history(world):
    staff = world.users[Role.COMMITTEE_STAFF]
    number = valid_id_number(7, birth=datetime.date(1941, 3, 2), sex="F")

    resident = services.resident_create(
        actor=staff,
        household=world.household,
        data=ResidentInput(
            name="赵 奶奶", id_number=number, phone="+86 138 0013 8000", tags={Tag.ALONE: TagInput(note="女儿在浦东")}
        ),
    )

    assert (resident.birth_date, resident.sex) == (datetime.date(1941, 3, 2), "F")
    assert resident.phone == "13800138000"
    assert (resident.name_initials, resident.id_last4, resident.phone_last4) == ("znn", number[-4:], "8000")
    tags = resident.tags.values_list("tag", "community_id", "building_id")
    assert set(tags) == {(tag, world.community.pk, world.building.pk) for tag in (Tag.ALONE, Tag.AGED_80)}
    change = Change.objects.get(resident=resident)
    assert (change.actor, change.action) == (staff, Change.Action.CREATED)
    assert change.changes["id_number"] == [None, number[:4] + "*" * 10 + number[-4:]]
    assert change.changes["tag:alone"] == [False, True]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (ResidentInput(name="  "), "name", "name"),
        (ResidentInput(name="钱一", id_number="110105194912310021"), "id_number", "check digit"),
        (ResidentInput(name="钱一", id_number="1101051949"), "id_number", "18 characters"),
        (ResidentInput(name="钱一", phone="021-62800000"), "phone", "not a mobile number"),
        (ResidentInput(name="钱一", phone="1380013800"), "phone", "not a mobile number"),
        (
            ResidentInput(name="钱一", id_number=valid_id_number(8), birth_date=datetime.date(1980, 1, 1)),
            "birth_date",
            "does not match",
        ),
        (ResidentInput(name="钱一", birth_date=datetime.date(2999, 1, 1)), "birth_date", "future"),
    ],
)
def test_bad_resident_input_says_why_and_changes_nothing(world, data, field, message):
    before = snapshot()

    with pytest.raises(ServiceError, match=message) as error:
        services.resident_create(actor=world.users[Role.COMMITTEE_STAFF], household=world.household, data=data)

    assert error.value.field == field
    assert snapshot() == before


def test_a_registered_id_number_is_refused_with_a_message(world):
    before = snapshot()

    with pytest.raises(ServiceError, match="already on the register"):
        services.resident_create(
            actor=world.users[Role.COMMITTEE_STAFF],
            household=world.household,
            data=ResidentInput(name="张三弟", id_number=world.resident.id_number),
        )

    assert snapshot() == before


def test_service_error_messages_are_chinese_by_default(world, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    translation.activate("zh-hans")
    with pytest.raises(ServiceError, match="不是有效的手机号码"):
        services.resident_create(
            actor=world.users[Role.COMMITTEE_STAFF],
            household=world.household,
            data=ResidentInput(name="钱一", phone="12345"),
        )


def test_update_records_only_changed_fields_with_numbers_masked(world):
    staff = world.users[Role.COMMITTEE_STAFF]
    resident = world.resident
    data = ResidentInput(
        name=resident.name,
        sex=resident.sex,
        id_number=resident.id_number,
        phone="13912345678",
        birth_date=resident.birth_date,
        notes="行动不便",
    )

    services.resident_update(actor=staff, resident=resident, data=data)

    change = Change.objects.get(resident=resident, action=Change.Action.UPDATED)
    assert set(change.changes) == {"phone", "notes"}
    assert change.changes["phone"][1] == "139****5678"
    resident.refresh_from_db()
    assert (resident.phone, resident.phone_last4, resident.notes) == ("13912345678", "5678", "行动不便")


def test_unticking_a_tag_removes_it_and_80_plus_follows_the_birth_date(world):
    staff = world.users[Role.COMMITTEE_STAFF]
    resident = world.resident
    base = {"name": resident.name, "id_number": "", "document_type": "id"}
    services.resident_update(
        actor=staff,
        resident=resident,
        data=ResidentInput(
            **base, birth_date=datetime.date(1930, 1, 1), tags={Tag.CHRONIC: TagInput(condition="高血压")}
        ),
    )
    assert set(resident.tags.values_list("tag", flat=True)) == {Tag.CHRONIC, Tag.AGED_80}

    services.resident_update(
        actor=staff, resident=resident, data=ResidentInput(**base, birth_date=datetime.date(1990, 1, 1))
    )

    assert list(resident.tags.values_list("tag", flat=True)) == []


def test_room_that_already_exists_is_refused(world):
    before = snapshot()

    with pytest.raises(ServiceError) as error:
        services.household_create(
            actor=world.users[Role.COMMITTEE_STAFF], building=world.building, unit="3", room="５０１"
        )

    assert error.value.field == "room"
    assert "12-3-501" in error.value.message
    assert snapshot() == before


@pytest.mark.parametrize(
    ("unit", "room", "field"), [("", "3-501", "room"), ("", "３－５０１", "room"), ("3-1", "501", "unit")]
)
def test_a_room_written_with_its_unit_is_refused_not_added_beside_it(world, unit, room, field):
    before = snapshot()

    with pytest.raises(ServiceError) as error:
        services.household_create(
            actor=world.users[Role.COMMITTEE_STAFF], building=world.building, unit=unit, room=room
        )

    assert error.value.field == field
    assert "unit 1, room 101" in error.value.message
    assert snapshot() == before


def test_a_household_stored_with_a_dash_before_the_rule_still_has_its_notes_edited(world):
    Household.objects.filter(pk=world.household.pk).update(unit="", room="3-501")
    household = Household.objects.get(pk=world.household.pk)

    saved = services.household_update(
        actor=world.users[Role.COMMITTEE_STAFF], household=household, unit="", room="3-501", notes="门口有监控"
    )

    assert (saved.room, saved.notes) == ("3-501", "门口有监控")


def test_move_resident_records_history_on_both_households(world):
    staff = world.users[Role.COMMITTEE_STAFF]

    services.resident_move(actor=staff, resident=world.resident, to_household=world.other_household)

    world.resident.refresh_from_db()
    assert world.resident.household == world.other_household
    actions = set(Change.objects.filter(resident=world.resident).values_list("household_id", "action"))
    assert actions == {
        (world.household.pk, Change.Action.MOVED_OUT),
        (world.other_household.pk, Change.Action.MOVED_IN),
    }


def test_moving_a_resident_takes_their_tags_to_the_new_building(world):
    ResidentTagFactory(resident=world.resident, tag=Tag.ALONE)

    services.resident_move(
        actor=world.users[Role.COMMITTEE_STAFF], resident=world.resident, to_household=world.other_household
    )

    tag = world.resident.tags.get()
    assert (tag.community_id, tag.building_id) == (world.community.pk, world.other_building.pk)


def test_an_edit_keeps_a_move_and_a_presence_mark_made_since_its_form_was_read(world):
    staff, leader = world.users[Role.COMMITTEE_STAFF], world.users[Role.BUILDING_LEADER]
    ResidentTagFactory(resident=world.resident, tag=Tag.ALONE)
    read_by_the_form = Resident.objects.get(pk=world.resident.pk)
    services.resident_set_presence(actor=leader, resident=world.resident, presence=Presence.AWAY)
    services.resident_move(actor=staff, resident=world.resident, to_household=world.other_household)

    services.resident_update(
        actor=staff,
        resident=read_by_the_form,
        data=ResidentInput(name="张三丰", id_number=world.resident.id_number, tags={Tag.ALONE: TagInput()}),
    )

    world.resident.refresh_from_db()
    assert (world.resident.name, world.resident.presence) == ("张三丰", Presence.AWAY)
    assert (world.resident.household, world.resident.building) == (world.other_household, world.other_building)
    assert set(world.resident.tags.values_list("building_id", flat=True)) == {world.other_building.pk}


def test_moving_a_resident_outside_the_accounts_areas_is_refused(world):
    before = snapshot()

    with pytest.raises(ServiceError, match="outside your areas"):
        services.resident_move(
            actor=world.users[Role.COMMITTEE_STAFF], resident=world.resident, to_household=world.far_household
        )

    assert snapshot() == before


@pytest.mark.parametrize("role", [Role.ZONE_LEADER, Role.BUILDING_LEADER, Role.VOLUNTEER])
def test_only_staff_may_edit_the_register(world, role):
    before = snapshot()

    with pytest.raises(ServiceError):
        services.resident_create(actor=world.users[role], household=world.household, data=ResidentInput(name="钱一"))

    assert snapshot() == before


def test_leader_marks_presence_and_it_is_kept_in_history(world):
    leader = world.users[Role.BUILDING_LEADER]

    services.resident_set_presence(actor=leader, resident=world.resident, presence=Presence.AWAY)
    services.resident_set_presence(actor=leader, resident=world.resident, presence=Presence.AWAY)

    world.resident.refresh_from_db()
    assert world.resident.presence == Presence.AWAY
    change = Change.objects.get(resident=world.resident, action=Change.Action.PRESENCE)
    assert (change.actor, change.changes) == (leader, {"presence": ["home", "away"]})


def test_volunteer_may_not_mark_presence(world):
    with pytest.raises(ServiceError):
        services.resident_set_presence(
            actor=world.users[Role.VOLUNTEER], resident=world.resident, presence=Presence.AWAY
        )
    world.resident.refresh_from_db()
    assert world.resident.presence == Presence.HOME


def test_reveal_is_audited_and_limited_by_role(world):
    staff, leader = world.users[Role.COMMITTEE_STAFF], world.users[Role.BUILDING_LEADER]

    assert (
        services.resident_reveal(actor=staff, resident=world.resident, field_name="id_number", ip_address="127.0.0.1")
        == world.resident.id_number
    )
    assert services.resident_reveal(actor=leader, resident=world.resident, field_name="phone") == world.resident.phone
    with pytest.raises(ServiceError):
        services.resident_reveal(actor=leader, resident=world.resident, field_name="id_number")
    with pytest.raises(ServiceError):
        services.resident_reveal(actor=world.users[Role.VOLUNTEER], resident=world.resident, field_name="phone")

    events = list(AuditEvent.objects.order_by("pk").values_list("actor__username", "action", "resident_id"))
    assert events == [
        ("staff", AuditEvent.Action.REVEAL_ID, world.resident.pk),
        ("leader", AuditEvent.Action.REVEAL_PHONE, world.resident.pk),
    ]


def test_control_level_keeps_its_history(world):
    staff = world.users[Role.COMMITTEE_STAFF]

    services.control_level_set(actor=staff, area=world.building, level="sealed", note="阳性病例")
    services.control_level_set(actor=staff, area=world.building, level="controlled")

    world.building.refresh_from_db()
    assert world.building.control_level == "controlled"
    history = list(ControlLevelChange.objects.filter(building=world.building).values_list("previous", "level"))
    assert history == [("sealed", "controlled"), ("", "sealed")]
    with pytest.raises(ServiceError):
        services.control_level_set(actor=world.users[Role.BUILDING_LEADER], area=world.building, level="sealed")


def test_refresh_age_tags_tags_people_who_turned_80(world):
    world.resident.birth_date = datetime.date(1946, 5, 1)
    world.resident.save()

    assert services.refresh_age_tags(today=datetime.date(2026, 4, 30)) == 0
    assert services.refresh_age_tags(today=datetime.date(2026, 5, 1)) == 1
    assert services.refresh_age_tags(today=datetime.date(2026, 5, 2)) == 0
    assert world.resident.tags.filter(tag=Tag.AGED_80, building=world.building).exists()


def test_a_household_refused_by_the_database_for_another_reason_is_not_called_a_room_that_exists(world):
    household = Household(building=world.building, community=world.community, room="602", version=-1)

    with pytest.raises(IntegrityError, match="version"):
        services._save_household(household)  # the room's check passes; the version's column refuses

    assert not Household.objects.filter(room="602").exists()
