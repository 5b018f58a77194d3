"""The demo community's supplies, as its first compound has them at midday: the morning wave
delivered (one parcel sent back), the afternoon's ready parcels loaded for sorting, a tray on hold
and a few just received; one building controlled, its parcels on its shelf; a vegetable group buy
approved with its orders; last night's 爱心菜 mostly delivered; three donations. Everything goes
through the services the gate, the staff and the volunteers use."""

import datetime
import random

from django.core.files.base import ContentFile
from django.utils import timezone, translation

from households.models import ControlLevel, Household, Role, RoleAssignment

from . import deliveries, distributions, gate, group_buys, waves
from .models import Donation, GroupBuyDocument, Parcel

Kind = GroupBuyDocument.Kind

NOTES = ["顺丰 尾号2231", "京东 尾号0918", "鸡蛋 已重新包装", "中通 尾号5520", "", "", "", "", "叮咚买菜"]


def load_parcels(community, staff) -> int:
    """Returns how many parcels were recorded (none when the demo has them already)."""
    if Parcel.objects.filter(community=community).exists():
        return 0
    rng = random.Random(16)
    compound = community.compounds.order_by("name").first()
    buildings = list(compound.buildings.order_by("sort_key", "number"))
    shelf_building = buildings[2]
    shelf_building.control_level = ControlLevel.CONTROLLED
    shelf_building.save(update_fields=["control_level"])
    for position, building in enumerate(buildings, 1):
        place = "一楼大堂快递架" if building == shelf_building else ""
        waves.building_delivery_set(
            actor=staff, building=building, destination="", shelf_place=place, route_position=position
        )
    households = list(Household.objects.filter(building__in=buildings[:6]).order_by("pk"))
    now = timezone.now()
    morning = _received(staff, rng.sample(households, 40), rng)
    gate.parcels_disinfect(actor=staff, compound=compound)
    _hold_over(compound)
    wave = waves.wave_plan(actor=staff, compound=compound, name="上午", starts_at=earlier_today(now, hours=3))
    waves.wave_load(actor=staff, wave=wave)
    waves.wave_dispatch(actor=staff, wave=wave)
    back = morning[0]
    deliveries.parcel_return(actor=staff, parcel=back, reason="家中无人")
    for building in buildings[:6]:
        carrier = _volunteer_of(building) or staff
        deliveries.parcels_hand_over(actor=carrier, wave=wave, building=building)
    afternoon = _received(staff, rng.sample(households, 30), rng)
    gate.parcels_disinfect(actor=staff, compound=compound)
    _hold_over(compound)
    later = waves.wave_plan(actor=staff, compound=compound, name="下午", starts_at=now + datetime.timedelta(hours=2))
    waves.wave_load(actor=staff, wave=later)
    held = _received(staff, rng.sample(households, 12), rng)
    gate.parcels_disinfect(actor=staff, compound=compound)
    fresh = _received(staff, rng.sample(households, 5), rng)
    _group_buy(compound, buildings[:2], staff)
    _distribution_and_donations(community, compound, staff)
    return len(morning) + len(afternoon) + len(held) + len(fresh)


def earlier_today(now: datetime.datetime, *, hours: int) -> datetime.datetime:
    """`hours` before `now`, but not before today's midnight: a wave goes out today, and the demo may
    be loaded just after midnight."""
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(now - datetime.timedelta(hours=hours), midnight)


def _group_buy(compound, buildings, staff):
    """A vegetable group buy filed by staff for two buildings, documented, approved, with orders."""
    buy = group_buys.group_buy_file(
        actor=staff,
        compound=compound,
        goods="蔬菜套餐",
        supplier="江桥批发市场 绿源蔬菜",
        leader_name="陈阿姨",
        leader_phone="13800000003",
        expected_at=timezone.now() + datetime.timedelta(hours=20),
        buildings=buildings,
    )
    sampled = timezone.now() - datetime.timedelta(hours=6)
    for kind, person in [
        (Kind.GUARANTEE, ""),
        (Kind.TRANSPORT_PASS, ""),
        (Kind.DRIVER_TEST, "王师傅"),
        (Kind.LOADER_TEST, "赵师傅"),
    ]:
        with translation.override("en"):  # the PDF's own font writes no Chinese
            line = f"Demo: {Kind(kind).label}"
        document = ContentFile(_demo_pdf(line), name=f"{kind}.pdf")
        group_buys.document_add(actor=staff, group_buy=buy, kind=kind, dated_at=sampled, file=document, person=person)
    group_buys.group_buy_approve(actor=staff, group_buy=buy)
    for n, household in enumerate(Household.objects.filter(building__in=buildings).order_by("pk")[:24]):
        group_buys.order_set(actor=staff, group_buy=buy, household=household, items="蔬菜套餐A", quantity=1 + n % 2)


def _demo_pdf(line: str) -> bytes:
    """A one-page PDF that reads `line` (ASCII), so a demo document opens in any viewer."""
    text = f"BT /F1 24 Tf 60 700 Td ({line}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(pdf)


def _distribution_and_donations(community, compound, staff):
    """Last night's 爱心菜, mostly delivered; the donations that paid for the suits and the fruit."""
    handout = distributions.distribution_create(actor=staff, compound=compound, name="爱心菜", share="一袋")
    for building in compound.buildings.order_by("sort_key")[:8]:
        distributions.shares_deliver(actor=staff, distribution=handout, building=building)
    today = timezone.localdate()
    for donor, kind, extra in [
        ("鲜果园水果公司", Donation.Kind.GOODS, {"goods": "水果500份", "distribution": handout}),
        ("康乐养老院", Donation.Kind.GOODS, {"goods": "牛奶200箱、饮用水100箱"}),
        ("居民自发募捐", Donation.Kind.MONEY, {"amount": "30000", "purpose": "归还志愿者垫付的防护服款"}),
    ]:
        distributions.donation_record(
            actor=staff, community=community, donor=donor, kind=kind, received_on=today, **extra
        )


def _hold_over(compound):
    """The demo's morning: the hold of the parcels disinfected is over (as if two hours had passed)."""
    gate.parcels_release(compound=compound, now=timezone.now() + gate.hold_of(compound))


def _received(staff, households, rng):
    return [
        gate.parcel_receive(
            actor=staff,
            household=household,
            medicine=rng.random() < 0.08,
            cold_chain=rng.random() < 0.1,
            fragile=rng.random() < 0.1,
            note=rng.choice(NOTES),
        )
        for household in households
    ]


def _volunteer_of(building):
    cover = RoleAssignment.objects.filter(role=Role.VOLUNTEER, building=building).select_related("user").first()
    return cover.user if cover else None
