import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from households.models import AuditEvent, Role, RoleAssignment
from lockdown.core.errors import ServiceError
from tests.concurrency import at_once
from tests.households.factories import BuildingFactory, user_with_role
from tests.volunteers.factories import VolunteerFactory, approved_volunteer, building_leader
from volunteers import coverage, group_table, groups
from volunteers.choices import Skill
from volunteers.models import BuildingPair, Group, Membership, Volunteer

pytestmark = pytest.mark.django_db


def test_a_group_takes_only_volunteers_its_work_takes(world):
    delivery = groups.group_save(community=world.community, name="物资配送", max_age=50, skills=[Skill.SUIT_TRAINED])
    young = approved_volunteer(world.building, name="小王", age=28, skills=[Skill.SUIT_TRAINED])
    insisting = approved_volunteer(world.building, name="老李", age=79)
    assert groups.fits(delivery, young) == []
    assert groups.fits(delivery, insisting) == ["older than 50", "needs: Trained in protective suits"]

    with pytest.raises(ServiceError, match="老李 cannot join 物资配送: older than 50"):
        groups.members_add(delivery, [young, insisting])
    assert not Membership.objects.exists()  # nothing half-added

    stairs = groups.group_save(community=world.community, name="楼道值守")
    assert groups.members_add(stairs, [insisting]) == 1
    assert groups.members_add(delivery, [young]) == 1
    assert groups.members_add(stairs, [young, insisting]) == 1  # a volunteer may be in several; twice is once
    assert set(young.groups.all()) == {delivery, stairs}


def test_a_group_refuses_bad_rules(world):
    with pytest.raises(ServiceError, match="needs a name"):
        groups.group_save(community=world.community, name="  ")
    with pytest.raises(ServiceError, match="youngest age is above the oldest"):
        groups.group_save(community=world.community, name="核酸", min_age=60, max_age=50)
    with pytest.raises(ServiceError, match="Unknown skills: flying"):
        groups.group_save(community=world.community, name="核酸", skills=["flying"])
    groups.group_save(community=world.community, name="核酸")
    with pytest.raises(ServiceError, match="already has a group named 核酸"):
        groups.group_save(community=world.community, name="核酸")
    assert Group.objects.count() == 1


def test_only_approved_volunteers_of_the_community_join(world):
    group = groups.group_save(community=world.community, name="核酸")
    pending = VolunteerFactory(community=world.community, compound=world.building.compound, age=30)
    far = approved_volunteer(world.far_building)
    for volunteer in (pending, far):
        with pytest.raises(ServiceError, match="Only approved volunteers of the community"):
            groups.members_add(group, [volunteer])


def test_leaders_of_a_group(world):
    group = groups.group_save(community=world.community, name="核酸")
    first, second = approved_volunteer(world.building), approved_volunteer(world.building)
    groups.members_add(group, [first, second])
    groups.member_lead(group, first, True)
    groups.member_lead(group, second, True)  # a group may have several
    assert Membership.objects.filter(group=group, leader=True).count() == 2
    groups.member_remove(group, second)
    with pytest.raises(ServiceError, match="is not in this group"):
        groups.member_lead(group, second, True)


def test_coverage_is_the_volunteer_role_over_buildings(world):
    volunteer = approved_volunteer(world.building, name="小王")
    coverage.cover_add(volunteer, world.other_building)
    assert coverage.covered_building_ids(volunteer) == {world.building.pk, world.other_building.pk}
    roles = RoleAssignment.objects.filter(user=volunteer.user, role=Role.VOLUNTEER)
    assert set(roles.values_list("building_id", flat=True)) == {world.building.pk, world.other_building.pk}

    with pytest.raises(ServiceError, match="only buildings of their own community"):
        coverage.cover_add(volunteer, world.far_building)
    assert coverage.covered_building_ids(volunteer) == {world.building.pk, world.other_building.pk}

    coverage.cover_remove(volunteer, world.building)
    assert coverage.covered_building_ids(volunteer) == {world.other_building.pk}

    pending = VolunteerFactory(community=world.community, compound=world.building.compound)
    with pytest.raises(ServiceError, match="Only an approved volunteer covers buildings"):
        coverage.cover(pending, [world.building])


def test_a_volunteer_s_last_building_is_not_taken_away_unless_another_role_keeps_the_login(client, world):
    volunteer = approved_volunteer(world.building, name="小王")
    with pytest.raises(ServiceError, match="This is the only building 小王 covers: give them another first"):
        coverage.cover_remove(volunteer, world.building)
    assert coverage.covered_building_ids(volunteer) == {world.building.pk}

    client.force_login(world.users[Role.COMMITTEE_STAFF])
    page = client.post(reverse("volunteers:cover_remove", args=[world.building.pk, volunteer.pk]), follow=True)
    assert "could no longer log in" in page.content.decode()
    assert coverage.covered_building_ids(volunteer) == {world.building.pk}

    volunteer.user.role_assignments.create(role=Role.BUILDING_LEADER, building=world.other_building)
    coverage.cover_remove(volunteer, world.building)  # still logs in as the other building's leader
    assert coverage.covered_building_ids(volunteer) == set()


def test_every_building_nobody_covers_is_warned_of(world):
    approved_volunteer(world.building, name="小王")
    rows = {row.building: row for row in group_table.coverage(world.community)}
    assert [v.name for v in rows[world.building].volunteers] == ["小王"]
    assert [str(u) for u in rows[world.building].leaders] == [str(world.users[Role.BUILDING_LEADER])]
    assert rows[world.other_building].uncovered
    assert not rows[world.building].uncovered
    assert world.far_building not in rows  # another community's


def test_a_building_pair_is_its_leader_and_a_volunteer_covering_it(world):
    leader = building_leader(world.other_building, "老张")
    young = approved_volunteer(world.other_building, name="小王", age=24)
    elsewhere = approved_volunteer(world.building, name="小赵", age=22)
    pair = groups.pair_make(building=world.other_building, leader=leader, volunteer=young)
    with pytest.raises(ServiceError, match="小赵 does not cover this building"):
        groups.pair_make(building=world.other_building, leader=leader, volunteer=elsewhere)
    with pytest.raises(ServiceError, match="is not a leader of this building"):
        groups.pair_make(building=world.building, leader=leader, volunteer=elsewhere)
    assert list(BuildingPair.objects.all()) == [pair]

    rows = {row.building: row for row in group_table.coverage(world.community)}
    assert rows[world.other_building].pairs == [pair]
    coverage.cover_add(young, world.building)
    coverage.cover_remove(young, world.other_building)  # off the building: out of its pair too
    assert not BuildingPair.objects.exists()


def test_a_leader_who_volunteers_is_not_paired_with_themself(world):
    leader = building_leader(world.other_building, "老张")
    himself = approved_volunteer(world.other_building, name="老张")
    Volunteer.objects.filter(pk=himself.pk).update(user=leader)
    leader.role_assignments.create(role=Role.VOLUNTEER, building=world.other_building)
    himself.refresh_from_db()

    with pytest.raises(ServiceError, match="老张 is this building's leader"):
        groups.pair_make(building=world.other_building, leader=leader, volunteer=himself)
    assert not BuildingPair.objects.exists()


def test_the_table_reads_in_the_same_queries_however_many_volunteers(world):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            rows = group_table.group_table(world.community)
            list(group_table.table_sheet(world.community, rows, str).rows)
            group_table.coverage(world.community)
        return len(captured)

    group = groups.group_save(community=world.community, name="核酸")
    groups.members_add(group, [approved_volunteer(world.building)])
    few = queries()
    for index in range(20):
        building = BuildingFactory(compound=world.building.compound, zone=world.zone, number=str(100 + index))
        groups.members_add(group, [approved_volunteer(building, buildings=[building, world.building])])
    assert queries() == few


@pytest.fixture
def table(world):
    group = groups.group_save(community=world.community, name="物资配送", max_age=50)
    leader = approved_volunteer(world.building, name="小王", mobile="13912345678", age=28, skills=[Skill.DRIVER])
    groups.members_add(group, [leader, approved_volunteer(world.other_building, name="小李", age=35)])
    groups.member_lead(group, leader, True)
    groups.group_save(community=world.community, name="楼道值守")
    return group


def test_the_group_table_page_print_and_xlsx(client, world, table):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    page = client.get(reverse("volunteers:groups", args=[world.community.pk])).content.decode()
    assert "物资配送" in page
    assert "小王" in page
    assert "Building 12" in page
    assert "139****5678" in page
    assert "13912345678" not in page
    assert "Nobody in this group yet." in page  # 楼道值守
    printed = client.get(reverse("volunteers:groups", args=[world.community.pk]), {"print": "1"}).content.decode()
    assert "13912345678" in printed  # the printed sheet is for calling them
    download = client.get(reverse("volunteers:groups_xlsx", args=[world.community.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][0] == "金杨居民区 volunteer group table"
    assert rows[2] == ("物资配送", "yes", "小王", 28, "Resident", "13912345678", "Driver", "Building 12")
    assert rows[3][2] == "小李"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, actor=world.users[Role.COMMITTEE_STAFF]).exists()


PAGES = ["groups", "groups_xlsx", "coverage"]


@pytest.mark.parametrize("role", [Role.ZONE_LEADER, Role.BUILDING_LEADER, Role.VOLUNTEER])
def test_only_the_committee_and_street_reach_the_pages(client, world, table, role):
    client.force_login(world.users[role])
    for name in PAGES:
        assert client.get(reverse(f"volunteers:{name}", args=[world.community.pk])).status_code == 404
    assert client.get(reverse("volunteers:group", args=[table.pk])).status_code == 404
    volunteer = Volunteer.objects.get(name="小王")
    posts = [
        (reverse("volunteers:group_create", args=[world.community.pk]), {"name": "新组"}),
        (reverse("volunteers:members_add", args=[table.pk]), {"volunteers": [volunteer.pk]}),
        (reverse("volunteers:member_change", args=[table.pk, volunteer.pk]), {"action": "remove"}),
        (reverse("volunteers:cover_remove", args=[world.building.pk, volunteer.pk]), {}),
        (
            reverse("volunteers:cover_add", args=[world.community.pk]),
            {"volunteer": volunteer.pk, "building": world.other_building.pk},
        ),
    ]
    for address, data in posts:
        assert client.post(address, data).status_code == 404
    assert Group.objects.count() == 2
    assert Membership.objects.count() == 2
    assert coverage.covered_building_ids(volunteer) == {world.building.pk}


def test_another_communitys_staff_reach_nothing(client, world, table):
    client.force_login(user_with_role(Role.COMMITTEE_STAFF, world.other_community))
    for name in PAGES:
        assert client.get(reverse(f"volunteers:{name}", args=[world.community.pk])).status_code == 404


@pytest.mark.parametrize("role", [Role.COMMITTEE_STAFF, Role.STREET_ADMIN])
def test_staff_and_street_run_the_groups_from_the_pages(client, world, table, role):
    client.force_login(world.users[role])
    response = client.post(
        reverse("volunteers:group_create", args=[world.community.pk]),
        {"name": "核酸", "max_age": "40", "min_age": "50"},
    )
    assert response.status_code == 200  # the form again, with the message
    assert not Group.objects.filter(name="核酸").exists()
    response = client.post(
        reverse("volunteers:group_create", args=[world.community.pk]), {"name": "核酸", "max_age": "50"}
    )
    group = Group.objects.get(name="核酸")
    assert response["Location"] == reverse("volunteers:group", args=[group.pk])
    old = approved_volunteer(world.building, name="老李", age=79)
    page = client.get(reverse("volunteers:group", args=[group.pk])).content.decode()
    assert "older than 50" in page
    client.post(reverse("volunteers:members_add", args=[group.pk]), {"volunteers": [old.pk]}, follow=True)
    assert not Membership.objects.filter(group=group).exists()
    client.post(
        reverse("volunteers:cover_add", args=[world.community.pk]),
        {"volunteer": old.pk, "building": world.other_building.pk},
    )
    assert coverage.covered_building_ids(old) == {world.building.pk, world.other_building.pk}
    page = client.get(reverse("volunteers:coverage", args=[world.community.pk])).content.decode()
    assert "buildings nobody covers" not in page
    assert "building nobody covers" not in page


def test_a_new_group_typed_wrong_comes_back_as_typed_with_the_message_beside_its_field(client, world, table):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    address = reverse("volunteers:group_create", args=[world.community.pk])
    page = client.post(address, {"name": "物资配送", "max_age": "50"})
    assert page.status_code == 200
    assert page.context["form"].errors == {"name": ["The community already has a group named 物资配送."]}
    assert 'value="50"' in page.content.decode()
    assert Group.objects.filter(name="物资配送").count() == 1


def test_a_pair_is_made_from_the_page_once_whatever_the_leaders_roles(client, world):
    leader = world.users[Role.BUILDING_LEADER]
    leader.role_assignments.create(role=Role.BUILDING_LEADER, building=world.building)  # the same role twice
    young = approved_volunteer(world.building, name="小王", age=24)
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    response = client.post(
        reverse("volunteers:pair_create", args=[world.building.pk]), {"leader": leader.pk, "volunteer": young.pk}
    )
    assert response.status_code == 302
    assert BuildingPair.objects.get().leader == leader


@pytest.mark.django_db(transaction=True)
def test_two_buildings_added_to_a_volunteer_at_once_are_both_kept(on_postgres, world):
    volunteer = approved_volunteer(world.building)
    more = [BuildingFactory(compound=world.building.compound, zone=world.zone, number=str(n)) for n in (77, 78)]
    writers = at_once(*(lambda b=b: coverage.cover_add(Volunteer.objects.get(pk=volunteer.pk), b) for b in more))
    assert [w.error for w in writers] == [None, None]
    assert coverage.covered_building_ids(volunteer) == {world.building.pk, *(b.pk for b in more)}


def test_the_coverage_lists_each_compound_s_buildings_together(world, two_compounds):
    BuildingFactory(zone=world.second_building.zone, number="14")  # by number alone: 12, 12, 13, 14
    compounds = [row.building.compound.name for row in group_table.coverage(world.community)]

    assert compounds == sorted(compounds)


def test_a_member_the_group_s_new_rules_no_longer_take_is_flagged_on_its_page(client, world):
    group = groups.group_save(community=world.community, name="入户消杀")
    older, younger = approved_volunteer(world.building, name="老李", age=62), approved_volunteer(world.building, age=30)
    groups.members_add(group, [older, younger])
    groups.group_save(community=world.community, group=group, name="入户消杀", max_age=50)
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    page = client.get(reverse("volunteers:group", args=[group.pk])).content.decode()

    assert page.count("No longer fits the group's rules") == 1
    assert "No longer fits the group's rules: older than 50" in page
