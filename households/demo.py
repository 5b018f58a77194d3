"""A demo community modelled on the figures in DESIGN.md, deterministic for a given seed.

Also used by the tests and the benchmark to build bigger streets: `build_street` writes in bulk.
"""

import datetime
import random
from collections import Counter
from dataclasses import dataclass

from django.db import transaction

from lockdown.core.identity import id_check_char

from .models import (
    Building,
    Change,
    Community,
    Compound,
    Household,
    Presence,
    Relation,
    Resident,
    ResidentTag,
    Street,
    Tag,
    Zone,
)
from .services import is_80_plus, name_initials

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥建国建华志强文斌"
    "海燕凤英淑珍丽华桂兰美玲国强德明宝珍宏伟晓东佳怡子涵浩然梓萱欣怡宇轩思远雨桐"
)
CONDITIONS = [
    ("高血压", "氨氯地平"),
    ("糖尿病", "二甲双胍"),
    ("冠心病", "阿司匹林"),
    ("慢阻肺", "噻托溴铵"),
    ("尿毒症", "透析"),
]
REGION = "310105"  # a Shanghai district code; the demo is modelled on Shanghai's 2022 lockdown


@dataclass(frozen=True)
class StreetPlan:
    communities: int = 1
    compounds_per_community: int = 2
    buildings_per_compound: int = 10
    zones_per_compound: int = 3
    units_per_building: int = 3
    floors: int = 6
    rooms_per_floor: int = 3
    residents_per_household: float = 2.55


def _id_number(issued, birth, sex):
    """A valid ID number; `issued` counts people per birth date and sex, so up to 500 are unique."""
    n = issued[birth, sex]
    issued[birth, sex] += 1
    parity = "13579" if sex == "M" else "02468"
    first17 = f"{REGION}{birth:%Y%m%d}{n // 5:02d}{parity[n % 5]}"
    return first17 + id_check_char(first17)


def _person(rng, today, age_bias):
    age = int(min(99, max(0, rng.gauss(45 + age_bias, 22))))
    birth = today - datetime.timedelta(days=age * 365 + rng.randrange(365))
    sex = rng.choice("MF")
    return birth, sex


def _tags_for(rng, age, alone):
    tags = []
    if age >= 60 and rng.random() < 0.35:
        condition, medicine = rng.choice(CONDITIONS)
        tags.append(ResidentTag(tag=Tag.CHRONIC, condition=condition, medicine=medicine))
    if alone and age >= 65:
        tags.append(ResidentTag(tag=Tag.ALONE))
    if age < 2:
        tags.append(ResidentTag(tag=Tag.INFANT))
    if 22 <= age <= 38 and rng.random() < 0.03:
        tags.append(ResidentTag(tag=Tag.PREGNANT))
    if age >= 75 and rng.random() < 0.12:
        tags.append(ResidentTag(tag=Tag.DISABLED, note="卧床"))
        tags.append(ResidentTag(tag=Tag.DOOR_SERVICE))
    if rng.random() < 0.01:
        tags.append(ResidentTag(tag=Tag.HARDSHIP))
    return tags


@transaction.atomic
def build_street(*, name="新华路街道", plan=StreetPlan(), seed=2022, today=None):
    """Create a street with its communities, compounds, zones, buildings, households and residents."""
    rng = random.Random(seed)
    today = today or datetime.date(2022, 4, 1)
    street = Street.objects.create(name=name)
    issued = Counter()
    for c in range(plan.communities):
        community = Community.objects.create(street=street, name=f"{name[:3]}第{c + 1}居民区", phone="021-62800000")
        for k in range(plan.compounds_per_community):
            compound = Compound.objects.create(
                community=community, name=f"{'梅兰竹菊松柏桂枫'[k % 8]}苑{c + 1}-{k + 1}"
            )
            zones = [
                Zone.objects.create(compound=compound, name=f"第{z + 1}块区") for z in range(plan.zones_per_compound)
            ]
            buildings = Building.objects.bulk_create(
                Building(
                    compound=compound,
                    community=community,
                    zone=zones[b * len(zones) // plan.buildings_per_compound],
                    number=str(b + 1),
                    sort_key=b + 1,
                )
                for b in range(plan.buildings_per_compound)
            )
            households = Household.objects.bulk_create(
                Household(building=building, community=community, unit=str(u + 1), room=f"{f + 1}0{r + 1}")
                for building in buildings
                for u in range(plan.units_per_building)
                for f in range(plan.floors)
                for r in range(plan.rooms_per_floor)
            )
            residents, tags = [], []
            for household in households:
                alone = rng.random() < 0.06
                size = 1 if alone else max(1, min(6, round(rng.gauss(plan.residents_per_household + 0.2, 1.1))))
                for i in range(size):
                    birth, sex = _person(rng, today, 25 if alone else 0)
                    age = (today - birth).days // 365
                    resident = Resident(
                        household=household,
                        community=community,
                        building_id=household.building_id,
                        name=rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                        sex=sex,
                        id_number=_id_number(issued, birth, sex),
                        birth_date=birth,
                        phone=f"1{rng.choice('35789')}{rng.randrange(10**9):09d}" if 12 <= age <= 85 else "",
                        relation=Relation.HEAD if i == 0 else rng.choice([Relation.SPOUSE, Relation.CHILD]),
                        presence=Presence.AWAY if rng.random() < 0.08 else Presence.HOME,
                        party_member=rng.random() < 0.06,
                    )
                    resident.name_initials = name_initials(resident.name)
                    resident.id_last4 = resident.id_number[-4:]
                    resident.phone_last4 = resident.phone[-4:]
                    residents.append(resident)
                    person_tags = _tags_for(rng, age, alone)
                    if is_80_plus(birth, today):
                        person_tags.append(ResidentTag(tag=Tag.AGED_80))
                    tags.append(person_tags)
            Resident.objects.bulk_create(residents, batch_size=2000)
            tag_rows = []
            for resident, person_tags in zip(residents, tags, strict=True):
                for tag in person_tags:
                    tag.resident, tag.community, tag.building_id = resident, community, resident.building_id
                    tag_rows.append(tag)
            ResidentTag.objects.bulk_create(tag_rows, batch_size=2000)
            Change.objects.bulk_create(
                (Change(community=community, household=h, action=Change.Action.CREATED) for h in households),
                batch_size=2000,
            )
    return street
