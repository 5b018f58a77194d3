"""An ID number of another community's register: staff who cannot see that register learn nothing of
it (not the name, the community or the room, not even that it is registered), and the street admin,
who sees both, finds the attempt listed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from households import services
from households.id_conflicts import NOT_HERE, NOT_IMPORTED_HERE
from households.models import AuditEvent, Change, Resident, Role, RoleAssignment
from households.services import ResidentInput
from households.spreadsheets.imports import import_job_create, import_job_preview
from households.spreadsheets.plans import plan_import
from households.spreadsheets.reader import read_register
from lockdown.core.errors import ServiceError
from lockdown.core.identity import mask_id_number

from .factories import ResidentFactory, StreetFactory, user_with_role
from .sheets import xlsx

pytestmark = pytest.mark.django_db


def resident_form(**changes):
    data = {"name": "钱七", "document_type": "id", "id_number": "", "phone": "", "relation": "", "sex": "", "notes": ""}
    return data | changes


# What the staff of 金杨 may not learn of 长宁's resident 王五 (her room, 12-3-501, is also theirs).
NOT_FOR_STAFF = ["王五", "长宁", "registered", "register of"]


def conflicts():
    return list(AuditEvent.objects.filter(action=AuditEvent.Action.ID_CONFLICT))


def test_staff_typing_another_community_s_number_are_told_only_that_it_cannot_be_saved(client, world):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    url = reverse("households:resident_create", args=[world.household.pk])
    residents, changes = Resident.objects.count(), Change.objects.count()

    response = client.post(url, resident_form(id_number=world.far_resident.id_number))

    html = response.content.decode()
    assert response.status_code == 200
    assert str(NOT_HERE) in html
    assert [word for word in NOT_FOR_STAFF if word in html] == []
    assert (Resident.objects.count(), Change.objects.count()) == (residents, changes)
    (event,) = conflicts()
    assert (event.actor, event.resident) == (world.users[Role.COMMITTEE_STAFF], world.far_resident)
    assert event.detail == {
        "community": world.community.pk,
        "community_name": "金杨居民区",
        "household": "金杨新村 12-3-501",
        "name": "钱七",
        "resident": None,
        "source": "form",
    }


def test_editing_a_resident_to_another_community_s_number_is_refused_the_same_way(world):
    staff = world.users[Role.COMMITTEE_STAFF]
    resident = world.resident
    number = resident.id_number

    with pytest.raises(ServiceError) as refused:
        services.resident_update(
            actor=staff, resident=resident, data=ResidentInput(name="张三", id_number=world.far_resident.id_number)
        )

    assert (refused.value.message, refused.value.field) == (str(NOT_HERE), "id_number")
    resident.refresh_from_db()
    assert resident.id_number == number
    (event,) = conflicts()
    assert (event.resident, event.detail["resident"], event.detail["name"]) == (world.far_resident, resident.pk, "张三")


def test_a_number_on_a_register_the_person_sees_names_its_resident_and_room_and_is_not_recorded(world):
    # The same community's resident for its staff; another community's for the street admin.
    for actor, holder in (
        (world.users[Role.COMMITTEE_STAFF], world.other_resident),
        (world.users[Role.STREET_ADMIN], world.far_resident),
    ):
        with pytest.raises(ServiceError) as refused:
            services.resident_create(
                actor=actor, household=world.household, data=ResidentInput(name="钱七", id_number=holder.id_number)
            )
        assert holder.name in refused.value.message
        assert holder.household.room in refused.value.message

    assert conflicts() == []


def upload_with(tmp_path, number):
    path = xlsx(tmp_path / "s.xlsx", {"S": [["室号", "姓名", "身份证号"], ["12-3-503", "钱七", number]]})
    return SimpleUploadedFile("s.xlsx", path.read_bytes())


def test_an_import_row_with_another_community_s_number_says_nothing_of_it_and_is_recorded_once(world, tmp_path):
    staff = world.users[Role.COMMITTEE_STAFF]
    job = import_job_create(
        actor=staff,
        community=world.community,
        compound=world.building.compound,
        upload=upload_with(tmp_path, world.far_resident.id_number),
    )

    import_job_preview(job)
    import_job_preview(job)  # read again, as a changed decision does

    job.refresh_from_db()
    (error,) = job.errors
    assert error["message"] == str(NOT_IMPORTED_HERE)
    (event,) = conflicts()
    assert (event.actor, event.resident) == (staff, world.far_resident)
    assert {k: event.detail[k] for k in ("source", "import_job", "name", "household")} == {
        "source": "import",
        "import_job": job.pk,
        "name": "钱七",
        "household": "金杨新村 12-3-503",
    }


def test_an_import_records_its_conflicts_in_as_many_queries_however_many_rows(world, tmp_path):
    far = [ResidentFactory(household=world.far_household, name=f"远{i}") for i in range(40)]
    queries = {}
    for rows in (2, 40):
        sheet = [["室号", "姓名", "身份证号"]] + [[f"12-3-{600 + i}", f"钱{i}", r.id_number] for i, r in enumerate(far)]
        path = xlsx(tmp_path / f"{rows}.xlsx", {"S": sheet[: rows + 1]})
        job = import_job_create(
            actor=world.users[Role.COMMITTEE_STAFF],
            community=world.community,
            compound=world.building.compound,
            upload=SimpleUploadedFile(path.name, path.read_bytes()),
        )
        reading = read_register(path, community_name=world.community.name)
        with CaptureQueriesContext(connection) as captured:
            plan_import(job, reading)
        queries[rows] = len(captured)

    assert len(conflicts()) == 2 + 40
    assert queries[40] == queries[2]


def test_the_street_admin_importing_is_told_which_register_holds_the_number(world, tmp_path):
    job = import_job_create(
        actor=world.users[Role.STREET_ADMIN],
        community=world.community,
        compound=world.building.compound,
        upload=upload_with(tmp_path, world.far_resident.id_number),
    )

    import_job_preview(job)

    job.refresh_from_db()
    assert "register of 长宁居民区" in job.errors[0]["message"]
    assert conflicts() == []


def test_the_street_admin_lists_each_conflict_with_both_sides_and_nobody_else_may(client, world):
    staff = world.users[Role.COMMITTEE_STAFF]
    with pytest.raises(ServiceError):
        services.resident_create(
            actor=staff,
            household=world.household,
            data=ResidentInput(name="钱七", id_number=world.far_resident.id_number),
        )
    # A street admin of another street sees nothing of it.
    stranger = user_with_role(Role.STREET_ADMIN, StreetFactory())

    client.force_login(world.users[Role.STREET_ADMIN])
    page = client.get(reverse("households:id_conflicts"))
    menu = client.get(reverse("households:areas")).content.decode()
    html = page.content.decode()

    assert page.status_code == 200
    assert reverse("households:id_conflicts") in menu
    for shown in ("钱七", "金杨居民区", "12-3-501", "王五", "长宁居民区", str(staff)):
        assert shown in html, shown
    for role in (Role.COMMITTEE_STAFF, Role.ZONE_LEADER, Role.BUILDING_LEADER, Role.VOLUNTEER):
        client.force_login(world.users[role])
        assert client.get(reverse("households:id_conflicts")).status_code == 404, role
        assert reverse("households:id_conflicts") not in client.get(reverse("households:areas")).content.decode()
    client.force_login(stranger)
    assert "钱七" not in client.get(reverse("households:id_conflicts")).content.decode()


def test_a_number_seen_only_through_a_volunteer_s_building_is_not_confirmed(world):
    # Staff of 金杨 who also volunteer in 长宁's building 12, where 王五 lives: a volunteer reads no ID numbers.
    staff = world.users[Role.COMMITTEE_STAFF]
    RoleAssignment.objects.create(user=staff, role=Role.VOLUNTEER, building=world.far_building)

    with pytest.raises(ServiceError) as refused:
        services.resident_create(
            actor=staff,
            household=world.household,
            data=ResidentInput(name="钱七", id_number=world.far_resident.id_number),
        )

    assert refused.value.message == str(NOT_HERE)
    assert [event.resident for event in conflicts()] == [world.far_resident]


def test_the_list_holds_only_the_conflicts_of_the_street_admin_s_own_streets(client, world):
    staff = world.users[Role.COMMITTEE_STAFF]
    with pytest.raises(ServiceError):
        services.resident_create(
            actor=staff,
            household=world.household,
            data=ResidentInput(name="钱七", id_number=world.far_resident.id_number),
        )
    # The admin of another street who is also staff of 长宁, where the register's side of it is.
    mixed = user_with_role(Role.STREET_ADMIN, StreetFactory())
    RoleAssignment.objects.create(user=mixed, role=Role.COMMITTEE_STAFF, community=world.other_community)

    client.force_login(mixed)
    html = client.get(reverse("households:id_conflicts")).content.decode()
    client.force_login(world.users[Role.STREET_ADMIN])
    own = client.get(reverse("households:id_conflicts")).content.decode()

    assert "钱七" not in html
    assert mask_id_number(world.far_resident.id_number) in own
    assert world.far_resident.id_number not in own
