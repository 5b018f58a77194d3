"""Reading committees' spreadsheets: every kind of messy input, without a database."""

import datetime

import pytest

from households.models import DocumentType, Presence, Relation, Tag
from households.spreadsheets.reader import Choices, read_register
from households.words import TagDetail
from lockdown.core.identity import id_check_char
from tests.households.factories import valid_id_number
from tests.households.sheets import HEADER, csv_file, xls, xlsx

TODAY = datetime.date(2022, 4, 1)
BORN = datetime.date(1945, 3, 2)
ID = valid_id_number(1, birth=BORN, sex="M")  # 18 digits, born 1945-03-02


def read(path, **kwargs):
    return read_register(path, community_name="金杨居民区", today=TODAY, **kwargs)


def person(name="张三", room="12-3-501", **cells):
    """A row under HEADER, with a building column left empty and the room written whole."""
    values = {"楼号": "", "单元": "", "室号": room, "姓名": name} | cells
    return [values.get(column, "") for column in HEADER]


def test_header_is_found_below_merged_title_rows_with_columns_in_any_order(tmp_path):
    path = xlsx(
        tmp_path / "登记表.xlsx",
        {"Sheet1": [["电话", "姓名*", "室号", "身份证号码（必填）"], ["13800000001", "张三", "12-3-501", ID]]},
        title_rows=["金杨居民区住户登记表", "填表日期：2022年4月1日"],
    )

    reading = read(path)

    assert reading.sheets[0].header_line == 3
    assert reading.problems == []
    assert reading.errors == []
    (row,) = reading.rows
    assert (row.line, row.name, row.phone, row.id_number) == (4, "张三", "13800000001", ID)
    assert (row.building, row.unit, row.room) == ("12", "3", "501")


def test_english_headers_are_read_too(tmp_path):
    path = xlsx(tmp_path / "en.xlsx", {"S": [["Building", "Room", "Name", "Mobile"], [12, 501, "Li Lei", 13800000001]]})

    (row,) = read(path).rows

    assert (row.building, row.unit, row.room, row.name, row.phone) == ("12", "", "501", "Li Lei", "13800000001")


def test_every_sheet_is_read_and_the_building_may_come_from_the_sheet_name(tmp_path):
    path = xlsx(
        tmp_path / "一楼一表.xlsx",
        {
            "12号楼": [["单元", "室号", "姓名"], [3, 501, "张三"]],
            "13幢": [["单元", "室号", "姓名"], [1, 101, "李四"]],
            "说明": [["请按楼填写"]],
        },
    )

    reading = read(path)

    assert [(r.building, r.unit, r.room, r.name) for r in reading.rows] == [
        ("12", "3", "501", "张三"),
        ("13", "1", "101", "李四"),
    ]
    assert [s.header_line for s in reading.sheets] == [1, 1, None]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("12-3-501", ("12", "3", "501")),
        ("12号楼501室", ("12", "", "501")),
        ("12幢3单元501", ("12", "3", "501")),
        ("12栋3单元501室", ("12", "3", "501")),
        ("１２－３－５０１", ("12", "3", "501")),
        ("12 - 3 - 501", ("12", "3", "501")),
    ],
)
def test_rooms_are_parsed_into_building_unit_and_room(tmp_path, written, expected):
    path = xlsx(tmp_path / "r.xlsx", {"S": [HEADER, person(room=written)]})

    (row,) = read(path).rows

    assert (row.building, row.unit, row.room) == expected


def test_a_room_under_a_building_column_may_carry_the_unit(tmp_path):
    path = xlsx(tmp_path / "r.xlsx", {"S": [["楼号", "室号", "姓名"], ["12号楼", "3-501", "张三"]]})

    (row,) = read(path).rows

    assert (row.building, row.unit, row.room) == ("12", "3", "501")


def test_a_room_that_contradicts_the_building_column_is_rejected(tmp_path):
    path = xlsx(tmp_path / "r.xlsx", {"S": [["楼号", "室号", "姓名"], ["13", "12-3-501", "张三"]]})

    reading = read(path)

    assert reading.rows == []
    (error,) = reading.errors
    assert (error.line, error.column) == (2, "室号")
    assert "building 12" in error.message
    assert "13" in error.message


def test_full_width_digits_and_spaces_are_normalised(tmp_path):
    fullwidth_id = ID.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    path = xlsx(
        tmp_path / "f.xlsx",
        {
            "S": [
                HEADER,
                person(
                    name="张　三", room="１２－３－５０１", 身份证号=fullwidth_id, 联系电话="１３８ ００００ ０００１"
                ),
            ]
        },
    )

    (row,) = read(path).rows

    assert (row.name, row.room, row.id_number, row.phone) == ("张三", "501", ID, "13800000001")


def test_id_numbers_are_rescued_from_text_cells_when_the_digits_are_all_there(tmp_path):
    # an ID whose check character is X, typed as 17 digits
    first17 = next(f"1101011980010100{n}" for n in range(10) if id_check_char(f"1101011980010100{n}") == "X")
    old = 310105450302123  # a first-generation 15-digit number: a number cell holds it exactly
    path = xlsx(
        tmp_path / "ids.xlsx",
        {
            "S": [
                HEADER,
                person(name="甲", 身份证号=first17),
                person(name="乙", 身份证号=old),
                person(name="丁", 身份证号=ID.lower()[:-1] + ID[-1].lower()),
            ]
        },
    )

    reading = read(path)

    assert reading.errors == []
    assert [r.id_number for r in reading.rows] == [
        first17 + "X",
        "31010519450302123" + id_check_char("31010519450302123"),
        ID,
    ]
    assert reading.rows[1].birth_date == BORN


def test_an_id_number_from_a_number_cell_of_16_digits_or_more_is_never_trusted(tmp_path):
    # 18 digits that a number cell happens to hold exactly (a multiple of 16 at this size): its checksum
    # passes, yet nothing says that the spreadsheet did not round it
    exact = next(int(n) for i in range(2000) if (n := valid_id_number(i)).isdigit() and float(int(n)) == int(n))
    rounded = float(f"{float(ID):.15g}")  # what Excel keeps of a number cell: 15 significant digits
    path = xlsx(
        tmp_path / "ids.xlsx",
        {
            "S": [
                HEADER,
                person(name="甲", 身份证号=rounded),
                person(name="乙", 身份证号="3.10105E+17"),
                person(name="丙", 身份证号=ID[:-1] + ("1" if ID[-1] != "1" else "2")),
                person(name="丁", 身份证号=ID[:10]),
                person(name="戊", 身份证号=exact, 楼号="13"),
            ]
        },
    )

    reading = read(path)

    assert reading.rows == []
    messages = [e.message for e in reading.errors]
    assert len(messages) == 6
    assert "office suite rounded it" in messages[0]
    certain = messages[0].split("(")[1].split("…")[0]
    assert 12 <= len(certain) <= 15
    assert ID.startswith(certain)
    assert "first 5 digits are certain (31010…)" in messages[1]
    assert "check digit is wrong" in messages[2]
    assert "18 characters" in messages[3]
    # a row with a rounded number and another problem names both
    assert [(e.line, e.column) for e in reading.errors[4:]] == [(6, "室号"), (6, "身份证号")]
    assert "building 12" in messages[4]
    assert "office suite rounded it" in messages[5]
    assert str(exact).startswith(messages[5].split("(")[1].split("…")[0])
    assert reading.rounded_ids == 3


def test_rows_whose_id_number_was_rounded_go_in_without_it_when_the_admin_says_so(tmp_path):
    path = xlsx(tmp_path / "ids.xlsx", {"S": [HEADER, person(name="甲", 身份证号=float(ID), 出生日期=BORN)]})

    reading = read(path, choices=Choices(without_rounded_ids=True))

    assert reading.errors == []
    (row,) = reading.rows
    assert (row.name, row.id_number, row.birth_date) == ("甲", None, BORN)
    assert (reading.rounded_ids, reading.without_id) == (1, 1)


@pytest.mark.parametrize(
    "written",
    [
        BORN,
        datetime.datetime(1945, 3, 2),  # noqa: DTZ001 - spreadsheets hold naive date-times
        16498,
        "16498",
        "1945年3月2日",
        "1945.3.2",
        "1945-03-02",
        "1945/3/2",
        19450302,
    ],
)
def test_birth_dates_are_read_in_every_form(tmp_path, written):
    path = xlsx(tmp_path / "d.xlsx", {"S": [HEADER, person(出生日期=written)]})

    (row,) = read(path).rows

    assert row.birth_date == BORN


@pytest.mark.parametrize(
    ("written", "reason"), [("1945.13.2", "not a real date"), ("明年", "not a date"), ("2030-01-01", "not a possible")]
)
def test_an_impossible_birth_date_is_kept_in_the_notes_and_the_row_imported(tmp_path, written, reason):
    path = xlsx(tmp_path / "d.xlsx", {"S": [HEADER, person(出生日期=written, 备注="腿脚不便")]})

    reading = read(path)

    assert reading.errors == []
    (row,) = reading.rows
    assert (row.birth_date, row.notes_with_remarks(None)) == (None, f"腿脚不便；出生日期：{written}")
    (kept,) = reading.kept
    assert (kept.line, kept.column) == (2, "出生日期")
    assert reason in kept.message


def test_a_birth_date_that_contradicts_the_id_number_is_rejected(tmp_path):
    path = xlsx(tmp_path / "d.xlsx", {"S": [HEADER, person(身份证号=ID, 出生日期="1946-03-02")]})

    (error,) = read(path).errors

    assert error.column == "出生日期"
    assert "1945-03-02" in error.message


def test_two_phone_numbers_in_one_cell_keep_the_first_and_note_the_rest(tmp_path):
    path = xlsx(
        tmp_path / "p.xlsx",
        {
            "S": [
                HEADER,
                person(name="甲", 联系电话="13800000001 13900000002"),
                person(name="乙", 联系电话="138-0000-0003/021-62800000", 备注="腿脚不便"),
                person(name="丙", 联系电话=13800000004),
                person(name="丁", 联系电话="1380000000"),
            ]
        },
    )

    reading = read(path)

    first, second, third, fourth = reading.rows
    assert (first.phone, first.notes_with_remarks(None)) == ("13800000001", "Other phones: 13900000002")
    assert (second.phone, second.notes_with_remarks(None)) == ("13800000003", "腿脚不便；Other phones: 021-62800000")
    assert third.phone == "13800000004"
    assert (fourth.phone, fourth.notes_with_remarks(None)) == (None, "联系电话：1380000000")
    assert reading.errors == []
    (kept,) = reading.kept
    assert (kept.line, kept.column) == (5, "联系电话")
    assert "1380000000 is not a mobile number" in kept.message


def test_key_population_words_become_tags(tmp_path):
    path = xlsx(
        tmp_path / "k.xlsx",
        {
            "S": [
                HEADER,
                person(name="甲", 重点人群="独居老人、高血压，糖尿病", 出生日期="1960-01-01"),
                person(name="乙", 重点人群="无"),
                person(name="丙", 重点人群="孕妇 低保户"),
                person(name="丁", 重点人群="老党员", 备注="腿脚不便"),
                person(name="戊", 重点人群="80岁以上", 出生日期="1990-01-01"),
            ]
        },
    )

    reading = read(path)

    assert [r.tags for r in reading.rows] == [
        {Tag.ALONE: TagDetail(), Tag.CHRONIC: TagDetail(condition="高血压、糖尿病")},
        {},
        {Tag.PREGNANT: TagDetail(), Tag.HARDSHIP: TagDetail()},
        None,  # no word understood: the register's tags stay as they are
    ]
    assert reading.rows[3].notes_with_remarks(None) == "腿脚不便；重点人群：老党员"
    assert reading.unknown == {("tags", "老党员"): 1}
    (too_young,) = reading.errors
    assert "80+ does not fit the birth date 1990-01-01" in too_young.message


@pytest.mark.parametrize(
    ("written", "tags"),
    [
        ("慢性病（高血压）", {Tag.CHRONIC: TagDetail(condition="高血压")}),
        ("慢性病(高血压、糖尿病)", {Tag.CHRONIC: TagDetail(condition="高血压、糖尿病")}),
        ("慢病：糖尿病", {Tag.CHRONIC: TagDetail(condition="糖尿病")}),
        ("慢性病:冠心病", {Tag.CHRONIC: TagDetail(condition="冠心病")}),
        ("【慢性病】高血压", {Tag.CHRONIC: TagDetail(condition="高血压")}),
        ("高血压病", {Tag.CHRONIC: TagDetail(condition="高血压病")}),
        ("孕妇（预产期2022-06-01）", {Tag.PREGNANT: TagDetail(due_date=datetime.date(2022, 6, 1))}),
        ("孕妇 预产期2022.6.1", {Tag.PREGNANT: TagDetail(due_date=datetime.date(2022, 6, 1))}),
        ("孕妇2022年6月1日", {Tag.PREGNANT: TagDetail(due_date=datetime.date(2022, 6, 1))}),
        ("独居老人 2022.3.1", {Tag.ALONE: TagDetail(note="2022.3.1")}),
        ("残疾（肢体二级）", {Tag.DISABLED: TagDetail(note="肢体二级")}),
        ("高龄独居", {Tag.ALONE: TagDetail(), Tag.AGED_80: TagDetail()}),
        ("独居；低保", {Tag.ALONE: TagDetail(), Tag.HARDSHIP: TagDetail()}),
        ("残疾/卧床", {Tag.DISABLED: TagDetail()}),
        ("需上门服务", {Tag.DOOR_SERVICE: TagDetail()}),
        ("婴幼儿", {Tag.INFANT: TagDetail()}),
    ],
)
def test_tags_are_read_in_the_shapes_people_write_them(tmp_path, written, tags):
    path = xlsx(tmp_path / "k.xlsx", {"S": [HEADER, person(重点人群=written)]})

    (row,) = read(path).rows

    assert row.tags == tags
    assert row.notes_with_remarks(None) == ""


def test_an_80_year_old_is_tagged_80_plus_from_the_birth_date(tmp_path):
    path = xlsx(tmp_path / "k.xlsx", {"S": [HEADER, person(出生日期="1938-03-02", 重点人群="独居")]})

    (row,) = read(path).rows

    assert row.tags == {Tag.ALONE: TagDetail(), Tag.AGED_80: TagDetail()}


@pytest.mark.parametrize(
    ("written", "presence"),
    [
        ("外出务工", Presence.AWAY),
        ("在外地", Presence.AWAY),
        ("不在家", Presence.AWAY),
        ("未返沪", Presence.AWAY),
        ("外地未返", Presence.AWAY),
        ("出差", Presence.AWAY),
        ("外出（上海）", Presence.AWAY),
        ("在家", Presence.HOME),
        ("在住", Presence.HOME),
        ("已返回", Presence.HOME),
        ("居家隔离", Presence.QUARANTINE),
        ("集中隔离", Presence.QUARANTINE),
        ("住院中", Presence.HOSPITAL),
        ("已搬走", Presence.MOVED_OUT),
        ("Away", Presence.AWAY),
        ("隔离中", Presence.QUARANTINE),
    ],
)
def test_presence_is_read_from_the_everyday_phrases(tmp_path, written, presence):
    path = xlsx(tmp_path / "p.xlsx", {"S": [["室号", "姓名", "在住情况"], ["12-501", "甲", written]]})

    reading = read(path)

    (row,) = reading.rows
    assert row.presence == presence
    assert reading.unknown == {}


def test_a_phrase_that_points_two_ways_is_not_guessed_but_kept_and_listed(tmp_path):
    path = xlsx(
        tmp_path / "p.xlsx",
        {"S": [["室号", "姓名", "在住情况"], ["12-501", "甲", "常住外地"], ["12-502", "乙", "常住外地"]]},
    )

    reading = read(path)

    assert [(r.presence, r.notes_with_remarks(None)) for r in reading.rows] == [(None, "在住情况：常住外地")] * 2
    assert reading.unknown == {("presence", "常住外地"): 2}


def test_the_admin_says_what_a_word_means(tmp_path):
    path = xlsx(
        tmp_path / "w.xlsx",
        {"S": [["室号", "姓名", "在住情况", "重点人群"], ["12-501", "甲", "常住外地", "痛风、正常"]]},
    )

    reading = read(
        path, choices=Choices(words={"presence": {"常住外地": "away"}, "tags": {"痛风": "chronic", "正常": "none"}})
    )

    (row,) = reading.rows
    assert (row.presence, row.tags, row.notes_with_remarks(None)) == (
        Presence.AWAY,
        {Tag.CHRONIC: TagDetail(condition="痛风")},
        "",
    )
    assert reading.unknown == {}


def test_words_for_sex_relation_presence_and_documents(tmp_path):
    path = xlsx(
        tmp_path / "w.xlsx",
        {
            "S": [
                ["室号", "姓名", "性别", "与户主关系", "在住情况", "证件类型", "证件号码", "政治面貌"],
                ["12-501", "甲", "女", "妻子", "不在沪", "护照", "e1234 5678", "中共党员"],
                ["12-501", "乙", "男性", "儿媳", "方舱", "", "", "群众"],
                ["12-501", "丙", "未知", "户主", "在外地", "", "", "中共预备党员"],
            ]
        },
    )

    reading = read(path)

    first, second, third = reading.rows
    assert (first.sex, first.relation, first.presence) == ("F", Relation.SPOUSE, Presence.AWAY)
    assert (first.document_type, first.id_number, first.party_member) == (DocumentType.PASSPORT, "E12345678", True)
    assert (second.sex, second.relation, second.presence, second.party_member) == (
        "M",
        Relation.OTHER,
        Presence.QUARANTINE,
        False,
    )
    assert (third.sex, third.presence, third.party_member, third.notes_with_remarks(None)) == (
        None,
        Presence.AWAY,
        True,
        "性别：未知",
    )
    assert reading.errors == []
    assert reading.unknown == {("sex", "未知"): 1}


def test_blank_subtotal_and_repeated_header_rows_are_skipped_not_rejected(tmp_path):
    path = xlsx(
        tmp_path / "s.xlsx",
        {
            "S": [
                HEADER,
                person(name="甲"),
                [None] * len(HEADER),
                ["", "", "", "", "", "", "", "", "", "  "],
                HEADER,
                person(name="乙", room="12-3-502"),
                ["合计", "", "", "", "", "", "", "", "", "2人"],
                ["", "", "", "小计：2户", "", "", "", "", "", ""],
            ]
        },
    )

    reading = read(path)

    assert [r.name for r in reading.rows] == ["甲", "乙"]
    assert reading.errors == []
    assert reading.skipped_lines == 5


def test_a_row_without_a_name_is_rejected(tmp_path):
    path = xlsx(tmp_path / "n.xlsx", {"S": [HEADER, person(name="", 联系电话="13800000001")]})

    (error,) = read(path).errors

    assert (error.line, error.column, error.message) == (2, "姓名", "The name is empty.")


def test_the_same_person_twice_is_one_duplicate_holding_back_both_rows(tmp_path):
    path = xlsx(
        tmp_path / "dup.xlsx",
        {
            "12号楼": [["室号", "姓名", "身份证号"], ["3-501", "张三", ID], ["3-502", "王五", ""]],
            "13号楼": [["室号", "姓名", "身份证号"], ["1-101", "张三丰", ID]],
            "14号楼": [
                ["室号", "姓名", "身份证号", "重点人群"],
                ["1-101", "李四", "", "老党员"],
                ["1-101", "李四", "", ""],
            ],
        },
    )

    reading = read(path)

    assert [r.name for r in reading.rows] == ["王五"]
    assert reading.errors == []
    by_id, by_name = reading.duplicates
    assert by_id.why == ("id",)
    assert [(r.sheet, r.line, r.name, r.room) for r in by_id.rows] == [
        ("12号楼", 2, "张三", "12-3-501"),
        ("13号楼", 2, "张三丰", "13-1-101"),
    ]
    assert by_name.why == ("name",)
    assert [(r.sheet, r.line) for r in by_name.rows] == [("14号楼", 2), ("14号楼", 3)]
    assert reading.unknown == {}  # the held-back row's word is listed with the duplicate, not twice


def test_a_duplicate_is_found_whatever_else_is_wrong_with_its_rows(tmp_path):
    path = xlsx(
        tmp_path / "dup.xlsx",
        {
            "S": [
                HEADER,
                person(name="张三", 身份证号=ID, 出生日期="1946-01-01"),
                person(name="张三", room="12-3-502", 身份证号=ID),
            ]
        },
    )

    reading = read(path)

    assert reading.rows == []
    assert reading.errors == []
    (duplicate,) = reading.duplicates
    first, second = duplicate.rows
    assert len(first.problems) == 1
    assert "does not match the ID number" in first.problems[0]
    assert second.problems == ()


def test_the_admin_keeps_one_row_of_a_duplicate(tmp_path):
    path = xlsx(
        tmp_path / "dup.xlsx",
        {"S": [HEADER, person(name="张三", 身份证号=ID), person(name="张三", room="12-3-502", 身份证号=ID)]},
    )
    (duplicate,) = read(path).duplicates

    reading = read(path, choices=Choices(keep={duplicate.key: 1}))

    (row,) = reading.rows
    assert (row.line, row.room) == (3, "502")
    assert (reading.duplicates, reading.left_out) == ([], 1)


def test_namesakes_with_their_own_id_numbers_are_two_people(tmp_path):
    other = valid_id_number(2)
    path = xlsx(
        tmp_path / "n.xlsx", {"S": [["室号", "姓名", "身份证号"], ["12-501", "张伟", ID], ["12-501", "张伟", other]]}
    )

    assert len(read(path).rows) == 2


def test_a_row_of_another_community_is_rejected(tmp_path):
    path = xlsx(
        tmp_path / "c.xlsx",
        {"S": [["居委", "室号", "姓名"], ["长宁居民区", "12-501", "甲"], ["金杨居民区", "12-502", "乙"]]},
    )

    reading = read(path)

    assert [r.name for r in reading.rows] == ["乙"]
    assert "长宁居民区" in reading.errors[0].message


def test_csv_in_utf8_and_in_gb18030_reads_the_same(tmp_path):
    rows = [HEADER, person(name="张三", 身份证号=ID), person(name="李四", room="12-3-502")]
    utf8 = csv_file(tmp_path / "utf8.csv", rows, "utf-8-sig")
    gb = csv_file(tmp_path / "gb.csv", rows, "gb18030")

    first, second = read(utf8), read(gb)

    assert [r.name for r in first.rows] == [r.name for r in second.rows] == ["张三", "李四"]
    assert first.rows[0].id_number == second.rows[0].id_number == ID


def test_old_xls_workbooks_are_read(tmp_path):
    path = xls(tmp_path / "old.xls", {"12幢": [["单元", "室号", "姓名", "电话"], [3, 501, "张三", 13800000001]]})

    (row,) = read(path).rows

    assert (row.building, row.unit, row.room, row.name, row.phone) == ("12", "3", "501", "张三", "13800000001")


def test_an_unknown_column_can_be_mapped_by_the_admin(tmp_path):
    path = xlsx(tmp_path / "m.xlsx", {"S": [["房屋", "住户", "身份证号"], ["12-501", "张三", ID]]})

    unsure = read(path)
    fixed = read(path, choices=Choices(columns={"房屋": "room", "住户": "name"}))

    assert unsure.rows == []
    assert unsure.problems
    assert unsure.columns == {"房屋": "", "住户": "", "身份证号": "id_number"}
    assert [r.name for r in fixed.rows] == ["张三"]


def test_a_missing_name_or_room_column_is_a_problem_not_a_rejection(tmp_path):
    path = xlsx(tmp_path / "m.xlsx", {"S": [["姓名", "电话"], ["张三", "13800000001"]]})

    reading = read(path)

    assert reading.rows == []
    assert reading.errors == []
    assert reading.problems == ["Sheet S has no column for Room."]


def test_two_columns_for_one_field_is_a_problem_except_phones(tmp_path):
    path = xlsx(
        tmp_path / "m.xlsx",
        {"S": [["室号", "姓名", "名字", "手机", "联系电话"], ["12-501", "张三", "张三", "13800000001", "13900000002"]]},
    )

    assert "姓名、名字" in read(path).problems[0]
    fixed = read(path, choices=Choices(columns={"名字": ""}))
    assert (fixed.rows[0].phone, fixed.rows[0].notes_with_remarks(None)) == ("13800000001", "Other phones: 13900000002")


def test_a_column_the_admin_keeps_in_the_notes_says_what_it_was_and_cells_stay_as_written(tmp_path):
    path = xlsx(
        tmp_path / "n.xlsx",
        {
            "S": [
                ["室号", "姓名", "备注", "疫苗接种", "在住情况"],
                ["12-501", "甲", "腿脚不便（轮椅）", "3针", "外出（上海）"],
            ]
        },
    )

    (row,) = read(path, choices=Choices(columns={"疫苗接种": "notes"})).rows

    assert row.notes_with_remarks(None) == "腿脚不便（轮椅）；疫苗接种：3针；在住情况：外出（上海）"


def test_an_id_number_typed_with_an_apostrophe_to_keep_it_text_is_read(tmp_path):
    path = xlsx(tmp_path / "a.xlsx", {"S": [HEADER, person(身份证号="'" + ID)]})

    (row,) = read(path).rows

    assert row.id_number == ID


def test_a_severe_mental_disorder_is_not_folded_into_chronic_illness_but_asked_about(tmp_path):
    path = xlsx(tmp_path / "m.xlsx", {"S": [HEADER, person(重点人群="慢性病(糖尿病)、严重精神障碍")]})

    reading = read(path)

    assert reading.rows[0].tags == {Tag.CHRONIC: TagDetail(condition="糖尿病")}
    assert reading.unknown == {("tags", "严重精神障碍"): 1}


@pytest.mark.parametrize(
    ("column", "written", "field", "expected"),
    [
        ("政治面貌", "非党员", "party_member", False),
        ("政治面貌", "否", "party_member", False),
        ("在住情况", "否", "presence", Presence.AWAY),
        ("重点人群", "无慢性病", "tags", None),
        ("重点人群", "非独居", "tags", None),
        ("与户主关系", "长孙", "relation", None),
    ],
)
def test_a_negated_or_unknown_word_never_writes_the_opposite(tmp_path, column, written, field, expected):
    path = xlsx(tmp_path / "n.xlsx", {"S": [["室号", "姓名", column], ["12-501", "甲", written]]})

    (row,) = read(path).rows

    assert getattr(row, field) == expected


def test_a_tag_cell_of_words_the_admin_said_mean_nothing_leaves_the_tags_as_they_are(tmp_path):
    path = xlsx(tmp_path / "n.xlsx", {"S": [["室号", "姓名", "重点人群"], ["12-501", "甲", "正常"]]})

    (row,) = read(path, choices=Choices(words={"tags": {"正常": "none"}})).rows

    assert row.tags is None


@pytest.mark.parametrize("written", ["无", "暂无", "/", "不详"])
def test_a_placeholder_in_the_id_column_is_an_empty_cell(tmp_path, written):
    path = xlsx(
        tmp_path / "p.xlsx",
        {"S": [["室号", "姓名", "身份证号"], ["12-501", "甲", written], ["12-502", "乙", written]]},
    )

    reading = read(path)

    assert [(r.name, r.id_number) for r in reading.rows] == [("甲", None), ("乙", None)]
    assert (reading.errors, reading.duplicates) == ([], [])


def test_the_same_person_twice_with_rounded_id_numbers_is_still_one_duplicate(tmp_path):
    rows = [person(name="张三", 身份证号=float(ID)), person(name="张三", 身份证号=float(ID))]
    path = xlsx(tmp_path / "r.xlsx", {"S": [HEADER, *rows]})

    reading = read(path, choices=Choices(without_rounded_ids=True))

    assert reading.rows == []
    (duplicate,) = reading.duplicates
    assert duplicate.why == ("name",)


def test_an_id_cell_too_large_for_any_number_is_a_plain_rejection(tmp_path):
    path = xlsx(tmp_path / "i.xlsx", {"S": [HEADER, person(身份证号="1E+400")]})

    (error,) = read(path).errors

    assert "is not an ID number" in error.message
