"""Import jobs against the register: preview, one-transaction commit, re-import, scope, memory."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from households.models import (
    Building,
    Change,
    Compound,
    Household,
    ImportJob,
    ImportMapping,
    Presence,
    Resident,
    ResidentTag,
    Role,
    Tag,
)
from households.spreadsheets import imports, plans, reader, selectors
from households.spreadsheets.imports import import_job_commit, import_job_confirm, import_job_create, import_job_preview
from lockdown.core.errors import ServiceError
from tests.households.factories import ResidentFactory, valid_id_number
from tests.households.sheets import csv_file, xlsx

Status = ImportJob.Status
COLUMNS = ["楼号", "单元", "室号", "姓名", "身份证号", "出生日期", "联系电话", "在住情况", "重点人群"]
IDS = [valid_id_number(100 + i, birth=datetime.date(1950 + i, 1, 2)) for i in range(6)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def register_file(tmp_path, rows=None, name="登记表.xlsx"):
    rows = rows or [
        ["12", "3", "501", "周杰", IDS[0], "", "13800000001", "在住", "高血压"],
        ["12", "3", "501", "李梅", IDS[1], "", "", "外出", ""],
        ["12", "3", "502", "王强", IDS[2], "", "13800000002", "", "独居老人"],
        ["15", "1", "101", "赵敏", "", "1990-05-06", "13800000003", "", ""],
    ]
    return xlsx(tmp_path / name, {"Sheet1": [COLUMNS, *rows]}, title_rows=["金杨居民区住户信息表"])


def upload(path):
    return SimpleUploadedFile(path.name, path.read_bytes())


def previewed(world, path, actor=None, compound=None):
    actor = actor or world.users[Role.COMMITTEE_STAFF]
    compound = compound or world.building.compound
    job = import_job_create(actor=actor, community=world.community, compound=compound, upload=upload(path))
    import_job_preview(job)
    job.refresh_from_db()
    return job


def committed(world, path, actor=None):
    job = previewed(world, path, actor)
    assert job.status == Status.PREVIEW, (job.problems, job.message)
    import_job_confirm(actor=job.created_by, job=job)
    import_job_commit(job)
    job.refresh_from_db()
    return job


def snapshot():
    """Everything an import can touch, to compare before and after."""
    return {
        model.__name__: sorted(model.objects.values_list(*fields))
        for model, fields in [
            (Compound, ["id", "name"]),
            (Building, ["id", "number"]),
            (Household, ["id", "building_id", "unit", "room"]),
            (Resident, ["id", "household_id", "name", "id_number", "phone", "presence", "updated_at"]),
            (ResidentTag, ["id", "resident_id", "tag", "condition"]),
            (Change, ["id"]),
        ]
    }


def test_preview_counts_and_writes_nothing(world, tmp_path):
    before = snapshot()

    job = previewed(world, register_file(tmp_path))

    assert job.status == Status.PREVIEW
    assert (job.created, job.changed, job.unchanged, job.rejected) == (4, 0, 0, 0)
    assert job.new_areas == {  # 12-3-501 exists: two of the rows go into it
        "compound": "金杨新村",
        "existing_households": 1,
        "rows_in_existing": 2,
        "compounds": [],
        "buildings": ["金杨新村 Building 15"],
        "households": 2,
    }
    assert job.lines_read == 6
    assert job.rows_checked == 4
    assert snapshot() == before


def test_commit_writes_households_residents_tags_and_history(world, tmp_path):
    job = committed(world, register_file(tmp_path))

    assert job.status == Status.DONE
    zhou = Resident.objects.get(name="周杰")
    assert (zhou.household.label, zhou.building, zhou.community) == ("12-3-501", world.building, world.community)
    assert (zhou.phone, zhou.phone_last4, zhou.id_last4, zhou.name_initials) == (
        "13800000001",
        "0001",
        IDS[0][-4:],
        "zj",
    )
    assert zhou.birth_date == datetime.date(1950, 1, 2)
    assert zhou.sex == "M"
    assert dict(zhou.tags.values_list("tag", "condition")) == {Tag.CHRONIC: "高血压"}
    assert Resident.objects.get(name="李梅").presence == Presence.AWAY
    zhao = Resident.objects.get(name="赵敏")
    assert (zhao.building.number, zhao.building.compound, zhao.building.sort_key) == ("15", world.building.compound, 15)
    assert zhou.tags.get().building_id == zhou.building_id
    created = Change.objects.filter(import_job=job)
    assert sorted(created.values_list("household__room", "action", "actor", "changes")) == [
        ("101", "created", job.created_by_id, {"residents": [None, "赵敏"]}),
        ("501", "created", job.created_by_id, {"residents": [None, "周杰、李梅"]}),
        ("502", "created", job.created_by_id, {"residents": [None, "王强"]}),
    ]


def test_reimporting_the_same_file_changes_nothing(world, tmp_path):
    path = register_file(tmp_path)
    committed(world, path)
    before = snapshot()

    again = previewed(world, path)

    assert (again.created, again.changed, again.unchanged, again.rejected) == (0, 0, 4, 0)
    import_job_confirm(actor=again.created_by, job=again)
    import_job_commit(again)
    assert snapshot() == before


def test_reimport_updates_phone_without_duplicating(world, tmp_path):
    committed(world, register_file(tmp_path))
    zhou = Resident.objects.get(name="周杰")
    updated = register_file(
        tmp_path,
        [
            ["12", "3", "501", "周杰", IDS[0], "", "13900000009", "在住", "高血压"],
            ["12", "3", "502", "李梅", IDS[1], "", "", "在住", ""],
            ["12", "3", "502", "王强", IDS[2], "", "13800000002", "", "独居老人、糖尿病"],
            ["15", "1", "101", "赵敏", "", "1990-05-06", "13800000003", "", ""],
        ],
        name="登记表-更新.xlsx",
    )

    job = previewed(world, updated)

    assert (job.created, job.changed, job.unchanged) == (0, 3, 1)
    by_name = {change["name"]: change["changes"] for change in job.changes}
    assert by_name["周杰"] == {"phone": ["138****0001", "139****0009"]}
    assert by_name["李梅"] == {"presence": ["away", "home"], "household": ["12-3-501", "12-3-502"]}
    assert by_name["王强"] == {"tag:chronic": [False, True]}
    import_job_confirm(actor=job.created_by, job=job)
    import_job_commit(job)
    assert Resident.objects.count() == 4 + 3  # the world's three residents and the four imported
    zhou.refresh_from_db()
    assert zhou.phone == "13900000009"
    assert zhou.phone_last4 == "0009"
    li = Resident.objects.get(name="李梅")
    assert (li.household.label, li.presence) == ("12-3-502", Presence.HOME)
    wang = Resident.objects.get(name="王强")
    assert dict(wang.tags.values_list("tag", "condition")) == {Tag.ALONE: "", Tag.CHRONIC: "糖尿病"}
    history = Change.objects.filter(import_job=job)
    assert sorted(history.values_list("action", flat=True)) == ["moved_in", "moved_out", "updated", "updated"]
    assert history.get(resident=zhou).changes == {"phone": ["138****0001", "139****0009"]}


def test_a_resident_without_an_id_is_matched_by_household_and_name(world, tmp_path):
    world.resident.id_number = ""
    world.resident.phone = ""
    world.resident.save()
    path = xlsx(
        tmp_path / "a.xlsx", {"S": [["室号", "姓名", "身份证号", "手机"], ["12-3-501", "张三", IDS[4], "13800000005"]]}
    )

    job = previewed(world, path)

    assert (job.created, job.changed) == (0, 1)
    import_job_confirm(actor=job.created_by, job=job)
    import_job_commit(job)
    world.resident.refresh_from_db()
    assert (world.resident.id_number, world.resident.phone) == (IDS[4], "13800000005")


def test_an_error_in_the_middle_of_the_commit_leaves_the_database_exactly_as_it_was(world, tmp_path, monkeypatch):
    committed(world, register_file(tmp_path))
    changed = register_file(
        tmp_path,
        [
            ["12", "3", "501", "周杰", IDS[0], "", "13900000009", "", ""],
            ["16", "1", "101", "新人", IDS[5], "", "", "", "孕妇"],
        ],
        name="b.xlsx",
    )
    job = previewed(world, changed)
    before = snapshot()
    import_job_confirm(actor=job.created_by, job=job)

    def fail_after_residents_are_written(*args, **kwargs):
        assert Resident.objects.filter(name="新人").exists()  # the write really was under way
        raise RuntimeError("disk full")

    monkeypatch.setattr(plans, "_apply_updates", fail_after_residents_are_written)
    with pytest.raises(RuntimeError):
        import_job_commit(job)

    assert snapshot() == before
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert "nothing was written" in job.message


def test_a_register_edit_between_preview_and_confirm_stops_the_write_and_previews_again(world, tmp_path):
    committed(world, register_file(tmp_path))
    changed = register_file(tmp_path, [["12", "3", "501", "周杰", IDS[0], "", "13900000009", "", ""]], name="c.xlsx")
    job = previewed(world, changed)
    import_job_confirm(actor=job.created_by, job=job)
    Resident.objects.filter(name="周杰").update(phone="13700000007", updated_at=datetime.datetime.now(datetime.UTC))
    before = snapshot()

    import_job_commit(job)

    assert snapshot() == before
    job.refresh_from_db()
    assert job.status == Status.PREVIEW
    assert "changed since the preview" in job.message
    assert job.changes[0]["changes"] == {"phone": ["137****0007", "139****0009"]}


def test_confirming_twice_or_running_the_commit_twice_writes_once(world, tmp_path):
    job = previewed(world, register_file(tmp_path))
    import_job_confirm(actor=job.created_by, job=job)
    with pytest.raises(ServiceError):
        import_job_confirm(actor=job.created_by, job=job)

    import_job_commit(job)
    import_job_commit(ImportJob.objects.get(pk=job.pk))

    assert Resident.objects.filter(name="周杰").count() == 1
    assert Change.objects.filter(import_job=job).count() == 3  # one per household


def test_rows_for_areas_outside_the_community_or_registered_elsewhere_are_rejected(world, tmp_path):
    world.far_resident.id_number = IDS[3]
    world.far_resident.save()
    path = xlsx(
        tmp_path / "s.xlsx",
        {
            "S": [
                ["居委", "室号", "姓名", "身份证号"],
                ["长宁居民区", "12-3-501", "王五", ""],
                ["金杨居民区", "12-3-503", "王五", IDS[3]],
                ["金杨居民区", "12-3-504", "孙丽", ""],
            ]
        },
    )

    job = previewed(world, path)

    assert (job.created, job.rejected) == (1, 2)
    first, second = job.errors
    assert "长宁居民区" in first["message"]
    # Staff who do not see 长宁's register are not told it holds the number (see test_id_conflicts).
    assert "cannot be imported here" in second["message"]


def test_only_admins_of_the_community_may_import(world, tmp_path):
    path = register_file(tmp_path)
    for role in (Role.ZONE_LEADER, Role.BUILDING_LEADER, Role.VOLUNTEER):
        with pytest.raises(ServiceError):
            import_job_create(actor=world.users[role], community=world.community, compound=None, upload=upload(path))
    with pytest.raises(ServiceError):
        import_job_create(
            actor=world.users[Role.COMMITTEE_STAFF], community=world.other_community, compound=None, upload=upload(path)
        )
    street_job = previewed(world, path, actor=world.users[Role.STREET_ADMIN])
    assert street_job.status == Status.PREVIEW
    assert ImportJob.objects.count() == 1


def test_a_compound_of_another_community_is_refused(world, tmp_path):
    with pytest.raises(ServiceError, match="compound of this community"):
        import_job_create(
            actor=world.users[Role.STREET_ADMIN],
            community=world.community,
            compound=world.far_building.compound,
            upload=upload(register_file(tmp_path)),
        )


@pytest.mark.parametrize(("compounds", "expected"), [(1, "金杨新村"), (2, "金杨居民区")])
def test_rows_naming_no_compound_go_to_the_only_compound_or_else_one_named_after_the_community(
    world, tmp_path, compounds, expected
):
    if compounds == 2:
        Compound.objects.create(community=world.community, name="金杨二村")
    staff = world.users[Role.COMMITTEE_STAFF]
    job = import_job_create(
        actor=staff, community=world.community, compound=None, upload=upload(register_file(tmp_path))
    )
    import_job_preview(job)
    job.refresh_from_db()
    import_job_confirm(actor=staff, job=job)
    import_job_commit(job)

    assert Resident.objects.get(name="周杰").building.compound.name == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("金杨居民区阳光花园住户信息表", "阳光花园"),
        ("2022年4月阳光花园住户信息表", "阳光花园"),
        ("浦东新区金杨新村住户信息表", "金杨新村"),  # ends with the name of a compound on the register
        ("住户信息表", "金杨新村"),  # names none: the community's only compound
    ],
)
def test_the_compound_a_title_names_is_found_without_the_words_around_it(world, tmp_path, title, expected):
    path = xlsx(tmp_path / "t.xlsx", {"1号楼": [["单元", "室号", "姓名"], ["1", "101", "周杰"]]}, title_rows=[title])

    job = import_job_create(
        actor=world.users[Role.COMMITTEE_STAFF], community=world.community, compound=None, upload=upload(path)
    )
    import_job_preview(job)
    job.refresh_from_db()

    assert job.new_areas["compound"] == expected


def test_the_admins_column_choices_are_remembered_for_the_next_import(world, tmp_path):
    path = xlsx(tmp_path / "m.xlsx", {"S": [["房屋", "住户", "身份证号"], ["12-3-509", "孙丽", ""]]})
    job = previewed(world, path)
    assert job.status == Status.NEEDS_MAPPING

    imports.import_job_set_columns(
        actor=world.users[Role.COMMITTEE_STAFF], job=job, columns={"房屋": "room", "住户": "name"}
    )
    import_job_preview(job)
    job.refresh_from_db()
    next_job = previewed(world, path)

    assert job.status == Status.PREVIEW
    assert job.created == 1
    assert ImportMapping.objects.get(community=world.community).columns == {"房屋": "room", "住户": "name"}
    assert next_job.status == Status.PREVIEW
    assert next_job.created == 1


def test_the_rejected_rows_download_can_be_fixed_and_uploaded_again(world, tmp_path):
    import openpyxl

    mistyped = IDS[0][:-1] + ("1" if IDS[0][-1] != "1" else "2")
    path = register_file(
        tmp_path,
        [["12", "3", "501", "周杰", mistyped, "", "", "", ""], ["12", "3", "502", "李梅", "", "", "", "", ""]],
    )
    job = committed(world, path)
    assert (job.created, job.rejected) == (1, 1)
    fixed_path = tmp_path / "rejected.xlsx"

    count = imports.rejected_rows_write(job, fixed_path)

    assert count == 1
    sheet = openpyxl.load_workbook(fixed_path).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "金杨居民区住户信息表"  # the sheet's title again: it may name the compound
    assert rows[1] == [*COLUMNS, "原工作表", "原行号", "未导入原因"]
    assert rows[2][3] == "周杰"
    assert rows[2][len(COLUMNS) : len(COLUMNS) + 2] == ["Sheet1", 3]  # the row under the title and header
    assert "身份证号" in rows[2][-1]
    assert "check digit is wrong" in rows[2][-1]
    assert sheet.cell(row=3, column=5).number_format == "@"  # an ID number typed in again stays text
    sheet.cell(row=3, column=5, value=IDS[0])
    openpyxl.Workbook.save(sheet.parent, fixed_path)
    again = committed(world, fixed_path)
    assert (again.created, again.rejected) == (1, 0)
    assert Resident.objects.get(name="周杰").id_number == IDS[0]


def test_a_file_that_is_not_a_spreadsheet_fails_with_a_message(world, tmp_path):
    path = tmp_path / "登记表.xlsx"
    path.write_bytes(b"this is not a workbook")

    job = previewed(world, path)

    assert job.status == Status.FAILED
    assert "cannot be read" in job.message


def test_wrong_file_types_are_refused_before_anything_is_kept(world, tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8")

    with pytest.raises(ServiceError, match="xlsx"):
        import_job_create(
            actor=world.users[Role.COMMITTEE_STAFF], community=world.community, compound=None, upload=upload(path)
        )
    assert ImportJob.objects.count() == 0


def test_the_copy_path_and_the_generic_path_write_the_same(world, tmp_path, on_postgres, monkeypatch):
    """COPY on PostgreSQL; bulk_create elsewhere (the embedded SQLite): both give the same register."""
    existing = set(Resident.objects.values_list("pk", flat=True))

    def imported():
        found = Resident.objects.exclude(pk__in=existing)
        return sorted(found.values_list("name", "phone", "household__room", "name_initials", "tags__tag"))

    committed(world, register_file(tmp_path))
    copied = imported()
    Change.objects.filter(import_job__isnull=False).delete()
    Resident.objects.exclude(pk__in=existing).delete()
    monkeypatch.setattr(connection, "vendor", "generic")

    committed(world, register_file(tmp_path, name="again.xlsx"))

    assert imported() == copied
    assert len({row[0] for row in copied}) == 4


def test_rows_written_in_several_chunks_and_reads_land_whole_with_their_tags(world, tmp_path, on_postgres, monkeypatch):
    monkeypatch.setattr("households.spreadsheets.plans.CHUNK", 3)
    monkeypatch.setattr("lockdown.core.bulk.ROWS_PER_READ", 2)
    born = datetime.date(1938, 5, 1)
    rows = [[f"居民{n}", "", "13-1-" + str(101 + n // 2), "80岁以上" if n == 4 else ""] for n in range(7)]
    rows[4][1] = valid_id_number(90, birth=born)
    path = xlsx(tmp_path / "many.xlsx", {"Sheet1": [["姓名", "身份证号", "房号", "重点人群"], *rows]})

    committed(world, path)

    imported = Resident.objects.filter(name__startswith="居民")
    assert sorted(imported.values_list("name", flat=True)) == [f"居民{n}" for n in range(7)]
    assert list(imported.filter(tags__tag=Tag.AGED_80).values_list("name", flat=True)) == ["居民4"]
    assert imported.values("household").distinct().count() == 4
    assert len(set(imported.values_list("pk", flat=True))) == 7


def test_an_import_leaves_the_residents_it_does_not_name_untouched(world, tmp_path):
    untouched = ResidentFactory(household=world.other_household, name="钱立民")
    before = Resident.objects.filter(pk=untouched.pk).values().get()

    committed(world, register_file(tmp_path))

    assert Resident.objects.filter(pk=untouched.pk).values().get() == before


def test_words_not_understood_are_listed_and_the_meanings_given_are_remembered_for_the_next_import(world, tmp_path):
    path = register_file(
        tmp_path,
        [
            ["12", "3", "501", "周杰", IDS[0], "", "", "常住外地", "痛风"],
            ["12", "3", "502", "李梅", IDS[1], "", "", "常住外地", ""],
        ],
    )
    job = previewed(world, path)
    assert job.findings["unknown"] == [
        {"field": "presence", "column": "在住情况", "phrase": "常住外地", "rows": 2},
        {"field": "tags", "column": "重点人群", "phrase": "痛风", "rows": 1},
    ]
    assert job.created == 2

    imports.import_job_set_choices(
        actor=job.created_by,
        job=job,
        words={"presence": {"常住外地": "away"}, "tags": {"痛风": "chronic"}},
        keep={},
        without_rounded_ids=False,
    )
    import_job_preview(job)
    job.refresh_from_db()
    assert job.findings["unknown"] == []
    import_job_confirm(actor=job.created_by, job=job)
    import_job_commit(job)

    zhou = Resident.objects.get(name="周杰")
    assert (zhou.presence, zhou.notes) == (Presence.AWAY, "")
    assert list(zhou.tags.values_list("tag", "condition")) == [(Tag.CHRONIC, "痛风")]
    assert ImportMapping.objects.get(community=world.community).words == {
        "presence": {"常住外地": "away"},
        "tags": {"痛风": "chronic"},
    }
    later = previewed(
        world, register_file(tmp_path, [["12", "3", "503", "王强", "", "", "", "常住外地", ""]], "b.xlsx")
    )
    assert (later.words["presence"], later.findings["unknown"]) == ({"常住外地": "away"}, [])


def test_an_unknown_word_is_kept_in_the_notes_and_a_meaning_unknown_to_the_register_is_refused(world, tmp_path):
    job = committed(world, register_file(tmp_path, [["12", "3", "501", "周杰", IDS[0], "", "", "常住外地", ""]]))
    assert Resident.objects.get(name="周杰").notes == "在住情况：常住外地"
    job = previewed(world, register_file(tmp_path, [["12", "3", "502", "李梅", "", "", "", "回老家", ""]], "b.xlsx"))
    before = snapshot()

    with pytest.raises(ServiceError, match="Unknown meaning"):
        imports.import_job_set_choices(
            actor=job.created_by, job=job, words={"presence": {"回老家": "gone"}}, keep={}, without_rounded_ids=False
        )

    assert snapshot() == before
    assert ImportJob.objects.get(pk=job.pk).words == {}


def test_rows_of_the_same_person_go_in_only_once_the_admin_keeps_one(world, tmp_path):
    path = register_file(
        tmp_path,
        [
            ["12", "3", "501", "周杰", IDS[0], "", "13800000001", "", ""],
            ["12", "3", "502", "周杰", IDS[0], "", "", "", ""],
        ],
    )
    job = previewed(world, path)
    (duplicate,) = job.findings["duplicates"]
    assert (job.created, job.rejected, job.findings["held"]) == (0, 0, 2)

    imports.import_job_set_choices(
        actor=job.created_by, job=job, words={}, keep={duplicate["key"]: 0}, without_rounded_ids=False
    )
    import_job_preview(job)
    job.refresh_from_db()
    import_job_confirm(actor=job.created_by, job=job)
    import_job_commit(job)

    (zhou,) = Resident.objects.filter(name="周杰")
    assert (zhou.household.room, zhou.phone) == ("501", "13800000001")


def test_two_rows_matching_one_resident_of_the_register_are_one_duplicate(world, tmp_path):
    committed(world, register_file(tmp_path, [["12", "3", "501", "周杰", IDS[0], "", "", "", ""]]))
    path = register_file(
        tmp_path,
        [["12", "3", "501", "周杰", "", "", "13800000001", "", ""], ["12", "3", "502", "周杰", IDS[0], "", "", "", ""]],
        "b.xlsx",
    )

    job = previewed(world, path)

    (duplicate,) = job.findings["duplicates"]
    assert duplicate["why"] == ["resident"]
    assert [row["line"] for row in duplicate["rows"]] == [3, 4]
    assert (job.created, job.changed, job.unchanged, job.rejected) == (0, 0, 0, 0)


def test_rows_naming_no_compound_go_into_the_compound_the_files_title_names(world, tmp_path):
    path = xlsx(
        tmp_path / "t.xlsx",
        {"1号楼": [["单元", "室号", "姓名"], ["1", "101", "周杰"]]},
        title_rows=["阳光花园住户信息表（2022年4月）"],
    )
    job = import_job_create(
        actor=world.users[Role.COMMITTEE_STAFF], community=world.community, compound=None, upload=upload(path)
    )
    import_job_preview(job)
    job.refresh_from_db()

    assert (job.findings["compound_named"], job.new_areas["compounds"]) == ("阳光花园", ["阳光花园"])
    import_job_confirm(actor=job.created_by, job=job)
    import_job_commit(job)
    assert Resident.objects.get(name="周杰").household.building.compound.name == "阳光花园"


def test_the_admin_names_the_compound_or_picks_one_and_sees_how_many_rows_match(world, tmp_path):
    path = xlsx(tmp_path / "t.xlsx", {"12号楼": [["单元", "室号", "姓名"], ["3", "501", "周杰"], ["3", "502", "李梅"]]})
    staff = world.users[Role.COMMITTEE_STAFF]
    job = import_job_create(
        actor=staff, community=world.community, compound=None, upload=upload(path), compound_name=" 新 小区 "
    )
    import_job_preview(job)
    job.refresh_from_db()
    assert (job.compound_name, job.new_areas["compounds"], job.new_areas["rows_in_existing"]) == (
        "新小区",
        ["新小区"],
        0,
    )

    imports.import_job_set_choices(
        actor=staff, job=job, words={}, keep={}, without_rounded_ids=False, compound=world.building.compound
    )
    import_job_preview(job)
    job.refresh_from_db()

    assert (job.compound_id, job.compound_name) == (world.building.compound.pk, "")
    assert (job.new_areas["compounds"], job.new_areas["existing_households"], job.new_areas["rows_in_existing"]) == (
        [],
        1,
        1,
    )
    with pytest.raises(ServiceError, match="compound of this community"):
        imports.import_job_set_choices(
            actor=staff, job=job, words={}, keep={}, without_rounded_ids=False, compound=world.far_building.compound
        )


def test_a_move_to_the_same_room_in_another_compound_says_which_compound_in_words(world, tmp_path):
    ResidentFactory(household=world.household, name="周杰", id_number=IDS[0])
    path = xlsx(tmp_path / "m.xlsx", {"12号楼": [["单元", "室号", "姓名", "身份证号"], ["3", "501", "周杰", IDS[0]]]})
    job = import_job_create(
        actor=world.users[Role.COMMITTEE_STAFF],
        community=world.community,
        compound=None,
        upload=upload(path),
        compound_name="二村",
    )
    import_job_preview(job)
    job.refresh_from_db()

    (change,) = job.changes
    assert change["room"] == "二村 12-3-501"
    assert change["changes"]["household"] == ["金杨新村 12-3-501", "二村 12-3-501"]
    (lines,) = [c["lines"] for c in selectors.import_changes(job, limit=10)]
    assert [str(label) for label, _before, _after in lines] == ["household"]


def test_a_tag_cell_of_words_not_understood_leaves_the_residents_tags_as_they_are(world, tmp_path):
    committed(world, register_file(tmp_path, [["12", "3", "501", "周杰", IDS[0], "", "", "", "独居老人、高血压"]]))

    job = previewed(world, register_file(tmp_path, [["12", "3", "501", "周杰", IDS[0], "", "", "", "空巢"]], "b.xlsx"))

    (change,) = job.changes
    assert change["changes"] == {"notes": ["", "重点人群：空巢"]}


def test_a_usual_heading_read_otherwise_is_this_files_choice_only(world, tmp_path):
    path = xlsx(tmp_path / "m.xlsx", {"S": [["房屋", "性别"], ["12-3-509", "孙丽"]]})
    job = previewed(world, path)

    imports.import_job_set_columns(actor=job.created_by, job=job, columns={"房屋": "room", "性别": "name"})

    assert ImportJob.objects.get(pk=job.pk).columns == {"房屋": "room", "性别": "name"}
    assert ImportMapping.objects.get(community=world.community).columns == {"房屋": "room"}


def test_what_the_import_keeps_in_the_notes_is_added_to_a_residents_notes_never_replacing_them(world, tmp_path):
    ResidentFactory(household=world.household, name="周杰", id_number=IDS[0], notes="坐轮椅，需上门送药")
    path = xlsx(
        tmp_path / "n.xlsx", {"12号楼": [["单元", "室号", "姓名", "在住情况"], ["3", "501", "周杰", "在单位宿舍"]]}
    )

    job = previewed(world, path)
    import_job_confirm(actor=job.created_by, job=job)
    import_job_commit(job)
    again = previewed(world, path)

    assert Resident.objects.get(name="周杰").notes == "坐轮椅，需上门送药；在住情况：在单位宿舍"
    assert (again.changed, again.unchanged) == (0, 1)


def test_the_rejected_rows_workbook_writes_a_rounded_id_by_its_certain_digits_only(world, tmp_path):
    job = committed(world, register_file(tmp_path, [["12", "3", "501", "周杰", float(IDS[0]), "", "", "", ""]]))
    target = tmp_path / "rejected.xlsx"

    imports.rejected_rows_write(job, target)

    import openpyxl

    written = openpyxl.load_workbook(target).active.cell(row=3, column=5).value
    assert written.endswith("…")
    assert IDS[0].startswith(written[:-1])
    assert len(written[:-1]) < 16  # never a whole 18-digit number, that a re-upload would take for true


def test_the_rejected_rows_workbook_neutralises_formulas_and_drops_control_characters_of_the_file(world, tmp_path):
    """A hostile CSV's rejected row comes back as text: no formula, and no character an .xlsx cannot hold."""
    rows = [COLUMNS, ["12", "3", "501", "=1+1\x01", "1234", "", "-2+3+cmd|' /C calc'!A0", "", ""]]
    job = committed(world, csv_file(tmp_path / "登记表.csv", rows))
    target = tmp_path / "rejected.xlsx"

    count = imports.rejected_rows_write(job, target)

    import openpyxl

    row = next(openpyxl.load_workbook(target).active.iter_rows(min_row=2, max_row=2))
    assert count == 1
    assert [(cell.value, cell.data_type, bool(cell.quotePrefix)) for cell in (row[3], row[6])] == [
        ("=1+1", "s", True),
        ("-2+3+cmd|' /C calc'!A0", "s", True),
    ]


def test_who_is_80_plus_is_judged_by_the_day_the_import_reads_the_file(world, tmp_path):
    """Every step of an import (the reading, the comparison, the writes) judges 80+ by one day: the
    reading's, here a day in 2022, not the day the test runs."""
    read_on = datetime.date(2022, 4, 1)
    turns_80_in_june = valid_id_number(301, birth=datetime.date(1942, 6, 1))
    turned_80_in_march = valid_id_number(302, birth=datetime.date(1942, 3, 1))
    known = ResidentFactory(
        household=world.household, name="钱七", id_number=valid_id_number(303, datetime.date(1942, 5, 1))
    )
    path = register_file(
        tmp_path,
        [
            ["12", "3", "502", "孙八", turns_80_in_june, "", "", "", "独居老人"],
            ["12", "3", "502", "吴九", turned_80_in_march, "", "", "", "独居老人"],
            ["12", "3", "501", "钱七", known.id_number, "", "", "", "独居老人"],
        ],
    )
    job = import_job_create(
        actor=world.users[Role.COMMITTEE_STAFF],
        community=world.community,
        compound=world.building.compound,
        upload=upload(path),
    )

    reading = reader.read_register(path, community_name=world.community.name, today=read_on)
    plan = plans.plan_import(job, reading)
    plans.write_plan(job, plan)

    tags = {r.name: set(r.tags.values_list("tag", flat=True)) for r in Resident.objects.filter(tags__isnull=False)}
    assert tags == {"孙八": {Tag.ALONE}, "吴九": {Tag.ALONE, Tag.AGED_80}, "钱七": {Tag.ALONE}}


def test_a_new_residents_values_are_in_the_order_of_the_insert():
    row = reader.ImportRow(
        sheet="Sheet1",
        line=2,
        compound="",
        building="12",
        unit="3",
        room="501",
        name="周杰",
        sex="M",
        document_type="id",
        id_number=IDS[0],
        birth_date=datetime.date(1950, 1, 2),
        phone="13800000001",
        relation="head",
        presence="away",
        party_member=True,
        notes="腿脚不便",
    )
    now = datetime.datetime(2022, 4, 1, 8, tzinfo=datetime.UTC)

    values = dict(zip(plans.RESIDENT_INSERT, plans._resident_values(row, 1, 2, 3, now), strict=True))

    assert values == {
        "household_id": 2,
        "community_id": 1,
        "building_id": 3,
        **{name: getattr(row, name) for name in reader.RESIDENT_IMPORT_FIELDS},
        "name_initials": "zj",
        "id_last4": IDS[0][-4:],
        "phone_last4": "0001",
        "created_at": now,
        "updated_at": now,
    }
