"""Group buys: filed, documented, approved only with every document in date, rejected with a reason;
the households' orders; the goods at the gate become parcels on the parcels' way."""

import datetime

import pytest
from django.utils import timezone

from households.models import Role
from households.scoping import AreaScope
from lockdown.core.errors import NotPermitted, ServiceError
from lockdown.core.transitions import TransitionLost
from supplies import gate, group_buy_selectors, group_buys
from supplies.models import GroupBuy, GroupBuyOrder, Parcel
from tests.concurrency import first_then
from tests.households.factories import HouseholdFactory
from tests.supplies.group_buying import Kind, a_file, add, documented, filed
from tests.supplies.parcels import staff_of

pytestmark = pytest.mark.django_db
State = GroupBuy.State


def test_a_building_leader_files_a_group_buy_for_their_building(world):
    buy = filed(world)

    assert (buy.state, buy.leader_phone, list(buy.buildings.all())) == (State.FILED, "13911112222", [world.building])
    assert buy.events.get().to_state == State.FILED


def test_a_group_buy_for_a_building_outside_the_leaders_areas_is_refused(world):
    with pytest.raises(NotPermitted):
        filed(world, buildings=[world.other_building])
    assert not GroupBuy.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"leader_phone": "12345"}, "11 digits"),
        ({"expected_at": timezone.now() - datetime.timedelta(hours=1)}, "in the future"),
        ({"goods": "  "}, "needed"),
        ({"buildings": []}, "Choose the buildings"),
    ],
)
def test_a_group_buy_filed_wrong_is_refused_with_what_to_fix(world, change, message):
    fields = {
        "actor": world.users[Role.BUILDING_LEADER],
        "compound": world.building.compound,
        "goods": "蔬菜套餐",
        "supplier": "批发市场",
        "leader_name": "陈阿姨",
        "leader_phone": "13911112222",
        "expected_at": timezone.now() + datetime.timedelta(days=1),
        "buildings": [world.building],
    } | change

    with pytest.raises(ServiceError, match=message):
        group_buys.group_buy_file(**fields)
    assert not GroupBuy.objects.exists()


def test_a_group_buy_with_every_document_in_date_is_approved(world):
    buy = documented(world, filed(world))

    group_buys.group_buy_approve(actor=staff_of(world), group_buy=buy)

    buy.refresh_from_db()
    assert buy.state == State.APPROVED
    assert buy.events.last().actor == staff_of(world)


@pytest.mark.parametrize("kind", [Kind.GUARANTEE, Kind.TRANSPORT_PASS, Kind.DRIVER_TEST, Kind.LOADER_TEST])
def test_each_missing_document_blocks_approval_and_is_named(world, kind):
    buy = filed(world)
    for other in Kind.values:
        if other != kind:
            add(world, buy, other)

    with pytest.raises(ServiceError) as refused:
        group_buys.group_buy_approve(actor=staff_of(world), group_buy=buy)

    assert f"{Kind(kind).label} is missing." in refused.value.message
    assert GroupBuy.objects.get().state == State.FILED


def test_a_test_older_than_48_hours_at_the_arrival_blocks_approval(world):
    buy = filed(world, hours_ahead=30)
    documented(world, buy, test_hours=10)
    add(world, buy, Kind.LOADER_TEST, person="孙师傅", hours_before_arrival=49)

    with pytest.raises(ServiceError) as refused:
        group_buys.group_buy_approve(actor=staff_of(world), group_buy=buy)

    assert "Loader's negative test of 孙师傅 will be 49 hours old when the goods arrive" in refused.value.message
    assert GroupBuy.objects.get().state == State.FILED


def test_a_fresh_test_replaces_the_same_persons_stale_one(world):
    buy = filed(world, hours_ahead=30)
    documented(world, buy, test_hours=10)
    add(world, buy, Kind.DRIVER_TEST, hours_before_arrival=60)  # 王师傅's test of the day before

    group_buys.group_buy_approve(actor=staff_of(world), group_buy=buy)

    assert GroupBuy.objects.get().state == State.APPROVED


def test_a_test_of_exactly_48_hours_at_the_arrival_counts(world):
    buy = filed(world, hours_ahead=40)
    documented(world, buy, test_hours=48)

    group_buys.group_buy_approve(actor=staff_of(world), group_buy=buy)

    assert GroupBuy.objects.get().state == State.APPROVED


def test_a_document_dated_in_the_future_or_no_document_at_all_is_refused(world):
    buy = filed(world)

    with pytest.raises(ServiceError, match="future"):
        group_buys.document_add(
            actor=buy.filed_by,
            group_buy=buy,
            kind=Kind.GUARANTEE,
            dated_at=timezone.now() + datetime.timedelta(hours=1),
            file=a_file(),
        )
    with pytest.raises(ServiceError, match="not a photo or a PDF"):
        group_buys.document_add(
            actor=buy.filed_by,
            group_buy=buy,
            kind=Kind.GUARANTEE,
            dated_at=timezone.now(),
            file=a_file("x.pdf", b"MZ\x90\x00 an exe"),
        )
    with pytest.raises(ServiceError, match="whose test"):
        group_buys.document_add(
            actor=buy.filed_by, group_buy=buy, kind=Kind.DRIVER_TEST, dated_at=timezone.now(), file=a_file()
        )
    assert not buy.documents.exists()


def test_only_staff_decide_and_a_rejection_says_why(world):
    buy = documented(world, filed(world))

    with pytest.raises(NotPermitted):
        group_buys.group_buy_approve(actor=world.users[Role.BUILDING_LEADER], group_buy=buy)
    with pytest.raises(ServiceError, match="Say why"):
        group_buys.group_buy_reject(actor=staff_of(world), group_buy=buy, reason=" ")
    group_buys.group_buy_reject(actor=staff_of(world), group_buy=buy, reason="供货方资质不全")

    buy.refresh_from_db()
    assert (buy.state, buy.reject_reason) == (State.REJECTED, "供货方资质不全")
    with pytest.raises(TransitionLost):
        group_buys.group_buy_approve(actor=staff_of(world), group_buy=buy)
    group_buys.group_buy_refile(actor=buy.filed_by, group_buy=buy)
    group_buys.group_buy_approve(actor=staff_of(world), group_buy=buy)
    assert GroupBuy.objects.get().state == State.APPROVED


def test_orders_are_entered_per_household_and_totalled_per_building(world):
    buy = filed(world, buildings=[world.building, world.other_building], actor=staff_of(world))
    second = HouseholdFactory(building=world.building, unit="1", room="101")
    staff = staff_of(world)
    group_buys.order_set(actor=staff, group_buy=buy, household=world.household, items="蔬菜套餐A", quantity=2)
    group_buys.order_set(actor=staff, group_buy=buy, household=second, items="蔬菜套餐A", quantity=1)
    group_buys.order_set(actor=staff, group_buy=buy, household=world.other_household, items="鸡蛋", quantity=3)
    group_buys.order_set(actor=staff, group_buy=buy, household=second, items="蔬菜套餐A", quantity=4)  # changed

    totals = [
        (r["building__number"], r["items"], r["quantity"], r["households"])
        for r in group_buy_selectors.order_totals(buy, AreaScope.for_user(staff))
    ]

    assert totals == [("12", "蔬菜套餐A", 6, 2), ("13", "鸡蛋", 3, 1)]
    group_buys.order_set(actor=staff, group_buy=buy, household=second, items="蔬菜套餐A", quantity=0)
    assert GroupBuyOrder.objects.count() == 2


def test_a_building_leader_enters_orders_of_their_building_only(world):
    buy = filed(world, buildings=[world.building, world.other_building], actor=staff_of(world))
    leader = world.users[Role.BUILDING_LEADER]

    group_buys.order_set(actor=leader, group_buy=buy, household=world.household, items="牛奶", quantity=1)
    with pytest.raises(NotPermitted):
        group_buys.order_set(actor=leader, group_buy=buy, household=world.other_household, items="牛奶", quantity=1)
    assert GroupBuyOrder.objects.count() == 1


def test_an_order_for_a_building_the_group_buy_does_not_serve_is_refused(world):
    buy = filed(world)

    with pytest.raises(ServiceError, match="does not serve"):
        group_buys.order_set(
            actor=buy.filed_by, group_buy=buy, household=world.other_household, items="牛奶", quantity=1
        )
    assert not GroupBuyOrder.objects.exists()


def test_the_goods_at_the_gate_become_one_parcel_per_household_on_the_parcels_way(world):
    buy = filed(world, buildings=[world.building, world.other_building], actor=staff_of(world))
    staff = staff_of(world)
    group_buys.order_set(actor=staff, group_buy=buy, household=world.household, items="蔬菜套餐A", quantity=2)
    group_buys.order_set(actor=staff, group_buy=buy, household=world.household, items="鸡蛋", quantity=1)
    group_buys.order_set(actor=staff, group_buy=buy, household=world.other_household, items="鸡蛋", quantity=3)
    documented(world, buy)
    group_buys.group_buy_approve(actor=staff, group_buy=buy)

    assert group_buys.group_buy_arrive(actor=staff, group_buy=buy) == 2

    parcels = {p.household_id: p for p in Parcel.objects.all()}
    assert parcels[world.household.pk].note == "Group buy 蔬菜套餐: 蔬菜套餐A×2、鸡蛋×1"
    assert {p.state for p in parcels.values()} == {Parcel.State.RECEIVED}
    assert gate.parcels_disinfect(actor=staff, compound=world.building.compound) == 2
    with pytest.raises(TransitionLost):
        group_buys.group_buy_arrive(actor=staff, group_buy=buy)
    with pytest.raises(ServiceError, match="arrived"):
        group_buys.order_set(actor=staff, group_buy=buy, household=world.household, items="牛奶", quantity=1)
    assert Parcel.objects.count() == 2


def test_a_cold_chain_group_buys_parcels_go_first_as_cold_chain(world):
    staff = staff_of(world)
    buy = filed(world, actor=staff, cold_chain=True)
    group_buys.order_set(actor=staff, group_buy=buy, household=world.household, items="鲜牛奶1L", quantity=2)
    documented(world, buy)
    group_buys.group_buy_approve(actor=staff, group_buy=buy)

    group_buys.group_buy_arrive(actor=staff, group_buy=buy)

    assert Parcel.objects.get().cold_chain


def approved(world):
    staff = staff_of(world)
    buy = documented(world, filed(world, actor=staff))
    group_buys.group_buy_approve(actor=staff, group_buy=buy)
    return buy


@pytest.mark.django_db(transaction=True)
def test_goods_recorded_while_an_order_is_saved_wait_and_make_its_parcel(world, on_postgres):
    staff = staff_of(world)
    buy = approved(world)

    ordering, arriving, blocked = first_then(
        lambda: group_buys.order_set(actor=staff, group_buy=buy, household=world.household, items="牛奶", quantity=1),
        lambda: group_buys.group_buy_arrive(actor=staff, group_buy=buy),
    )

    assert blocked, "the arrival did not wait for the order"
    assert (ordering.error, arriving.error) == (None, None)
    assert arriving.result == 1
    assert Parcel.objects.get().note.endswith("牛奶×1")


@pytest.mark.django_db(transaction=True)
def test_an_order_saved_while_the_goods_are_recorded_waits_and_is_refused(world, on_postgres):
    staff = staff_of(world)
    buy = approved(world)

    arriving, ordering, blocked = first_then(
        lambda: group_buys.group_buy_arrive(actor=staff, group_buy=buy),
        lambda: group_buys.order_set(actor=staff, group_buy=buy, household=world.household, items="牛奶", quantity=1),
    )

    assert blocked, "the order did not wait for the arrival"
    assert isinstance(ordering.error, ServiceError)
    assert "arrived" in ordering.error.message
    assert GroupBuyOrder.objects.count() == 0


def test_goods_not_approved_do_not_arrive(world):
    buy = filed(world)

    with pytest.raises(TransitionLost):
        group_buys.group_buy_arrive(actor=staff_of(world), group_buy=buy)
    assert not Parcel.objects.exists()


def test_each_account_lists_the_group_buys_it_filed_or_runs(world):
    mine = filed(world)
    other_leader = world.users[Role.VOLUNTEER]

    assert list(group_buy_selectors.group_buys_of(world.users[Role.BUILDING_LEADER])) == [mine]
    assert list(group_buy_selectors.group_buys_of(staff_of(world))) == [mine]
    assert list(group_buy_selectors.group_buys_of(other_leader)) == []
    assert list(group_buy_selectors.group_buys_of(world.users[Role.STREET_ADMIN])) == [mine]
