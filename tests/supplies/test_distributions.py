"""Distributions: one share per household, delivered building by building, the missing ones
listed, the shares of households nobody was home for made up when they are back; donations to the
cent and their thank-you list without phone or ID numbers."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from households.models import Building, Presence, Role
from lockdown.core.errors import NotPermitted, ServiceError
from lockdown.core.transitions import TransitionLost
from supplies import distribution_selectors, distributions
from supplies.models import Donation, Share
from tests.concurrency import at_once
from tests.households.factories import BuildingFactory, HouseholdFactory, ResidentFactory, user_with_role
from tests.supplies.parcels import staff_of
from volunteers.models import Task

State = Share.State


def make(world, name="爱心菜"):
    return distributions.distribution_create(
        actor=staff_of(world), compound=world.building.compound, name=name, share="一袋"
    )


def states_by_room(distribution):
    return {s.household.room: s.state for s in distribution.shares.select_related("household")}


@pytest.fixture
def homes(world):
    """Besides the world's 12-3-501 (张三, home) and 13-1-101 (李四, home): 12-1-201 in hospital,
    12-1-202 in quarantine with a child away, 12-1-203 moved out, 12-1-204 with nobody registered."""
    rooms = {}
    for room, presences in [
        ("201", [Presence.HOSPITAL]),
        ("202", [Presence.QUARANTINE, Presence.AWAY]),
        ("203", [Presence.MOVED_OUT]),
        ("204", []),
    ]:
        rooms[room] = HouseholdFactory(building=world.building, unit="1", room=room)
        for presence in presences:
            ResidentFactory(household=rooms[room], presence=presence)
    return rooms


@pytest.mark.django_db
def test_each_household_on_the_register_gets_one_share_kept_where_nobody_is_home(world, homes):
    distribution = make(world)

    assert states_by_room(distribution) == {
        "501": State.TO_DELIVER,
        "101": State.TO_DELIVER,
        "201": State.HELD,
        "202": State.HELD,
    }
    tasks = Task.objects.filter(kind=distributions.KIND).order_by("building_id")
    assert [(t.building_id, t.title) for t in tasks] == [
        (world.building.pk, "爱心菜 for Building 12: 1 household"),
        (world.other_building.pk, "爱心菜 for Building 13: 1 household"),
    ]


@pytest.mark.django_db
def test_the_page_counts_each_building_and_lists_the_missing_households(world, homes):
    distribution = make(world)
    distributions.shares_deliver(actor=world.users[Role.VOLUNTEER], distribution=distribution, building=world.building)

    rows = {
        r["building__number"]: (r["total"], r["delivered"], r["missing"], r["held"])
        for r in distribution_selectors.by_building(distribution)
    }

    assert rows == {"12": (3, 1, 0, 2), "13": (1, 0, 1, 0)}
    assert [(b.number, [s.label for s in shares]) for b, shares in distribution_selectors.missing(distribution)] == [
        ("13", ["13-1-101"])
    ]
    assert Task.objects.get(building=world.building).state == Task.State.DONE


@pytest.mark.django_db
def test_a_share_is_not_delivered_twice_nor_by_someone_of_another_building(world):
    distribution = make(world)
    share = distribution.shares.get(household=world.household)
    volunteer = world.users[Role.VOLUNTEER]
    distributions.shares_deliver(actor=volunteer, distribution=distribution, building=world.building, ids=[share.pk])

    with pytest.raises(TransitionLost):
        distributions.shares_deliver(
            actor=volunteer, distribution=distribution, building=world.building, ids=[share.pk]
        )
    with pytest.raises(NotPermitted):
        distributions.shares_deliver(actor=volunteer, distribution=distribution, building=world.other_building)
    assert share.events.filter(to_state=State.DELIVERED).count() == 1


@pytest.mark.django_db
def test_a_kept_share_is_made_up_once_someone_is_home(world, homes):
    distribution = make(world)
    kept = distribution.shares.get(household=homes["201"])
    listed = {s.label: s.home_now for s in distribution_selectors.kept_for_making_up(distribution)}
    assert listed == {"12-1-201": False, "12-1-202": False}

    homes["201"].residents.update(presence=Presence.HOME)
    listed = {s.label: s.home_now for s in distribution_selectors.kept_for_making_up(distribution)}
    assert listed == {"12-1-201": True, "12-1-202": False}
    distributions.share_make_up(actor=world.users[Role.VOLUNTEER], share=kept)

    kept.refresh_from_db()
    assert (kept.state, kept.made_up) == (State.DELIVERED, True)
    with pytest.raises(TransitionLost):
        distributions.share_make_up(actor=world.users[Role.VOLUNTEER], share=kept)


@pytest.mark.django_db
def test_a_share_nobody_answered_for_is_kept_for_making_up_and_its_run_ends_with_the_last(client, world):
    distribution = make(world)  # building 12: 12-3-501 only; 13: 13-1-101
    share = distribution.shares.get(household=world.household)
    client.force_login(world.users[Role.VOLUNTEER])
    other = distribution.shares.get(household=world.other_household)

    assert client.post(reverse("supplies:share_keep", args=[other.pk])).status_code == 404  # building 13
    kept = client.post(reverse("supplies:share_keep", args=[share.pk]))

    share.refresh_from_db()
    assert share.state == State.HELD
    assert share.events.get(to_state=State.HELD).why == "Nobody answered the door"
    assert kept.status_code == 302
    assert Task.objects.get(building=world.building).state == Task.State.DONE
    assert [s.label for s in distribution_selectors.kept_for_making_up(distribution)] == ["12-3-501"]
    with pytest.raises(TransitionLost):
        distributions.share_keep(actor=world.users[Role.VOLUNTEER], share=share)


@pytest.mark.django_db
def test_a_distribution_without_a_name_or_by_a_volunteer_is_refused(world):
    with pytest.raises(ServiceError, match="what is handed out"):
        distributions.distribution_create(
            actor=staff_of(world), compound=world.building.compound, name=" ", share="一袋"
        )
    with pytest.raises(NotPermitted):
        distributions.distribution_create(
            actor=world.users[Role.VOLUNTEER], compound=world.building.compound, name="大米", share="5公斤"
        )
    assert not Share.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_volunteers_delivering_a_building_at_once_deliver_each_share_once(world, on_postgres):
    for n in range(15):
        ResidentFactory(household=HouseholdFactory(building=world.building, unit="4", room=str(400 + n)))
    distribution = make(world)
    other = user_with_role(Role.VOLUNTEER, world.building, username="pair")

    def all_of(volunteer):
        return lambda: distributions.shares_deliver(actor=volunteer, distribution=distribution, building=world.building)

    writers = at_once(all_of(world.users[Role.VOLUNTEER]), all_of(other))

    assert [w.error for w in writers] == [None, None]
    assert sum(w.result for w in writers) == 16
    assert Share.objects.filter(building=world.building, state=State.DELIVERED).count() == 16


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("30000", "30000.00"),
        ("30,000.00", "30000.00"),
        ("1250.5元", "1250.50"),
        ("¥200", "200.00"),
        ("￥ 200", "200.00"),
        ("3万", "30000.00"),
        ("1.5万元", "15000.00"),
        ("１０００", "1000.00"),
    ],
)
def test_money_is_kept_to_the_cent(world, typed, kept):
    donation = distributions.donation_record(
        actor=staff_of(world),
        community=world.community,
        donor="12号楼全体居民",
        kind=Donation.Kind.MONEY,
        amount=typed,
        received_on=timezone.localdate(),
        purpose="归还防护服垫款",
    )

    assert Donation.objects.get(pk=donation.pk).amount == Decimal(kept)


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["1.505", "-5", "0", "三万", "NaN", "1e3", "万", "3万万", "元"])
def test_an_amount_that_is_not_yuan_and_cents_is_refused(world, typed):
    with pytest.raises(ServiceError, match="amount in yuan"):
        distributions.donation_record(
            actor=staff_of(world),
            community=world.community,
            donor="张三",
            kind=Donation.Kind.MONEY,
            amount=typed,
            received_on=timezone.localdate(),
        )
    assert not Donation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "typed", "refused"),
    [
        (Donation.Kind.GOODS, {"goods": "水果500份", "amount": "500"}, "clear the amount"),
        (Donation.Kind.MONEY, {"goods": "水果500份", "amount": "500"}, "clear the goods"),
    ],
)
def test_a_donation_with_both_goods_and_an_amount_is_asked_which_not_half_kept(world, kind, typed, refused):
    with pytest.raises(ServiceError, match=refused):
        distributions.donation_record(
            actor=staff_of(world),
            community=world.community,
            donor="某公司",
            kind=kind,
            received_on=timezone.localdate(),
            **typed,
        )
    assert not Donation.objects.exists()


@pytest.mark.django_db
def test_a_donation_for_a_distribution_keeps_its_purpose_on_the_thank_you_list(client, world):
    handout = make(world)
    distributions.donation_record(
        actor=staff_of(world),
        community=world.community,
        donor="李女士",
        kind=Donation.Kind.GOODS,
        goods="青菜",
        received_on=timezone.localdate(),
        distribution=handout,
        purpose="也给老人",
    )
    client.force_login(staff_of(world))

    page = client.get(reverse("supplies:thank_you", args=[world.community.pk])).content.decode()

    assert "（爱心菜、也给老人）" in page


@pytest.mark.django_db
def test_goods_need_what_and_no_donation_is_dated_tomorrow(world):
    with pytest.raises(ServiceError, match="what was given"):
        distributions.donation_record(
            actor=staff_of(world),
            community=world.community,
            donor="某公司",
            kind=Donation.Kind.GOODS,
            received_on=timezone.localdate(),
        )
    with pytest.raises(ServiceError, match="today or earlier"):
        distributions.donation_record(
            actor=staff_of(world),
            community=world.community,
            donor="某公司",
            kind=Donation.Kind.GOODS,
            goods="水果",
            received_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert not Donation.objects.exists()


@pytest.mark.django_db
def test_the_thank_you_list_names_givers_and_sums_money_without_their_numbers(client, world):
    staff = staff_of(world)
    today = timezone.localdate()
    for donor, kind, extra in [
        ("鲜果公司", Donation.Kind.GOODS, {"goods": "水果500份"}),
        ("张三 13912345678", Donation.Kind.MONEY, {"amount": "20000"}),
        ("李四 310101198001010011", Donation.Kind.MONEY, {"amount": "10000.50"}),
    ]:
        distributions.donation_record(
            actor=staff, community=world.community, donor=donor, kind=kind, received_on=today, **extra
        )
    client.force_login(staff)

    page = client.get(reverse("supplies:thank_you", args=[world.community.pk])).content.decode()

    assert "水果500份" in page
    assert "30000.50" in page
    assert "13912345678" not in page
    assert "139****5678" in page
    assert "310101198001010011" not in page
    staffs_list = client.get(reverse("supplies:donations", args=[world.community.pk])).content.decode()
    assert "13912345678" not in staffs_list
    assert "139****5678" in staffs_list
    client.force_login(world.users[Role.VOLUNTEER])
    assert client.get(reverse("supplies:thank_you", args=[world.community.pk])).status_code == 404


@pytest.mark.django_db
def test_the_distribution_pages_answer_their_roles_only(client, world):
    distribution = make(world)
    staff_pages = [
        reverse("supplies:distributions", args=[world.community.pk]),
        reverse("supplies:distribution", args=[distribution.pk]),
    ]
    run = reverse("supplies:share_run", args=[distribution.pk, world.building.pk])

    client.force_login(world.users[Role.VOLUNTEER])
    assert [client.get(url).status_code for url in staff_pages] == [404, 404]
    assert client.get(run).status_code == 200
    assert client.get(reverse("supplies:share_run", args=[distribution.pk, world.other_building.pk])).status_code == 404
    share = distribution.shares.get(household=world.household)
    deliver = reverse("supplies:shares_deliver", args=[distribution.pk, world.building.pk])
    one = client.post(deliver, {"share": share.pk})
    assert one.url == run  # the next share to deliver is at the top of the list
    assert distribution.shares.get(household=world.household).state == State.DELIVERED
    client.force_login(staff_of(world))
    assert [client.get(url).status_code for url in staff_pages] == [200, 200]


def test_the_donation_form_reads_in_chinese_with_its_date_as_a_date_input_takes_it(client, world, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    page = client.get(reverse("supplies:donations", args=[world.community.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()

    assert "捐赠方" in text
    assert "物资" in text
    assert "操作" not in text
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in text


@pytest.mark.django_db
def test_the_page_lists_the_missing_rooms_under_their_building_with_its_run(client, world, homes):
    distribution = make(world)
    client.force_login(staff_of(world))

    page = client.get(reverse("supplies:distribution", args=[distribution.pk])).content.decode()

    run_13 = reverse("supplies:share_run", args=[distribution.pk, world.other_building.pk])
    assert page.count(f'href="{run_13}"') == 2  # the building's row in the table, and its missing rooms
    missing = page[page.index("still missing") :]
    assert missing.index("Building 12") < missing.index("12-3-501") < missing.index("Building 13")
    assert missing.index("Building 13") < missing.index("13-1-101")
    assert client.get(run_13).status_code == 200


@pytest.mark.django_db
def test_the_missing_rooms_follow_the_compounds_order_of_buildings_not_the_order_they_were_added(client, world):
    nine = BuildingFactory(zone=world.zone, number="9", sort_key=9)  # added after 12 and 13, before them in order
    for building in (world.building, world.other_building):
        Building.objects.filter(pk=building.pk).update(sort_key=int(building.number))  # as the import sets it
    ResidentFactory(household=HouseholdFactory(building=nine, unit="1", room="101"))
    distribution = make(world)

    client.force_login(staff_of(world))

    page = client.get(reverse("supplies:distribution", args=[distribution.pk])).content.decode()

    missing = page[page.index("still missing") :]
    assert missing.index("Building 9") < missing.index("Building 12") < missing.index("Building 13")


@pytest.mark.django_db
def test_a_buildings_run_lists_the_shares_to_deliver_first_then_those_to_make_up_then_the_rest(world, homes):
    volunteer = world.users[Role.VOLUNTEER]
    first_home = HouseholdFactory(building=world.building, unit="1", room="101")
    ResidentFactory(household=first_home)
    distribution = make(world)  # building 12: 3-501 and 1-101 to deliver, 1-201 and 1-202 kept
    distributions.shares_deliver(
        actor=volunteer,
        distribution=distribution,
        building=world.building,
        ids=[distribution.shares.get(household=first_home).pk],
    )
    homes["201"].residents.update(presence=Presence.HOME)  # back from hospital: to make up

    order = [s.label for s in distribution_selectors.building_shares(distribution, world.building)]

    assert order == ["12-3-501", "12-1-201", "12-1-101", "12-1-202"]
