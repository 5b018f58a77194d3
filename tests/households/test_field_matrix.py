"""What each role reads, field by field, walked over every page, the API and every export.

One resident whose every field has a value found nowhere else; for each role, every place that
shows residents is read as text, and each field's value must appear exactly as the role reads it:
never a fuller form (the full number where it reads the masked one, the birth date where it reads
the month, anything at all where it reads nothing), and that form itself where the place shows the
field (so that a page showing nothing cannot pass).
"""

import datetime
import io
import json

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from households.campaigns import exports as campaign_exports
from households.models import Change, Household, Recipient, Relation, Resident, ResidentTag, Role, Tag
from households.scoping import Access, field_access
from households.services import history_value
from households.spreadsheets import exports, tables
from lockdown.core.identity import mask_id_number, mask_phone

from .factories import CampaignFactory, ResidentTagFactory, valid_id_number

pytestmark = pytest.mark.django_db

ROLES = [Role.STREET_ADMIN, Role.COMMITTEE_STAFF, Role.ZONE_LEADER, Role.BUILDING_LEADER, Role.VOLUNTEER]
EDITORS, LEADERS = (Role.STREET_ADMIN, Role.COMMITTEE_STAFF), (Role.ZONE_LEADER, Role.BUILDING_LEADER)

BIRTH = datetime.date(1961, 7, 23)
ID_NUMBER = valid_id_number(4243, birth=BIRTH, sex="F")
PHONE = "13987654321"
DUE = datetime.date(2031, 11, 29)
EXPECTED_BACK = datetime.datetime(2031, 3, 17, 21, 43, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))

# The spec, written out rather than read from scoping.FIELDS: field → role → how the role reads it.
# "reveal" is masked on pages and in the API, in full in the role's tables.
FULL, MONTH, MASKED, NONE = "full", "month", "masked", None


def by_role(editors, leaders, volunteers):
    return {**dict.fromkeys(EDITORS, editors), **dict.fromkeys(LEADERS, leaders), Role.VOLUNTEER: volunteers}


READS = {
    "name": by_role(FULL, FULL, FULL),
    "expected_at": by_role(FULL, FULL, FULL),  # a campaign's outcome: volunteers help to reach people
    "id_number": by_role("reveal", MASKED, NONE),
    "phone": by_role("reveal", "reveal", NONE),
    "birth_date": by_role(FULL, MONTH, NONE),
    **dict.fromkeys(
        ("sex", "relation", "party_member", "age", "notes", "household_notes", "history"), by_role(FULL, FULL, NONE)
    ),
    **dict.fromkeys(("condition", "medicine", "tag_note", "due_date"), by_role(FULL, FULL, NONE)),
}
# Where each of them is declared in scoping.FIELDS.
DECLARED = {
    "tag_note": (ResidentTag, "note"),
    "condition": (ResidentTag, "condition"),
    "medicine": (ResidentTag, "medicine"),
    "due_date": (ResidentTag, "due_date"),
    "household_notes": (Household, "notes"),
    "history": (Household, "history"),
    "expected_at": (Recipient, "expected_at"),
}
RANK = {NONE: 0, MONTH: 1, MASKED: 1, FULL: 2}

# Each field's value as text, by how much of it is read; fields without a value of their own
# (sex, relation, party membership, age) are looked up by where each channel writes them (WORDS).
FORMS = {
    "name": {FULL: "欧阳明珠"},
    "id_number": {FULL: ID_NUMBER, MASKED: mask_id_number(ID_NUMBER)},
    "phone": {FULL: PHONE, MASKED: mask_phone(PHONE)},
    "birth_date": {FULL: "1961-07-23", MONTH: "1961-07"},
    "notes": {FULL: "居民备注每周二透析"},
    "household_notes": {FULL: "户备注门口放轮椅"},
    "history": {FULL: "历史里的旧备注"},
    "condition": {FULL: "特发性肺纤维化"},
    "medicine": {FULL: "吡非尼酮胶囊"},
    "tag_note": {FULL: "标签备注每月十五复诊"},
    "due_date": {FULL: "2031-11-29"},
    "expected_at": {FULL: "03-17 21:43"},
}
AGE = timezone.localdate().year - 1961 - (timezone.localdate() < timezone.localdate().replace(month=7, day=23))
# For the fields FORMS cannot find: a word on the pages (English, as the tests read them), a key
# of the API's resident, a column of the exports, each with the value read.
WORDS = {
    "sex": ("Female", "sex", "F", "性别", "女"),
    "relation": ("Spouse", "relation", "spouse", "与户主关系", "配偶"),
    "party_member": ("Party member", "party_member", True, "政治面貌", "党员"),
    "age": (None, None, None, "年龄", AGE),
}

# What each place shows, at most (a list shows the month of a birth date).
PAGES = {
    "household": {*FORMS, *WORDS} - {"expected_at", "age"},
    "building": {"name", "tag_note"},  # the tag's note as its tooltip
    "search": {"name", "sex", "phone", "birth_date"},
    "key population": {"name", "sex", "phone", "birth_date"},
    "campaign": {"name", "phone", "expected_at"},
    "call list": {"name", "phone", "expected_at"},
}
LIST_PAGES = {"search", "key population"}
API = {"name", "id_number", "phone", "birth_date", "sex", "relation", "party_member"}
API |= {"condition", "medicine", "tag_note", "due_date"}
EXPORTS = {
    "households": {"name", "id_number", "phone", "birth_date", "sex", "relation", "party_member", "notes"}
    | {"condition", "due_date"},  # in the tag words: 慢性病（…）、孕妇（…）
    "key_population": {"name", "phone", "sex", "age", "condition", "medicine", "tag_note", "due_date"},
    "roster": {"name", "phone", "sex", "age", "condition", "due_date"},
    "campaign": {"name", "phone", "expected_at"},
}


@pytest.fixture
def marked(world):
    """The world's resident of building 12 (which every role of the world sees) with a value of its
    own in every field, tags with details, a history, and a campaign that reached her."""
    resident = world.resident
    values = {"name": "欧阳明珠", "id_number": ID_NUMBER, "birth_date": BIRTH, "sex": "F", "phone": PHONE}
    values |= {"relation": Relation.SPOUSE, "party_member": True, "notes": FORMS["notes"][FULL]}
    values |= {"id_last4": ID_NUMBER[-4:], "phone_last4": PHONE[-4:], "name_initials": "oymz"}
    Resident.objects.filter(pk=resident.pk).update(**values)
    Household.objects.filter(pk=world.household.pk).update(notes=FORMS["household_notes"][FULL])
    ResidentTagFactory(
        resident=resident,
        tag=Tag.CHRONIC,
        condition=FORMS["condition"][FULL],
        medicine=FORMS["medicine"][FULL],
        note=FORMS["tag_note"][FULL],
    )
    ResidentTagFactory(resident=resident, tag=Tag.PREGNANT, due_date=DUE)
    staff = world.users[Role.COMMITTEE_STAFF]
    Change.objects.create(
        community=world.community,
        household=world.household,
        resident=resident,
        actor=staff,
        action=Change.Action.UPDATED,
        changes={"notes": [FORMS["history"][FULL], FORMS["notes"][FULL]]},
    )
    # A change of the birth date and of the phone, written as the services write them (a leader
    # reads the history, and in it the birth date's month only).
    Change.objects.create(
        community=world.community,
        household=world.household,
        resident=resident,
        actor=staff,
        action=Change.Action.UPDATED,
        changes={"birth_date": ["", history_value("birth_date", BIRTH)], "phone": ["", history_value("phone", PHONE)]},
    )
    world.campaign = CampaignFactory(community=world.community, sent_at=timezone.now(), sent_by=staff)
    Recipient.objects.create(
        campaign=world.campaign,
        resident=resident,
        building=world.building,
        call_reason=Recipient.CallReason.DAILY_CAP,
        outcome=Recipient.Outcome.CONFIRMED,
        expected_at=EXPECTED_BACK,
    )
    resident.refresh_from_db()
    return world


def shown(field, role, channel):
    """How the field reads in a channel ("page", "api", "export") for the role."""
    read = READS[field][role]
    if read == "reveal":
        return FULL if channel == "export" else MASKED
    return read


def assert_reads(role, channel, texts, shows, cap=None):
    """No form of a field fuller than the role reads anywhere in `texts` (place → text), and the
    form it reads in each place that shows the field (`shows`: place → fields)."""
    everything = "\n".join(texts.values())
    for field, forms in FORMS.items():
        read = shown(field, role, channel)
        leaked = [form for level, form in forms.items() if RANK[level] > RANK[read] and form in everything]
        assert leaked == [], (role, channel, field)
        for place, text in texts.items():
            level = MONTH if read == FULL and cap and place in cap.get(field, ()) else read
            if field in shows[place] and level is not NONE:
                assert forms[level] in text, (role, channel, place, field)


def test_the_declared_table_is_the_one_this_test_walks():
    meant = {FULL: Access.FULL, MONTH: Access.MONTH, MASKED: Access.MASKED, "reveal": Access.REVEAL, NONE: Access.NONE}
    for field, roles in READS.items():
        model, name = DECLARED.get(field, (Resident, field))
        assert {role: field_access(role, name, model) for role in ROLES} == {
            role: meant[read] for role, read in roles.items()
        }, field


@pytest.mark.parametrize("role", ROLES)
def test_pages_show_each_field_only_as_the_role_reads_it(client, marked, role):
    resident = marked.resident
    client.force_login(marked.users[role])
    urls = {
        "household": reverse("households:detail", args=[resident.household_id]),
        "building": reverse("households:building", args=[resident.building_id]),
        "search": reverse("households:search") + "?q=欧阳",
        "key population": reverse("households:key_population") + f"?tag={Tag.CHRONIC}",
        "campaign": reverse("campaigns:detail", args=[marked.campaign.pk]) + "?show=all",
        "call list": reverse("campaigns:calls", args=[marked.campaign.pk]),
    }
    texts = {}
    for place, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (role, place)
        texts[place] = response.content.decode()

    assert_reads(role, "page", texts, PAGES, cap={"birth_date": LIST_PAGES})
    for field, (word, *_others) in WORDS.items():
        if word is not None:
            assert (word in texts["household"]) == (READS[field][role] is not NONE), (role, field)


@pytest.mark.parametrize("role", ROLES)
def test_the_api_gives_each_field_only_as_the_role_reads_it(client, marked, role):
    resident = marked.resident
    client.force_login(marked.users[role])
    detail = client.get(f"/api/residents/{resident.pk}/").json()
    answers = {
        "resident": detail,
        "list": client.get("/api/residents/", {"tag": Tag.CHRONIC}).json(),
        "household": client.get(f"/api/households/{resident.household_id}/").json(),
    }
    texts = {place: json.dumps(answer, ensure_ascii=False) for place, answer in answers.items()}
    texts["browsable"] = client.get(f"/api/residents/{resident.pk}/", {"format": "api"}).content.decode()

    shows = {"resident": API, "list": API, "household": set(), "browsable": set()}
    assert_reads(role, "api", texts, shows)
    for field, (_word, key, value, *_columns) in WORDS.items():
        if key is not None:
            assert detail[key] == (value if READS[field][role] else {"party_member": None}.get(key, "")), (role, field)


def export_cells(kind, fmt, user, campaign):
    """The export's cells as text, and its resident's row by column title (from an .xlsx)."""
    target = io.BytesIO()
    if kind == "campaign":  # written by its background job, read from the job's file
        job = campaign_exports.campaign_export_create(actor=user, campaign=campaign)
        exports.export_job_run(job.pk, write=campaign_exports.campaign_job_write)
        job.refresh_from_db()
        with job.file.open("rb") as file:
            target.write(file.read())
    else:
        tables.export_write(actor=user, kind=kind, fmt=fmt, target=target)
    if fmt == "csv":
        return target.getvalue().decode("utf-8-sig"), {}
    rows = [
        [cell.value for cell in row]
        for sheet in openpyxl.load_workbook(io.BytesIO(target.getvalue())).worksheets
        for row in sheet.iter_rows()
    ]
    header = next(row for row in rows if "姓名" in row)
    found = [dict(zip(header, row, strict=False)) for row in rows if "欧阳明珠" in row]
    text = "\n".join(
        str(value.date() if isinstance(value, datetime.datetime) else value) for row in rows for value in row
    )
    return text, found[0] if found else {}


@pytest.mark.parametrize("role", ROLES)
def test_every_export_holds_each_field_only_as_the_role_reads_it(marked, role, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    user = marked.users[role]
    texts, shows = {}, {}
    for kind, fields in EXPORTS.items():
        for fmt in ("xlsx",) if kind == "campaign" else ("xlsx", "csv"):
            texts[kind, fmt], row = export_cells(kind, fmt, user, marked.campaign)
            shows[kind, fmt] = fields
            if fmt == "xlsx":
                assert row, (role, kind)  # every role's export holds her
            for field, (*_page_and_api, column, value) in WORDS.items():
                if fmt == "xlsx" and column in row:
                    assert row[column] == (value if READS[field][role] else None), (role, kind, field)

    assert_reads(role, "export", texts, shows)
