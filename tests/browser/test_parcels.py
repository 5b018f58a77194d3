"""A morning's parcels, walked through the pages: at the gate, on a 360 px phone, staff record 30
parcels by the room typed on each (medicine and cold chain marked), and mark the tray disinfected;
no wave takes them while they are held; once the hold is over, staff plan the morning wave on the
desk, load and sort it (medicine, cold chain and the care list first in each building), print the
labels and send it out; the building's volunteer finds the run on their phone's task list, hands
one parcel over at the door, sends one back to the gate with its reason, and all the rest at once."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from households.models import Tag
from supplies.models import Parcel, Wave
from tests.households.factories import HouseholdFactory, ResidentFactory, ResidentTagFactory
from tests.volunteers.factories import approved_volunteer
from volunteers.models import Task

from .conftest import (
    assert_fits_the_phone,
    assert_no_small_tap_targets,
    gap_between,
    log_in,
    path_of,
    small_tap_targets,
)

pytestmark = pytest.mark.browser
State = Parcel.State


def rooms(world):
    """30 parcels' rooms: 20 in building 12 (one on the care list), 10 in building 13."""
    for n in range(20):
        HouseholdFactory(building=world.building, unit="5", room=str(101 + n))
    for n in range(10):
        HouseholdFactory(building=world.other_building, unit="6", room=str(201 + n))
    elder = ResidentFactory(household=world.building.households.get(unit="5", room="120"), name="赵桂英")
    ResidentTagFactory(resident=elder, tag=Tag.AGED_80)
    return [f"12-5-{101 + n}" for n in range(20)] + [f"13-6-{201 + n}" for n in range(10)]


def test_thirty_parcels_from_the_gate_to_the_doors(world, open_page, screenshot):
    typed = rooms(world)
    volunteer = approved_volunteer(world.building, name="刘志愿", user__username="liu")
    small = {}

    def look(phone):
        assert_fits_the_phone(phone)
        small.setdefault(path_of(phone), []).extend(small_tap_targets(phone))

    # 1. At the gate, on a phone: 30 parcels recorded by the room typed, two marked to go first
    gate = open_page("phone")
    gate.goto("/")
    log_in(gate, "staff")
    gate.goto(reverse("supplies:gates"))
    look(gate)  # every gate's counts and buttons, on the phone too
    gate.goto(reverse("supplies:gate", args=[world.building.compound.pk]))
    for n, room in enumerate(typed):
        gate.get_by_label("房号").fill(room)
        if n == 4:
            gate.locator("label.flag-toggle", has_text="药品").click()
        if n == 7:
            gate.locator("label.flag-toggle", has_text="冷链").click()
        gate.get_by_role("button", name="登记", exact=True).click()
        expect(gate.get_by_text(f"已登记：{room}。")).to_be_visible()
    look(gate)
    screenshot(gate, "parcel-gate.png")
    assert Parcel.objects.filter(state=State.RECEIVED).count() == 30
    gate.get_by_label("房号").fill("12-9-999")
    gate.get_by_role("button", name="登记", exact=True).click()
    expect(gate.get_by_text("本居民区没有房号12-9-999。")).to_be_visible()

    gate.get_by_role("button", name="消杀完成：30件").click()
    assert "30件快递标为已消杀" in gate.asked[-1]
    expect(gate.get_by_text("已消杀30件快递")).to_be_visible()

    # 2. On the desk: a wave takes nothing while the parcels are held
    desk = open_page("desktop")
    desk.goto("/")
    log_in(desk, "staff")
    desk.locator(".mainnav").get_by_role("link", name="快递").click()
    desk.get_by_role("link", name="波次与分拣").click()
    morning = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    desk.get_by_label("波次").fill("上午")
    desk.get_by_label("出发时间").fill(f"{morning:%Y-%m-%dT%H:%M}")
    desk.get_by_role("button", name="安排", exact=True).click()
    expect(desk.get_by_role("button", name="装入0件可配送快递")).to_be_disabled()

    # 3. The hold is over (two hours on, as the gate's clock would have it): load, sort, print, send
    Parcel.objects.update(hold_until=timezone.now() - datetime.timedelta(minutes=1))
    desk.reload()
    desk.get_by_role("button", name="装入30件可配送快递").click()
    expect(desk.get_by_text("已装入30件快递待分拣。")).to_be_visible()
    first_rooms = desk.locator(".sorting-parcels tbody tr .parcel-room").all_inner_texts()
    assert first_rooms[:3] == ["12-5-105", "12-5-108", "12-5-120"]  # medicine, cold chain, the care list
    expect(desk.locator(".sorting-buildings li").first).to_contain_text("刘志愿")
    screenshot(desk, "parcel-sorting.png")
    with desk.expect_popup() as printed:
        desk.get_by_role("link", name="标签", exact=True).click()
    labels = printed.value
    expect(labels.locator(".label")).to_have_count(20)
    expect(labels.locator(".label").first).to_contain_text("12-5-105")
    labels.close()
    desk.get_by_role("button", name="出发配送").click()
    expect(desk.get_by_text("30件快递开始配送")).to_be_visible()

    # 4. The volunteer's phone: the run on the task list, one at the door, one back, the rest at once
    phone = open_page("phone")
    phone.goto("/")
    log_in(phone, "liu")
    task = phone.locator(".task", has_text="12号楼快递20件")
    expect(task).to_contain_text("3件优先")
    task.get_by_role("link", name="打开并登记").click()
    expect(phone.get_by_role("heading", name="12号楼")).to_contain_text("还有20件待交付")
    look(phone)
    screenshot(phone, "parcel-run.png")
    take, hand_all = (
        phone.get_by_role("button", name="接下这趟配送"),
        phone.get_by_role("button", name="全部交付：20件"),
    )
    assert gap_between(take, hand_all) >= 8  # a gloved finger hits one, not both
    assert gap_between(hand_all, phone.locator(".parcel-list.run .parcel").first) >= 8
    phone.locator("#parcel-" + str(first_parcel(world, "105"))).get_by_role("button", name="已送到门口").click()
    expect(phone.get_by_text("已交付1件快递。")).to_be_visible()
    back = phone.locator("#parcel-" + str(first_parcel(world, "110")))
    back.locator("summary", has_text="退回门岗").click()
    look(phone)  # the reasons opened fit the card
    back.get_by_role("button", name="敲门无人应答").click()
    expect(phone.get_by_text("12-5-110的快递退回门岗。")).to_be_visible()
    assert "退回门岗：12-5-110，敲门无人应答？" in phone.asked  # one tap too many in a glove asks first
    phone.get_by_role("button", name="全部交付：18件").click()
    expect(phone.get_by_text("已交付18件快递。")).to_be_visible()
    look(phone)

    run = Parcel.objects.filter(building=world.building)
    assert sorted(run.values_list("state", flat=True)) == [State.DELIVERED] * 19 + [State.RETURNED]
    assert run.get(household__room="110").return_reason == "敲门无人应答"
    assert set(run.exclude(state=State.RETURNED).values_list("carried_by", flat=True)) == {volunteer.user_id}
    assert Task.objects.get(building=world.building).state == Task.State.DONE
    assert Wave.objects.get().state == Wave.State.OUT  # building 13's run is still out
    assert_no_small_tap_targets(small)


def first_parcel(world, room):
    return Parcel.objects.get(building=world.building, household__room=room).pk


def test_a_group_buy_from_its_filing_to_parcels_at_the_gate(world, open_page, screenshot, tmp_path):
    HouseholdFactory(building=world.building, unit="8", room="801")
    pdf = tmp_path / "证明.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% a scanned page\n")
    orders = tmp_path / "快团团订单.csv"
    orders.write_text(
        "收货人,详细地址,商品,数量\n张三,金杨新村12号楼3单元501室,蔬菜套餐,2\n李四,12-8-801,蔬菜套餐,1\n", "utf-8"
    )
    small = {}

    def look(phone):
        assert_fits_the_phone(phone)
        small.setdefault(path_of(phone), []).extend(small_tap_targets(phone))

    # 1. The building leader files it on the phone, with its four documents
    phone = open_page("phone")
    phone.goto("/")
    log_in(phone, "leader")
    phone.get_by_role("link", name="团购", exact=True).click()
    phone.get_by_role("link", name="为金杨新村报备团购").click()
    phone.get_by_label("商品", exact=True).fill("蔬菜套餐")
    phone.get_by_label("供货方").fill("江桥批发市场")
    phone.get_by_label(re.compile(r"^团长[:：]?$")).fill("陈阿姨")
    phone.get_by_label("团长手机").fill("139 1111 2222")
    arrival = timezone.localtime() + datetime.timedelta(hours=20)
    phone.get_by_label("预计到门岗时间").fill(f"{arrival:%Y-%m-%dT%H:%M}")
    phone.get_by_label("12号楼").check()
    look(phone)
    phone.get_by_role("button", name="提交报备").click()
    expect(phone.get_by_text("已报备。")).to_be_visible()
    expect(phone.locator(".warning")).to_contain_text("缺少供货保障证明。")
    sampled = timezone.localtime() - datetime.timedelta(hours=6)
    for kind, person in [
        ("供货保障证明", ""),
        ("车辆通行证", ""),
        ("司机核酸阴性证明", "王师傅"),
        ("装卸工核酸阴性证明", "赵师傅"),
    ]:
        phone.get_by_label(re.compile(r"^材料[:：]?$")).select_option(label=kind)
        phone.get_by_label("姓名").fill(person)
        phone.get_by_label(re.compile(r"^时间[:：]?$")).fill(f"{sampled:%Y-%m-%dT%H:%M}")
        phone.get_by_label("照片或PDF").set_input_files(str(pdf))
        phone.get_by_role("button", name="上传材料").click()
        expect(phone.get_by_text("材料已上传。")).to_be_visible()
    expect(phone.get_by_text("材料齐全且在有效期内。")).to_be_visible()
    look(phone)

    # 2. Staff approve it on the desk and import the platform's orders
    desk = open_page("desktop")
    desk.goto("/")
    log_in(desk, "staff")
    desk.locator(".mainnav").get_by_role("link", name="团购").click()
    desk.get_by_role("link", name="蔬菜套餐").click()
    desk.get_by_role("button", name="通过", exact=True).click()
    expect(desk.get_by_text("已通过：可以发团。")).to_be_visible()
    desk.get_by_label("团购平台导出的订单（.xlsx或.csv）").set_input_files(str(orders))
    desk.get_by_role("button", name="导入订单").click()
    expect(desk.get_by_text("已导入2户的2项订单。")).to_be_visible()

    # 3. The leader adds one more order by room; the totals for unloading follow
    phone.reload()
    phone.get_by_label("房号").fill("12-3-501")
    phone.get_by_label(re.compile(r"^商品[:：]?$")).fill("鸡蛋")
    phone.get_by_label("数量").fill("1")
    phone.get_by_role("button", name="保存订单").click()
    expect(phone.get_by_text("12-3-501：已保存。")).to_be_visible()
    expect(phone.locator(".totals")).to_contain_text("蔬菜套餐")
    look(phone)
    screenshot(phone, "group-buy.png")

    # 4. The goods reach the gate: one parcel per household, waiting for disinfection
    desk.reload()
    desk.get_by_role("button", name="货物已到门岗").click()
    expect(desk.get_by_text("已在门岗登记2件")).to_be_visible()
    desk.goto(reverse("supplies:gate", args=[world.building.compound.pk]))
    expect(desk.locator(".stat", has_text="待消杀")).to_contain_text("2")
    notes = sorted(Parcel.objects.values_list("note", flat=True))
    assert notes == ["团购蔬菜套餐：蔬菜套餐×1", "团购蔬菜套餐：蔬菜套餐×2、鸡蛋×1"]
    assert_no_small_tap_targets(small)


def test_a_second_tap_while_the_first_is_on_its_way_records_nothing_more(world, open_page):
    gate = open_page("phone")
    gate.goto("/")
    log_in(gate, "staff")
    gate.goto(reverse("supplies:gate", args=[world.building.compound.pk]))
    slow = gate.context.new_cdp_session(gate)  # a phone on a weak signal: each answer takes a second
    slow.send("Network.enable")
    slow.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 1000, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    posts = []
    gate.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)

    gate.get_by_label("房号").fill("12-3-501")
    box = gate.get_by_role("button", name="登记", exact=True).bounding_box()
    with gate.expect_request(lambda request: request.method == "POST"):
        gate.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    gate.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the answer is on its way
    expect(gate.get_by_text("已登记：12-3-501。")).to_be_visible(timeout=15000)

    assert len(posts) == 1
    assert Parcel.objects.count() == 1
