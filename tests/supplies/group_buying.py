"""Helpers of the group-buy tests: a group buy filed for the world's compound, its documents."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from households.models import Role
from supplies import group_buys
from supplies.models import GroupBuyDocument

Kind = GroupBuyDocument.Kind
PDF = b"%PDF-1.4\n%test\n"


def a_file(name="doc.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def filed(world, *, actor=None, hours_ahead=24, buildings=None, cold_chain=False):
    return group_buys.group_buy_file(
        cold_chain=cold_chain,
        actor=actor or world.users[Role.BUILDING_LEADER],
        compound=world.building.compound,
        goods="蔬菜套餐",
        supplier="江桥批发市场 李老板",
        leader_name="陈阿姨",
        leader_phone="139 1111 2222",
        expected_at=timezone.now() + datetime.timedelta(hours=hours_ahead),
        buildings=buildings or [world.building],
    )


def add(world, buy, kind, *, hours_before_arrival=10, person="王师傅"):
    return group_buys.document_add(
        actor=buy.filed_by,
        group_buy=buy,
        kind=kind,
        dated_at=min(buy.expected_at - datetime.timedelta(hours=hours_before_arrival), timezone.now()),
        file=a_file(),
        person=person,
    )


def documented(world, buy, *, test_hours=10):
    for kind in (Kind.GUARANTEE, Kind.TRANSPORT_PASS):
        add(world, buy, kind, person="")
    add(world, buy, Kind.DRIVER_TEST, hours_before_arrival=test_hours)
    add(world, buy, Kind.LOADER_TEST, person="赵师傅", hours_before_arrival=test_hours)
    return buy
