"""A demo community shaped like a real one (ages, key-population shares, people away drawn per
resident), deterministic for a given seed.

Also used by the tests and the benchmark to build bigger streets: `build_street` writes in bulk.
"""

import datetime
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

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
from .residents import is_80_plus, search_fields

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

# The committee's spreadsheet of the demo community, written by `manage.py demo_spreadsheet`.
DEMO_SHEET = Path(__file__).resolve().parent / "fixtures" / "demo-register.xlsx"


@dataclass(frozen=True)
class StreetPlan:
    communities: int = 1
    compounds_per_community: int = 2
    buildings_per_compound: int = 12  # so that the README's searches (12-3-501, 12-501) find someone
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


def _tags_for(rng, age, sex, alone):
    tags = []
    if age >= 60 and rng.random() < 0.35:
        condition, medicine = rng.choice(CONDITIONS)
        tags.append(ResidentTag(tag=Tag.CHRONIC, condition=condition, medicine=medicine))
    if alone and age >= 65:
        tags.append(ResidentTag(tag=Tag.ALONE))
    if age < 2:
        tags.append(ResidentTag(tag=Tag.INFANT))
    if sex == "F" and 20 <= age <= 42 and rng.random() < 0.035:
        tags.append(ResidentTag(tag=Tag.PREGNANT))
    # Disability grows with age, and the oldest may be bedridden.
    draw = rng.random()
    bedridden = age >= 75 and draw < 0.08
    disabled = bedridden or draw < (0.05 if age >= 60 else 0.015 if age >= 16 else 0.005)
    if disabled:
        tags.append(ResidentTag(tag=Tag.DISABLED, note="卧床" if bedridden else ""))
    # Door-to-door service: nearly everyone bedridden, some of the disabled, the very old living alone.
    if rng.random() < _door_service_odds(age, bedridden, disabled, alone):
        tags.append(ResidentTag(tag=Tag.DOOR_SERVICE))
    if rng.random() < 0.01:
        tags.append(ResidentTag(tag=Tag.HARDSHIP))
    return tags


def _door_service_odds(age, bedridden, disabled, alone):
    if bedridden:
        return 0.9
    if disabled:
        return 0.3 if age >= 70 else 0.1
    if alone:
        return 0.6 if age >= 85 else 0.25 if age >= 80 else 0
    return 0.05 if age >= 90 else 0


@dataclass(frozen=True)
class DemoHousehold:
    compound: int  # index within the community
    building: int  # number, from 1
    unit: str
    room: str
    residents: list  # unsaved Residents (no household yet), each with `demo_tags`: unsaved ResidentTags


def generate_households(rng, plan, today, issued=None):
    """The households of one community and their people, deterministic for the generator's seed.

    `issued` counts the ID numbers given out; share one across the communities of a street."""
    issued = Counter() if issued is None else issued
    for k in range(plan.compounds_per_community):
        for b in range(plan.buildings_per_compound):
            for u in range(plan.units_per_building):
                for f in range(plan.floors):
                    for r in range(plan.rooms_per_floor):
                        yield DemoHousehold(k, b + 1, str(u + 1), f"{f + 1}0{r + 1}", _people(rng, plan, today, issued))


def _people(rng, plan, today, issued):
    alone = rng.random() < 0.06
    size = 1 if alone else max(1, min(6, round(rng.gauss(plan.residents_per_household + 0.2, 1.1))))
    people = []
    for i in range(size):
        birth, sex = _person(rng, today, 25 if alone else 0)
        age = (today - birth).days // 365
        resident = Resident(
            name=rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
            sex=sex,
            id_number=_id_number(issued, birth, sex),
            birth_date=birth,
            phone=f"1{rng.choice('35789')}{rng.randrange(10**9):09d}" if 12 <= age <= 85 else "",
            relation=Relation.HEAD if i == 0 else rng.choice([Relation.SPOUSE, Relation.CHILD]),
            presence=Presence.AWAY if rng.random() < 0.08 else Presence.HOME,
            party_member=rng.random() < 0.06,
        )
        resident.demo_tags = _tags_for(rng, age, sex, alone)
        if is_80_plus(birth, today):
            resident.demo_tags.append(ResidentTag(tag=Tag.AGED_80))
        people.append(resident)
    return people


def compound_name(c, k):
    return f"{'梅兰竹菊松柏桂枫'[k % 8]}苑{c + 1}-{k + 1}"


@transaction.atomic
def build_street(*, name="新华路街道", plan=StreetPlan(), seed=2022, today=None):
    """Create a street with its communities, compounds, zones, buildings, households and residents.

    Written with the ORM in bulk, for the tests and the page benchmarks; the demo itself goes through
    the spreadsheet import (households/management/commands/demo_spreadsheet.py).
    """
    rng = random.Random(seed)
    today = today or datetime.date(2022, 4, 1)
    street = Street.objects.create(name=name)
    issued = Counter()  # ID numbers are unique across the street
    for c in range(plan.communities):
        community = Community.objects.create(street=street, name=f"{name[:3]}第{c + 1}居民区", phone="021-62800000")
        buildings = {}
        for k in range(plan.compounds_per_community):
            compound = Compound.objects.create(community=community, name=compound_name(c, k))
            zones = [
                Zone.objects.create(compound=compound, name=f"第{z + 1}块区") for z in range(plan.zones_per_compound)
            ]
            for b, building in enumerate(
                Building.objects.bulk_create(
                    Building(
                        compound=compound,
                        community=community,
                        zone=zones[b * len(zones) // plan.buildings_per_compound],
                        number=str(b + 1),
                        sort_key=b + 1,
                    )
                    for b in range(plan.buildings_per_compound)
                )
            ):
                buildings[k, b + 1] = building
        demo = list(generate_households(rng, plan, today, issued))
        households = Household.objects.bulk_create(
            Household(building=buildings[d.compound, d.building], community=community, unit=d.unit, room=d.room)
            for d in demo
        )
        residents = []
        for household, d in zip(households, demo, strict=True):
            for resident in d.residents:
                resident.household, resident.community, resident.building_id = (
                    household,
                    community,
                    household.building_id,
                )
                derived = search_fields(name=resident.name, id_number=resident.id_number, phone=resident.phone)
                for field_name, value in derived.items():
                    setattr(resident, field_name, value)
                residents.append(resident)
        Resident.objects.bulk_create(residents, batch_size=2000)
        tag_rows = []
        for resident in residents:
            for tag in resident.demo_tags:
                tag.resident, tag.community, tag.building_id = resident, community, resident.building_id
                tag_rows.append(tag)
        ResidentTag.objects.bulk_create(tag_rows, batch_size=2000)
        Change.objects.bulk_create(
            (Change(community=community, household=h, action=Change.Action.CREATED) for h in households),
            batch_size=2000,
        )
    return street


# The demo as the committee's spreadsheet ---------------------------------------------------------------

DEMO_COMPOUNDS = ("梅苑", "兰苑")
SHEET_COLUMNS = [
    ("小区", 8),
    ("单元", 6),
    ("室号", 8),
    ("姓名", 10),
    ("性别", 6),
    ("身份证号", 22),
    ("出生日期", 14),
    ("联系电话", 26),
    ("与户主关系", 10),
    ("在住情况", 10),
    ("重点人群", 18),
    ("政治面貌", 8),
    ("备注", 16),
]
RELATION_WORDS = {Relation.HEAD: "户主", Relation.SPOUSE: "配偶", Relation.CHILD: "子女"}
PRESENCE_WORDS = {Presence.HOME: "在住", Presence.AWAY: "外出"}
TAG_WORDS = {
    Tag.ALONE: "独居老人",
    Tag.PREGNANT: "孕妇",
    Tag.INFANT: "婴儿",
    Tag.DISABLED: "残疾",  # or 卧床, the tag's note
    Tag.DOOR_SERVICE: "上门服务",
    Tag.HARDSHIP: "低保户",
}
FULLWIDTH_DIGITS = str.maketrans("0123456789-", "０１２３４５６７８９－")


def write_demo_workbook(
    path, *, plan=StreetPlan(), seed=2022, today=None, community="新华路第1居民区", bad_rows=0, new_phone_every=0
):
    """The community as its committee would hand it over: one sheet per building, under a title row,
    typed by many hands (dates and rooms written several ways, a second phone in the cell, full-width
    digits). `bad_rows` rows carry a mistake the import must reject; every `new_phone_every`-th
    resident has a new mobile number (an updated file). Returns the number of residents."""
    from lockdown.core.spreadsheets import Column, SheetSpec, write_table

    rng = random.Random(seed)
    today = today or datetime.date(2022, 4, 1)
    by_building = defaultdict(list)
    for household in generate_households(rng, plan, today):
        by_building[household.compound, household.building].append(household)
    count = 0

    def sheets():
        nonlocal count
        for (k, number), households in by_building.items():
            compound = DEMO_COMPOUNDS[k] if k < len(DEMO_COMPOUNDS) else f"{k + 1}号小区"
            rows = []
            for household in households:
                for resident in household.residents:
                    count += 1
                    if new_phone_every and count % new_phone_every == 0:
                        resident.phone = f"199{count:08d}"
                    rows.append(_sheet_row(rng, compound, household, resident))
            columns = [Column(title, width) for title, width in SHEET_COLUMNS]
            titles = (f"{community} 住户信息表（{today:%Y年%m月}）",)
            yield SheetSpec(f"{compound}{number}号楼", columns, rows, titles)

    write_table(sheets(), path)
    if bad_rows:
        _spoil(path, bad_rows)
    return count


def _sheet_row(rng, compound, household, resident):
    # The same draws for every row, so that an updated file differs only where it was changed.
    room_style, birth_style, second_phone, landline = rng.random(), rng.randrange(4), rng.random(), rng.randrange(10**7)
    room = f"{household.unit}-{household.room}"
    if room_style < 0.05:
        room = room.translate(FULLWIDTH_DIGITS)
    elif room_style < 0.10:
        room = f"{household.unit}单元{household.room}室"
    birth = resident.birth_date
    written_birth = [birth, birth, f"{birth.year}年{birth.month}月{birth.day}日", f"{birth:%Y.%m.%d}"][birth_style]
    phone = resident.phone
    if phone and second_phone < 0.04:
        phone = f"{phone} / 021-{landline + 10**7}"
    words = []
    for tag in resident.demo_tags:
        if tag.tag == Tag.CHRONIC:
            words.append(tag.condition)
        elif tag.tag == Tag.DISABLED and tag.note:
            words.append(tag.note)
        elif tag.tag in TAG_WORDS:
            words.append(TAG_WORDS[tag.tag])
    return [
        compound,
        household.unit,
        room,
        resident.name,
        "男" if resident.sex == "M" else "女",
        resident.id_number,
        written_birth,
        phone,
        RELATION_WORDS[resident.relation],
        PRESENCE_WORDS[resident.presence],
        "、".join(words),
        "党员" if resident.party_member else "群众",
        "",
    ]


def _spoil(path, count):
    """Put the two most common mistakes into the first sheet: an ID number Excel rounded, a short phone."""
    import openpyxl

    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    for i in range(count):
        row = 3 + i * 2
        if i % 2 == 0:
            sheet.cell(row=row, column=6, value=float(sheet.cell(row=row, column=6).value))
        else:
            sheet.cell(row=row, column=8, value="1380013800")
    workbook.save(path)
