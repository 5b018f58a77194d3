"""Exports: scoped, masked per role, audited, streamed, and the household table imports again unchanged."""

import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from households.models import AuditEvent, ImportJob, Presence, Role, Tag
from households.spreadsheets import tables
from households.spreadsheets.imports import import_job_create, import_job_preview
from lockdown.core.errors import ServiceError
from tests.households.factories import HouseholdFactory, ResidentFactory, ResidentTagFactory, valid_id_number

HEADER_ROW = 2  # under the title row


@pytest.fixture
def register(world):
    """The world, with a tagged neighbour, a moved-out resident and notes to hide."""
    world.resident.phone, world.resident.notes = "13800000001", "钥匙在邻居家"
    world.resident.save()
    neighbour = ResidentFactory(
        household=world.household, name="赵桂英", id_number=valid_id_number(7, birth=datetime.date(1938, 3, 2), sex="F")
    )
    ResidentTagFactory(resident=neighbour, tag=Tag.AGED_80)
    ResidentTagFactory(resident=neighbour, tag=Tag.CHRONIC, condition="高血压", medicine="氨氯地平")
    ResidentTagFactory(resident=neighbour, tag=Tag.ALONE, note="女儿住浦东")
    ResidentFactory(household=world.household, name="搬走的人", presence=Presence.MOVED_OUT)
    return world


def export(user, kind, fmt="xlsx", building=None):
    target = io.BytesIO()
    rows = tables.export_write(actor=user, kind=kind, fmt=fmt, target=target, building=building)
    target.seek(0)
    return rows, target


def sheet_rows(target, index=0):
    sheet = openpyxl.load_workbook(target).worksheets[index]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def by_name(rows, header_row=HEADER_ROW):
    header = rows[header_row - 1]
    return {row[header.index("姓名")]: dict(zip(header, row, strict=False)) for row in rows[header_row:]}


def test_household_table_for_staff_holds_their_community_with_full_numbers(register):
    staff = register.users[Role.COMMITTEE_STAFF]

    count, target = export(staff, "households")

    rows = sheet_rows(target)
    assert rows[HEADER_ROW - 1] == [column.title for column in tables.HOUSEHOLD_COLUMNS]
    people = by_name(rows)
    assert count == len(people) == 3  # 张三 and 赵桂英 in 12-3-501, 李四 in 13; not the moved-out, not 长宁
    assert people["张三"]["身份证号"] == register.resident.id_number
    assert people["张三"]["联系电话"] == "13800000001"
    assert people["张三"]["备注"] == "钥匙在邻居家"
    assert people["赵桂英"]["重点人群"] == "80岁以上、独居老人、慢性病（高血压）"
    assert (people["张三"]["楼号"], people["张三"]["单元"], people["张三"]["室号"]) == ("12", "3", "501")
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.actor, event.detail) == (staff, {"kind": "households", "format": "xlsx", "rows": 3, "building": None})


def test_leaders_and_volunteers_get_their_building_masked_as_their_role_says(register):
    leader_rows = by_name(sheet_rows(export(register.users[Role.BUILDING_LEADER], "households")[1]))
    volunteer_rows = by_name(sheet_rows(export(register.users[Role.VOLUNTEER], "households")[1]))

    assert set(leader_rows) == set(volunteer_rows) == {"张三", "赵桂英"}
    number = register.resident.id_number
    assert leader_rows["张三"]["身份证号"] == f"{number[:4]}**********{number[-4:]}"
    assert leader_rows["张三"]["联系电话"] == "13800000001"
    assert leader_rows["张三"]["备注"] == "钥匙在邻居家"
    assert volunteer_rows["张三"]["联系电话"] is None
    assert volunteer_rows["张三"]["备注"] is None


# What a volunteer reads of a resident (scoping.Permissions): the room, the name, the tags, presence.
NOT_FOR_VOLUNTEERS = {"性别", "出生日期", "年龄", "身份证号", "联系电话", "与户主关系", "政治面貌", "备注"}
NOT_FOR_VOLUNTEERS |= {"病情", "常用药", "预产期", "说明"}  # the key-population table's details


@pytest.mark.parametrize("kind", ["households", "key_population", "roster"])
def test_a_volunteer_s_exports_hold_rooms_names_tags_and_presence_only(register, kind):
    staff_file = export(register.users[Role.COMMITTEE_STAFF], kind, building=register.building)[1]
    volunteer_file = export(register.users[Role.VOLUNTEER], kind, building=register.building)[1]

    header_row = 3 if kind == "roster" else HEADER_ROW
    staff_rows = by_name(sheet_rows(staff_file), header_row)
    volunteer_rows = by_name(sheet_rows(volunteer_file), header_row)

    assert set(volunteer_rows) == set(staff_rows) == ({"赵桂英"} if kind == "key_population" else {"张三", "赵桂英"})
    for name, row in volunteer_rows.items():
        staff_row = staff_rows[name]
        assert {title for title in NOT_FOR_VOLUNTEERS & set(row) if row[title] is not None} == set(), name
        assert {title for title in NOT_FOR_VOLUNTEERS & set(row) if staff_row[title] is not None} != set(), name
        # the tags without the illness in brackets, which staff read
        assert {t: v for t, v in row.items() if t not in NOT_FOR_VOLUNTEERS} == {
            t: re.sub(r"（[^）]*）", "", v) if t == "重点人群" and v else v
            for t, v in staff_row.items()
            if t not in NOT_FOR_VOLUNTEERS
        }, name


def test_the_household_table_imports_again_without_a_change(register, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    staff = register.users[Role.COMMITTEE_STAFF]
    _count, target = export(staff, "households")

    upload = SimpleUploadedFile("住户信息表.xlsx", target.getvalue())
    job = import_job_create(actor=staff, community=register.community, compound=None, upload=upload)
    import_job_preview(job)
    job.refresh_from_db()

    assert (job.status, job.problems, job.errors) == (ImportJob.Status.PREVIEW, [], [])
    assert job.changes == []
    assert (job.created, job.changed, job.unchanged) == (0, 0, 3)


def test_key_population_table_has_a_row_per_tag_and_details_only_for_roles_that_read_them(register):
    staff_count, staff_file = export(register.users[Role.COMMITTEE_STAFF], "key_population")
    _count, volunteer_file = export(register.users[Role.VOLUNTEER], "key_population")

    staff_rows = sheet_rows(staff_file)[HEADER_ROW:]
    volunteer_rows = sheet_rows(volunteer_file)[HEADER_ROW:]
    assert staff_count == 3
    assert [(row[0], row[5], row[10], row[11], row[13]) for row in staff_rows] == [
        ("80岁以上", "赵桂英", None, None, None),
        ("独居老人", "赵桂英", None, None, "女儿住浦东"),
        ("慢性病", "赵桂英", "高血压", "氨氯地平", None),
    ]
    assert [(row[0], row[10], row[11], row[13]) for row in volunteer_rows] == [
        ("80岁以上", None, None, None),
        ("独居老人", None, None, None),
        ("慢性病", None, None, None),
    ]


def test_roster_has_a_printable_sheet_per_building_with_seven_days_to_tick(register):
    count, target = export(register.users[Role.COMMITTEE_STAFF], "roster")

    workbook = openpyxl.load_workbook(target)
    assert count == 3
    assert workbook.sheetnames == ["金杨新村 12号楼", "金杨新村 13号楼"]
    sheet = workbook["金杨新村 12号楼"]
    header = [cell.value for cell in sheet[3]]
    assert header[:7] == ["单元", "室号", "姓名", "性别", "年龄", "联系电话", "重点人群"]
    assert len(header) == 7 + tables.ROSTER_DAYS
    assert [cell.value for cell in sheet["C"][3:]] == ["张三", "赵桂英"]
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert sheet.print_title_rows == "$1:$3"


def test_one_buildings_roster_as_csv_names_the_building_on_each_row(register):
    count, target = export(register.users[Role.COMMITTEE_STAFF], "roster", "csv", building=register.other_building)

    text = target.getvalue().decode("utf-8")
    lines = text.splitlines()
    assert text.startswith("\ufeff")
    assert lines[0].lstrip("\ufeff").startswith('"小区","楼号","单元","室号","姓名"')
    assert count == 1
    assert lines[1].startswith('"金杨新村","13","1","101","李四"')


def test_an_export_does_not_issue_more_queries_as_the_register_grows(register):
    staff = register.users[Role.COMMITTEE_STAFF]
    with CaptureQueriesContext(connection) as small:
        export(staff, "households")
    for room in range(10):
        ResidentFactory(household=HouseholdFactory(building=register.building, unit="4", room=f"{room + 1}01"))

    with CaptureQueriesContext(connection) as bigger:
        export(staff, "households")

    assert len(bigger) == len(small)


def test_progress_is_told_every_chunk_of_rows(register, monkeypatch):
    monkeypatch.setattr(tables, "CHUNK", 2)
    for number in range(3):
        ResidentFactory(household=register.household, name=f"居民{number}")
    seen = []

    rows = tables.export_write(
        actor=register.users[Role.COMMITTEE_STAFF],
        kind="households",
        fmt="csv",
        target=io.BytesIO(),
        on_progress=lambda written, total: seen.append((written, total)),
    )

    assert rows == 6  # three added to the three current residents of the staff's community
    assert seen == [(0, 6), (2, 6), (4, 6), (6, 6)]


def test_an_account_without_areas_cannot_export(register, django_user_model):
    nobody = django_user_model.objects.create_user(username="nobody", password="x")

    with pytest.raises(ServiceError):
        export(nobody, "households")
    assert not AuditEvent.objects.exists()


def test_text_that_looks_like_a_formula_is_exported_as_text(register):
    register.resident.notes = '=HYPERLINK("http://example.org","点我")'
    register.resident.save()
    staff = register.users[Role.COMMITTEE_STAFF]

    xlsx_rows = sheet_rows(export(staff, "households")[1])
    csv_text = export(staff, "households", "csv")[1].getvalue().decode("utf-8")

    assert by_name(xlsx_rows)["张三"]["备注"] == register.resident.notes
    workbook = openpyxl.load_workbook(export(staff, "households")[1])
    assert all(cell.data_type != "f" for row in workbook.active.iter_rows() for cell in row)
    assert "'=HYPERLINK" in csv_text


def test_in_a_community_of_two_compounds_the_household_table_keeps_the_compound_in_its_column_and_imports_again(
    two_compounds, settings, tmp_path
):
    world = two_compounds
    settings.MEDIA_ROOT = tmp_path
    staff = world.users[Role.COMMITTEE_STAFF]
    _count, target = export(staff, "households")

    people = by_name(sheet_rows(target))
    upload = SimpleUploadedFile("住户信息表.xlsx", target.getvalue())
    job = import_job_create(actor=staff, community=world.community, compound=None, upload=upload)
    import_job_preview(job)
    job.refresh_from_db()

    assert [people[name][column] for name in ("张三", "张小明") for column in ("小区", "楼号", "单元", "室号")] == [
        "金杨新村", "12", "3", "501", "金杨二村", "12", "3", "501"
    ]  # fmt: skip
    assert (job.status, job.errors, job.changes) == (ImportJob.Status.PREVIEW, [], [])
    assert (job.created, job.changed, job.unchanged) == (0, 0, 3)


def test_every_word_an_export_writes_is_a_word_the_import_reads_back(register, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    staff = register.users[Role.COMMITTEE_STAFF]
    for index, presence in enumerate(Presence.values):
        if presence == Presence.MOVED_OUT:
            continue
        resident = ResidentFactory(
            household=HouseholdFactory(building=register.building, unit="1", room=f"10{index}"),
            presence=presence,
            relation=["head", "spouse", "child", "parent"][index % 4],
            notes="其他电话：021-62800000；在住情况：外出（上海）",  # full-width, as the import itself writes notes
        )
        for tag in Tag.values:
            if tag != Tag.AGED_80:
                ResidentTagFactory(
                    resident=resident,
                    tag=tag,
                    condition="痛风" if tag == Tag.CHRONIC else "",
                    due_date=datetime.date(2022, 6, 1) if tag == Tag.PREGNANT else None,
                )
    _count, target = export(staff, "households")

    upload = SimpleUploadedFile("住户信息表.xlsx", target.getvalue())
    job = import_job_create(actor=staff, community=register.community, compound=None, upload=upload)
    import_job_preview(job)
    job.refresh_from_db()

    assert (job.status, job.errors, job.findings["unknown"], job.findings["kept"]) == ("preview", [], [], [])
    assert (job.created, job.changed, job.changes) == (0, 0, [])


# Text an office suite would run as a formula, per leading character and shape (lockdown.core.spreadsheets).
FORMULA_NOTES = [
    "=1+1",
    '=0+HYPERLINK("http://example.org","点我")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\t=1+1",
    "＝1+1",
]


@pytest.mark.parametrize("note", FORMULA_NOTES)
def test_every_export_format_neutralises_a_note_that_starts_like_a_formula(register, note):
    register.resident.notes = note
    register.resident.save()
    staff = register.users[Role.COMMITTEE_STAFF]

    csv_rows = list(csv.reader(io.StringIO(export(staff, "households", "csv")[1].getvalue().decode("utf-8-sig"))))
    workbook = openpyxl.load_workbook(export(staff, "households")[1])

    header = csv_rows[0]
    csv_note = next(row for row in csv_rows if row[header.index("姓名")] == "张三")[header.index("备注")]
    assert csv_note == "'" + note
    cell = next(row for row in workbook.active.iter_rows() if row[4].value == "张三")[HOUSEHOLD_NOTES]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (note, "s", True)


HOUSEHOLD_NOTES = [column.title for column in tables.HOUSEHOLD_COLUMNS].index("备注")


@pytest.mark.parametrize("fmt", tables.FORMATS)
def test_a_household_table_with_formula_like_notes_imports_again_without_a_change(register, settings, tmp_path, fmt):
    """The CSV's apostrophe is taken off again by the import; the workbook's value never had one."""
    settings.MEDIA_ROOT = tmp_path
    register.resident.notes = "=1+1"
    register.resident.save()
    staff = register.users[Role.COMMITTEE_STAFF]
    _count, target = export(staff, "households", fmt)

    upload = SimpleUploadedFile(f"住户信息表.{fmt}", target.getvalue())
    job = import_job_create(actor=staff, community=register.community, compound=None, upload=upload)
    import_job_preview(job)
    job.refresh_from_db()

    assert (job.status, job.problems, job.errors, job.changes) == (ImportJob.Status.PREVIEW, [], [], [])
