"""Staff approve or decline volunteers, one by one or many at once: the account and the volunteer
role that approval gives, the groups each fits, masked numbers, and two staff deciding at once."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from households.models import AuditEvent, Role, RoleAssignment
from households.scoping import AreaScope
from lockdown.core.errors import NotPermitted, ServiceError
from lockdown.core.identity import mask_phone
from lockdown.core.transitions import TransitionLost
from tests.concurrency import at_once
from tests.households.factories import BuildingFactory
from tests.volunteers.joining import VolunteerFactory, memory_gateway, own_cache  # noqa: F401 (fixtures)
from volunteers import approval
from volunteers.choices import Source
from volunteers.coverage import covered_building_ids
from volunteers.models import Group, Volunteer

pytestmark = pytest.mark.django_db
Status = Volunteer.Status
User = get_user_model()


@pytest.fixture
def staff(world):
    return world.users[Role.COMMITTEE_STAFF]


def decide(client, volunteers, decision, **fields):
    data = {"volunteers": [v.pk for v in volunteers], "decision": decision, **fields}
    return client.post(reverse("volunteers:decide"), data, follow=True)


def test_approval_gives_an_account_of_the_mobile_number_with_the_volunteer_role_over_their_building(world, staff):
    volunteer = VolunteerFactory(building=world.building, name="张三", mobile="13912345678")

    approved = approval.volunteer_approve(actor=staff, volunteer=volunteer)

    account = approved.user
    assert (approved.status, approved.decided_by) == (Status.APPROVED, staff)
    assert (account.username, account.mobile, account.display_name) == ("13912345678", "13912345678", "张三")
    assert not account.has_usable_password()
    assert account.is_active
    assert covered_building_ids(approved) == {world.building.pk}
    assert AreaScope.for_user(account).volunteer_building_ids == {world.building.pk}


def test_a_building_leader_who_volunteers_keeps_their_account_and_gains_the_role(world, staff):
    leader = world.users[Role.BUILDING_LEADER]
    leader.mobile = "13800000003"
    leader.save()
    volunteer = VolunteerFactory(building=world.other_building, mobile="13800000003")

    approved = approval.volunteer_approve(actor=staff, volunteer=volunteer)

    assert approved.user == leader
    assert User.objects.filter(mobile="13800000003").count() == 1
    assert set(RoleAssignment.objects.filter(user=leader).values_list("role", "building")) == {
        (Role.BUILDING_LEADER, world.building.pk),
        (Role.VOLUNTEER, world.other_building.pk),
    }
    assert leader.check_password("pw-for-tests-123")  # the leader's password is theirs still


@pytest.mark.parametrize("role", [Role.STREET_ADMIN, Role.COMMITTEE_STAFF, Role.ZONE_LEADER])
def test_a_staff_member_s_number_typed_on_the_form_is_refused_at_approval(world, staff, role):
    account = world.users[role]
    account.mobile = "13800000009"
    account.save()
    volunteer = VolunteerFactory(building=world.building, name="张三", mobile="13800000009")

    with pytest.raises(ServiceError, match="account of a member of staff"):
        approval.volunteer_approve(actor=staff, volunteer=volunteer)

    assert Volunteer.objects.get(pk=volunteer.pk).status == Status.PENDING
    assert not account.role_assignments.filter(role=Role.VOLUNTEER).exists()


def test_a_username_taken_by_another_account_gets_a_suffix(world, staff):
    User.objects.create(username="13912345678")
    volunteer = VolunteerFactory(building=world.building, mobile="13912345678")

    assert approval.volunteer_approve(actor=staff, volunteer=volunteer).user.username == "13912345678-2"


def test_staff_choose_the_buildings_a_volunteer_covers(world, staff):
    volunteer = VolunteerFactory(building=world.building)

    approved = approval.volunteer_approve(actor=staff, volunteer=volunteer, buildings=[world.other_building])

    assert covered_building_ids(approved) == {world.other_building.pk}


def test_someone_with_no_building_is_not_approved_without_buildings_chosen(world, staff):
    cadre = VolunteerFactory(
        building=None, compound=world.building.compound, community=world.community, source=Source.CADRE, room=""
    )

    with pytest.raises(ServiceError, match="gave no building of their own") as refused:
        approval.volunteer_approve(actor=staff, volunteer=cadre)
    approved = approval.volunteer_approve(actor=staff, volunteer=cadre, buildings=[world.building])

    assert refused.value.field == "buildings"
    assert covered_building_ids(approved) == {world.building.pk}


def test_a_building_of_another_community_is_refused_and_nothing_is_approved(world, staff):
    volunteer = VolunteerFactory(building=world.building)

    with pytest.raises(ServiceError, match="only buildings of their own community"):
        approval.volunteer_approve(actor=staff, volunteer=volunteer, buildings=[world.far_building])

    assert Volunteer.objects.get().status == Status.PENDING
    assert not User.objects.filter(mobile=volunteer.mobile).exists()


def test_approving_an_approved_volunteer_again_says_who_did_and_changes_nothing(world, staff):
    volunteer = approval.volunteer_approve(actor=staff, volunteer=VolunteerFactory(building=world.building))

    with pytest.raises(TransitionLost, match="staff made .* “Approved” at .*, before you"):
        approval.volunteer_approve(actor=world.users[Role.STREET_ADMIN], volunteer=volunteer)

    assert Volunteer.objects.get().decided_by == staff


@pytest.mark.django_db(transaction=True)
def test_two_staff_approving_at_once_approve_once(world, on_postgres):
    volunteer = VolunteerFactory(building=world.building)
    street = world.users[Role.STREET_ADMIN]
    deciders = [world.users[Role.COMMITTEE_STAFF], street]

    writers = at_once(
        *(lambda actor=actor: approval.volunteer_approve(actor=actor, volunteer=volunteer) for actor in deciders)
    )

    errors = [writer.error for writer in writers]
    assert sorted(type(error).__name__ for error in errors) == ["NoneType", "TransitionLost"]
    assert User.objects.filter(mobile=volunteer.mobile).count() == 1
    assert RoleAssignment.objects.filter(role=Role.VOLUNTEER, user__mobile=volunteer.mobile).count() == 1


def test_decline_with_a_reason_and_the_declined_may_be_approved_later(world, staff):
    volunteer = VolunteerFactory(building=world.building)

    declined = approval.volunteer_decline(actor=staff, volunteer=volunteer, reason="年龄不符")
    assert (declined.status, declined.decline_reason) == (Status.DECLINED, "年龄不符")
    approved = approval.volunteer_approve(actor=staff, volunteer=declined)

    assert (approved.status, approved.decline_reason) == (Status.APPROVED, "")


def test_an_approved_volunteer_is_not_declined(world, staff):
    volunteer = approval.volunteer_approve(actor=staff, volunteer=VolunteerFactory(building=world.building))

    with pytest.raises(TransitionLost):
        approval.volunteer_decline(actor=staff, volunteer=volunteer)

    assert Volunteer.objects.get().status == Status.APPROVED


@pytest.mark.parametrize("role", [Role.ZONE_LEADER, Role.BUILDING_LEADER, Role.VOLUNTEER])
def test_only_staff_decide(world, role):
    volunteer = VolunteerFactory(building=world.building)

    with pytest.raises(NotPermitted):
        approval.volunteer_approve(actor=world.users[role], volunteer=volunteer)
    with pytest.raises(NotPermitted):
        approval.volunteer_decline(actor=world.users[role], volunteer=volunteer)

    assert Volunteer.objects.get().status == Status.PENDING


def test_the_list_shows_the_waiting_first_with_what_staff_decide_on(client, world, staff):
    approved = approval.volunteer_approve(actor=staff, volunteer=VolunteerFactory(building=world.building))
    waiting = VolunteerFactory(building=world.building, name="张三", resident=world.resident, skills=["driver"])
    client.force_login(staff)

    page = client.get(reverse("volunteers:list"))

    html = page.content.decode()
    assert [row.volunteer for row in page.context["rows"]] == [waiting, approved]
    assert "Driver" in html
    assert "on the register" in html
    assert "12-3-501" in html
    assert page.context["counts"] == {Status.PENDING: 1, Status.APPROVED: 1}


def test_the_list_filters_by_status(client, world, staff):
    VolunteerFactory(building=world.building)
    approved = approval.volunteer_approve(actor=staff, volunteer=VolunteerFactory(building=world.building))
    client.force_login(staff)

    page = client.get(reverse("volunteers:list"), {"status": Status.APPROVED})

    assert [row.volunteer for row in page.context["rows"]] == [approved]


def test_the_list_shows_the_groups_limits_and_which_each_volunteer_fits(client, world, staff):
    Group.objects.create(community=world.community, name="上门核酸", max_age=50, skills=["suit_trained"])
    Group.objects.create(community=world.community, name="楼道管控", min_age=18)
    Group.objects.create(community=world.community, name="医疗急救", skills=["medical"])
    Group.objects.create(community=world.other_community, name="别处的组")
    young = VolunteerFactory(building=world.building, age=30, skills=["suit_trained"])
    old = VolunteerFactory(building=world.building, age=79, skills=["suit_trained"])
    client.force_login(staff)

    page = client.get(reverse("volunteers:list"))

    fits = {row.volunteer: [group.name for group in row.groups] for row in page.context["rows"]}
    html = page.content.decode()
    assert fits == {young: ["上门核酸", "楼道管控"], old: ["楼道管控"]}
    assert [group.name for group in page.context["groups"]] == ["上门核酸", "医疗急救", "楼道管控"]
    assert "Trained in protective suits" in html
    assert "–50" in html
    assert "别处的组" not in html


def test_mobile_numbers_are_masked_and_shown_on_purpose_with_a_record(client, world, staff):
    volunteer = VolunteerFactory(building=world.building, mobile="13912345678", resident=world.resident)
    client.force_login(staff)

    html = client.get(reverse("volunteers:list")).content.decode()
    shown = client.post(reverse("volunteers:reveal", args=[volunteer.pk]))

    assert mask_phone("13912345678") in html
    assert "13912345678" not in html
    assert shown.json() == {"value": "13912345678"}
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.resident, event.detail) == (
        staff,
        AuditEvent.Action.REVEAL_PHONE,
        world.resident,
        {"volunteer": volunteer.pk},
    )


def test_staff_see_only_their_community_s_volunteers(client, world, staff):
    mine = VolunteerFactory(building=world.building)
    far = VolunteerFactory(building=world.far_building)
    client.force_login(staff)

    page = client.get(reverse("volunteers:list"))

    assert [row.volunteer for row in page.context["rows"]] == [mine]
    assert client.get(reverse("volunteers:detail", args=[far.pk])).status_code == 404
    assert client.post(reverse("volunteers:approve", args=[far.pk])).status_code == 404
    assert client.post(reverse("volunteers:reveal", args=[far.pk])).status_code == 404
    decide(client, [far], "approve")
    assert Volunteer.objects.get(pk=far.pk).status == Status.PENDING


def test_the_street_admin_sees_every_community_of_the_street(client, world):
    VolunteerFactory(building=world.building)
    VolunteerFactory(building=world.far_building)
    client.force_login(world.users[Role.STREET_ADMIN])

    page = client.get(reverse("volunteers:list"))
    one = client.get(reverse("volunteers:list"), {"community": world.other_community.pk})

    assert len(page.context["rows"]) == 2
    assert [row.volunteer.community for row in one.context["rows"]] == [world.other_community]


def test_many_approved_at_once_each_covering_their_own_building(client, world, staff):
    first = VolunteerFactory(building=world.building)
    second = VolunteerFactory(building=world.other_building)
    client.force_login(staff)

    page = decide(client, [first, second], "approve")

    assert "2 volunteers approved." in page.content.decode()
    assert [covered_building_ids(v) for v in Volunteer.objects.order_by("pk")] == [
        {world.building.pk},
        {world.other_building.pk},
    ]


def test_many_declined_at_once_with_one_reason(client, world, staff):
    volunteers = VolunteerFactory.create_batch(3, building=world.building)
    client.force_login(staff)

    page = decide(client, volunteers, "decline", reason="本周人员已满")

    assert "3 volunteers declined." in page.content.decode()
    assert set(Volunteer.objects.values_list("status", "decline_reason")) == {(Status.DECLINED, "本周人员已满")}


def test_many_at_once_need_buildings_for_those_who_gave_none(client, world, staff):
    resident = VolunteerFactory(building=world.building)
    cadre = VolunteerFactory(
        building=None, compound=world.building.compound, community=world.community, name="王干部", room=""
    )
    client.force_login(staff)

    refused = decide(client, [resident, cadre], "approve")
    chosen = decide(client, [resident, cadre], "approve", buildings=[world.other_building.pk])

    assert "王干部 gave no building of their own" in refused.content.decode()
    assert refused.context["ticked"] == {resident.pk, cadre.pk}  # ticked again, buildings open, to put right
    assert f'value="{cadre.pk}" aria-label="王干部" checked' in refused.content.decode()
    assert '<details class="columns" open>' in refused.content.decode()
    assert "2 volunteers approved." in chosen.content.decode()
    assert chosen.context["ticked"] == set()
    assert [covered_building_ids(v) for v in Volunteer.objects.order_by("pk")] == [
        {world.building.pk},
        {world.other_building.pk},
    ]


def test_many_at_once_tells_of_those_someone_else_decided_first(client, world, staff):
    done = approval.volunteer_decline(actor=staff, volunteer=VolunteerFactory(building=world.building, name="甲"))
    waiting = VolunteerFactory(building=world.building, name="乙")
    client.force_login(staff)

    page = decide(client, [done, waiting], "decline")

    html = page.content.decode()
    assert "1 volunteer declined." in html
    assert "made 甲 “Declined” at" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "approve"}, "Tick the volunteers first."),
        ({"decision": "promote", "volunteers": ["1"]}, "is not one of the available choices"),
        ({"decision": "approve", "volunteers": ["abc"]}, "is not one of the available choices"),
    ],
)
def test_a_decision_on_nobody_or_on_nothing_known_says_so_and_changes_nothing(client, world, staff, data, message):
    VolunteerFactory(building=world.building, pk=1)
    client.force_login(staff)

    page = client.post(reverse("volunteers:decide"), data, follow=True)

    assert message in page.content.decode()
    assert Volunteer.objects.get().status == Status.PENDING


def test_one_by_one_on_the_volunteer_s_page(client, world, staff):
    volunteer = VolunteerFactory(building=world.building, name="张三")
    client.force_login(staff)

    page = client.get(reverse("volunteers:detail", args=[volunteer.pk]))
    approved = client.post(
        reverse("volunteers:approve", args=[volunteer.pk]), {"buildings": [world.other_building.pk]}, follow=True
    )

    assert page.context["approve_form"]["buildings"].initial == [world.building.pk]
    assert "张三 is approved." in approved.content.decode()
    assert covered_building_ids(Volunteer.objects.get()) == {world.other_building.pk}
    covers = client.get(reverse("volunteers:detail", args=[volunteer.pk])).content.decode()
    covered = covers.split("<dt>Covers</dt>")[1].split("</dd>")[0]
    assert ">Building 13</span>" in covered, covered


def test_approving_someone_without_a_building_on_their_page_says_so_beside_the_buildings(client, world, staff):
    cadre = VolunteerFactory(
        building=None, compound=world.building.compound, community=world.community, name="王干部", room=""
    )
    client.force_login(staff)

    page = client.post(reverse("volunteers:approve", args=[cadre.pk]))

    assert "王干部 gave no building of their own" in page.context["approve_form"].errors["buildings"][0]
    assert Volunteer.objects.get().status == Status.PENDING


def test_decline_on_the_volunteer_s_page_with_a_reason(client, world, staff):
    volunteer = VolunteerFactory(building=world.building, name="张三")
    client.force_login(staff)

    page = client.post(reverse("volunteers:decline", args=[volunteer.pk]), {"reason": "x" * 201})
    declined = client.post(reverse("volunteers:decline", args=[volunteer.pk]), {"reason": "未满18岁"}, follow=True)

    assert "At most 200 characters" in page.context["decline_form"].errors["reason"][0]
    assert "张三 is declined." in declined.content.decode()
    assert Volunteer.objects.values_list("status", "decline_reason").get() == (Status.DECLINED, "未满18岁")


def _list_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("volunteers:list")).status_code == 200
    return len(queries)


def test_the_list_issues_as_many_queries_for_50_volunteers_as_for_5(client, world, staff):
    second = BuildingFactory(zone__compound__community=world.community, number="1")
    Group.objects.create(community=world.community, name="物资配送", max_age=60)
    client.force_login(staff)
    for n in range(5):
        VolunteerFactory(building=world.building if n % 2 else second, resident=world.resident if n % 3 else None)
    few = _list_queries(client)
    for n in range(45):
        VolunteerFactory(building=world.building if n % 2 else second, resident=world.resident if n % 3 else None)

    assert _list_queries(client) == few
