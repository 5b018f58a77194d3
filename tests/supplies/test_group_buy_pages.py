"""The group-buy pages: filing, the documents, staff's decision, orders typed and imported, the
arrival; who reaches which."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from households.models import Compound, Role, RoleAssignment
from supplies import group_buy_selectors, group_buys
from supplies.models import GroupBuy, GroupBuyOrder, Parcel
from tests.households.factories import BuildingFactory, HouseholdFactory
from tests.supplies.group_buying import a_file, documented, filed
from tests.supplies.parcels import staff_of

pytestmark = pytest.mark.django_db


def test_a_building_leader_files_a_group_buy_on_its_form(client, world):
    client.force_login(world.users[Role.BUILDING_LEADER])
    url = reverse("supplies:group_buy_file", args=[world.building.compound.pk])
    when = timezone.localtime() + datetime.timedelta(days=1)

    wrong = client.post(url, {"goods": "蔬菜", "supplier": "市场", "leader_name": "陈", "leader_phone": "123"})
    assert "Give the group leader" in wrong.content.decode() or "This field is required." in wrong.content.decode()
    response = client.post(
        url,
        {
            "goods": "蔬菜套餐",
            "supplier": "江桥市场",
            "leader_name": "陈阿姨",
            "leader_phone": "13911112222",
            "expected_at": f"{when:%Y-%m-%dT%H:%M}",
            "buildings": [world.building.pk],
        },
    )

    buy = GroupBuy.objects.get()
    assert response.url == reverse("supplies:group_buy", args=[buy.pk])
    page = html.unescape(client.get(response.url).content.decode())
    assert "Supplier's guarantee certificate is missing." in page


def test_the_leader_adds_a_document_and_staff_approve_or_reject(client, world):
    buy = filed(world)
    client.force_login(buy.filed_by)
    client.post(
        reverse("supplies:group_buy_document", args=[buy.pk]),
        {"kind": "guarantee", "dated_at": f"{timezone.localtime():%Y-%m-%dT%H:%M}", "file": a_file()},
    )
    assert buy.documents.count() == 1
    assert client.post(reverse("supplies:group_buy_approve", args=[buy.pk])).status_code == 302
    assert GroupBuy.objects.get().state == GroupBuy.State.FILED  # a leader does not decide

    client.force_login(staff_of(world))
    refused = client.post(reverse("supplies:group_buy_approve", args=[buy.pk]), follow=True).content.decode()
    assert "It cannot be approved yet" in refused
    client.post(reverse("supplies:group_buy_reject", args=[buy.pk]), {"reason": "缺少通行证"})
    assert GroupBuy.objects.get().reject_reason == "缺少通行证"


def test_a_group_buy_is_seen_by_its_leader_staff_and_the_served_buildings_and_zones_leaders_only(client, world):
    buy = filed(world, actor=staff_of(world))
    url = reverse("supplies:group_buy", args=[buy.pk])

    for role, status in [
        (Role.COMMITTEE_STAFF, 200),
        (Role.STREET_ADMIN, 200),
        (Role.BUILDING_LEADER, 200),
        (Role.ZONE_LEADER, 200),  # of building 12's zone
        (Role.VOLUNTEER, 404),
    ]:
        client.force_login(world.users[role])
        assert client.get(url).status_code == status, role
    assert buy.pk in [b.pk for b in group_buy_selectors.group_buys_of(world.users[Role.ZONE_LEADER])]


def test_a_zone_leader_enters_orders_of_their_zones_buildings_only(client, world):
    buy = filed(world, buildings=[world.building, world.other_building], actor=staff_of(world))
    client.force_login(world.users[Role.ZONE_LEADER])  # of building 12's zone; 13 is another zone's
    url = reverse("supplies:group_buy_order", args=[buy.pk])

    client.post(url, {"room": "12-3-501", "items": "牛奶", "quantity": 1})
    client.post(url, {"room": "13-1-101", "items": "牛奶", "quantity": 1})

    assert list(GroupBuyOrder.objects.values_list("household", flat=True)) == [world.household.pk]


def test_a_building_leader_sees_the_orders_of_their_own_building_only(client, world):
    buy = filed(world, buildings=[world.building, world.other_building], actor=staff_of(world))
    group_buys.order_set(actor=staff_of(world), group_buy=buy, household=world.household, items="牛奶", quantity=1)
    group_buys.order_set(
        actor=staff_of(world), group_buy=buy, household=world.other_household, items="鸡蛋", quantity=2
    )
    client.force_login(world.users[Role.BUILDING_LEADER])  # of building 12

    page = html.unescape(client.get(reverse("supplies:group_buy", args=[buy.pk])).content.decode())

    assert "12-3-501" in page
    assert "牛奶" in page
    assert "13-1-101" not in page
    assert "鸡蛋" not in page
    assert buy.pk in [b.pk for b in group_buy_selectors.group_buys_of(world.users[Role.BUILDING_LEADER])]


def test_a_leader_who_lost_the_role_loses_the_group_buy_they_filed(client, world):
    buy = filed(world)
    leader = world.users[Role.BUILDING_LEADER]
    RoleAssignment.objects.filter(user=leader).delete()
    client.force_login(leader)

    assert client.get(reverse("supplies:group_buy", args=[buy.pk])).status_code == 404
    assert client.post(reverse("supplies:group_buy_refile", args=[buy.pk])).status_code == 404
    assert list(group_buy_selectors.group_buys_of(leader)) == []
    assert not group_buys.may_see(leader, buy)


def test_orders_are_typed_by_room_and_imported_from_a_file(client, world, tmp_path):
    buy = filed(world, actor=staff_of(world))
    client.force_login(staff_of(world))

    client.post(
        reverse("supplies:group_buy_order", args=[buy.pk]), {"room": "12-3-501", "items": "牛奶", "quantity": "2"}
    )
    bad = client.post(
        reverse("supplies:group_buy_order", args=[buy.pk]),
        {"room": "12-3-501", "items": "牛奶", "quantity": "很多"},
        follow=True,
    )
    assert "Enter a whole number." in bad.content.decode()
    path = tmp_path / "orders.csv"
    path.write_text("详细地址,商品,数量\n12-3-501,鸡蛋,1\n12-9-999,鸡蛋,1\n", encoding="utf-8")
    with path.open("rb") as file:
        page = client.post(reverse("supplies:group_buy_import", args=[buy.pk]), {"export": file}, follow=True)

    assert sorted(GroupBuyOrder.objects.values_list("items", "quantity")) == [("牛奶", 2), ("鸡蛋", 1)]
    text = page.content.decode()
    assert "1 order of 1 household imported." in text
    assert "12-9-999 is not a room of the buildings this group buy serves." in text


def test_staff_record_the_goods_at_the_gate_from_the_page(client, world):
    buy = filed(world, actor=staff_of(world))
    client.force_login(staff_of(world))
    client.post(
        reverse("supplies:group_buy_order", args=[buy.pk]), {"room": "12-3-501", "items": "牛奶", "quantity": "2"}
    )
    documented(world, buy)
    client.post(reverse("supplies:group_buy_approve", args=[buy.pk]))

    page = client.post(reverse("supplies:group_buy_arrive", args=[buy.pk]), follow=True).content.decode()

    assert "1 parcel recorded at the gate" in page
    assert Parcel.objects.get().group_buy == buy


def test_the_group_buy_pages_take_as_many_queries_for_50_orders_as_for_5(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.households.factories import HouseholdFactory

    buy = filed(world, actor=staff_of(world))
    client.force_login(staff_of(world))

    def grow(start, count):
        for n in range(start, start + count):
            home = HouseholdFactory(building=world.building, unit="7", room=str(100 + n))
            GroupBuyOrder.objects.create(
                group_buy=buy, household=home, building=world.building, items="牛奶", quantity=1
            )

    def count():
        with CaptureQueriesContext(connection) as queries:
            for url in (reverse("supplies:group_buy", args=[buy.pk]), reverse("supplies:group_buys")):
                assert client.get(url).status_code == 200
        return len(queries)

    grow(0, 5)
    few = count()
    grow(5, 45)
    assert count() == few


def test_a_rejected_group_buy_reads_as_not_approved_in_chinese(client, world, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    buy = filed(world)
    group_buys.group_buy_reject(actor=staff_of(world), group_buy=buy, reason="缺少运输通行证")
    client.force_login(world.users[Role.BUILDING_LEADER])

    page = client.get(reverse("supplies:group_buys")).content.decode()

    assert "未通过" in page
    assert "未导入" not in page  # the register import's "Rejected"


def test_a_document_opens_for_its_leader_and_staff_as_what_its_bytes_are(client, world):
    buy = filed(world)
    document = group_buys.document_add(
        actor=buy.filed_by,
        group_buy=buy,
        kind="guarantee",
        dated_at=timezone.now(),
        file=a_file("page.html", b"\x89PNG\r\n\x1a\n<script>"),
    )
    url = reverse("supplies:group_buy_document_file", args=[document.pk])

    for user, status in [(buy.filed_by, 200), (staff_of(world), 200), (world.users[Role.VOLUNTEER], 404)]:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status, user
    client.force_login(buy.filed_by)
    response = client.get(url)
    assert response["Content-Type"] == "image/png"  # not text/html, whatever its name says
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    page = client.get(reverse("supplies:group_buy", args=[buy.pk])).content.decode()
    assert url in page
    assert page.count('id="id_file"') == 1  # the document's file, apart from the orders' export


def test_a_building_leader_entering_orders_sees_the_documents_listed_but_not_opened_nor_whose(client, world):
    buy = filed(world, actor=staff_of(world))
    document = group_buys.document_add(
        actor=staff_of(world), group_buy=buy, kind="guarantee", dated_at=timezone.now(), file=a_file()
    )
    documented(world, buy)  # the loader's test is 赵师傅's
    client.force_login(world.users[Role.BUILDING_LEADER])
    url = reverse("supplies:group_buy_document_file", args=[document.pk])

    assert client.get(url).status_code == 404
    page = client.get(reverse("supplies:group_buy", args=[buy.pk])).content.decode()
    assert url not in page
    assert "Loader's negative test" in html.unescape(page)
    assert "赵师傅" not in page


def test_an_order_typed_for_a_room_number_another_compound_has_too_is_this_compounds(client, world):
    buy = filed(world, actor=staff_of(world))
    elsewhere = Compound.objects.create(community=world.community, name="梅苑")
    HouseholdFactory(building=BuildingFactory(zone__compound=elsewhere, number="12"), unit="3", room="501")
    client.force_login(staff_of(world))
    url = reverse("supplies:group_buy_order", args=[buy.pk])

    client.post(url, {"room": "12-3-501", "items": "牛奶", "quantity": 1})
    refused = client.post(url, {"room": "13-1-101", "items": "牛奶", "quantity": 1}, follow=True).content.decode()

    assert list(GroupBuyOrder.objects.values_list("household", flat=True)) == [world.household.pk]
    assert "13-1-101 is not a room of the buildings this group buy serves." in html.unescape(refused)


def test_an_order_typed_for_a_room_of_several_households_asks_which_and_saves_the_one_tapped(client, world):
    buy = filed(world, actor=staff_of(world))
    other_unit = HouseholdFactory(building=world.building, unit="4", room="501")
    client.force_login(staff_of(world))
    url = reverse("supplies:group_buy_order", args=[buy.pk])

    asked = client.post(url, {"room": "12-501", "items": "牛奶", "quantity": 2}).content.decode()

    assert not GroupBuyOrder.objects.exists()
    assert f'value="{world.household.pk}"' in asked
    assert f'value="{other_unit.pk}"' in asked
    assert "12-501 may be any of these 2 households" in html.unescape(asked)
    assert 'value="牛奶"' in asked  # what was typed stays typed
    client.post(url, {"room": "12-501", "household": other_unit.pk, "items": "牛奶", "quantity": 2})
    assert list(GroupBuyOrder.objects.values_list("household", flat=True)) == [other_unit.pk]


def test_an_order_set_to_0_is_said_to_be_taken_back(client, world):
    buy = filed(world, actor=staff_of(world))
    client.force_login(staff_of(world))
    url = reverse("supplies:group_buy_order", args=[buy.pk])
    client.post(url, {"room": "12-3-501", "items": "牛奶", "quantity": 2})

    page = client.post(url, {"room": "12-3-501", "items": "牛奶", "quantity": 0}, follow=True).content.decode()

    assert "12-3-501: order taken back." in page
    assert not GroupBuyOrder.objects.exists()
