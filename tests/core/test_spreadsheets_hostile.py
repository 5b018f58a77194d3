"""Hostile and broken files meet the spreadsheet reader: each is refused, or read, in a process of its
own, and never takes down the process that asked for its rows. Every file is made here, small."""

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from lockdown.core import spreadsheets
from lockdown.core.spreadsheets import TooLarge, UnreadableFile, count_lines, read_sheets
from tests.households.sheets import csv_file, xls

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def rows_of(path):
    return {sheet.name: [row for _line, row in sheet.rows] for sheet in read_sheets(path)}


def refusal(path):
    with pytest.raises(TooLarge) as raised:
        rows_of(path)
    return raised.value


def workbook_with_sheet_xml(path, sheet_xml, *, extra=()):
    """A real workbook written by openpyxl, its one sheet's XML replaced by `sheet_xml`."""
    openpyxl.Workbook().save(path.with_suffix(".template.xlsx"))
    with zipfile.ZipFile(path.with_suffix(".template.xlsx")) as template, zipfile.ZipFile(path, "w") as target:
        for member in template.infolist():
            data = sheet_xml if member.filename == "xl/worksheets/sheet1.xml" else template.read(member)
            target.writestr(member.filename, data, zipfile.ZIP_DEFLATED)
        for name, data in extra:
            target.writestr(name, data, zipfile.ZIP_DEFLATED)
    return path


def sheet_xml(body, dimension=""):
    dimension = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<worksheet xmlns="{MAIN}">{dimension}<sheetData>{body}</sheetData></worksheet>'.encode()


def test_a_value_in_the_last_cell_of_a_sheet_is_refused_before_calamine_allocates_its_512_gb(tmp_path):
    path = tmp_path / "bomb.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "姓名"
    workbook.active["XFD1048576"] = "x"
    workbook.save(path)
    assert path.stat().st_size < 10_000
    refused = refusal(path)
    assert (refused.reason, refused.numbers["sheet"]) == ("sheet", "Sheet")
    assert (refused.numbers["rows"], refused.numbers["columns"]) == (1_048_576, 16_384)


A1 = '<row r="1"><c r="A1"><v>1</v></c></row>'


@pytest.mark.parametrize(
    "xml",
    [
        sheet_xml(A1 + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', "A1:B2"),  # a dimension that lies
        sheet_xml(A1 + '<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>'),  # lower case
        sheet_xml('<row><c><v>1</v></c></row><row r="300000"><c><v>1</v></c></row>'),  # cells without r
        sheet_xml(A1 + '<row r="1048576"><c t="n" r="XFD1048576"><v>1</v></c></row>'),  # r not first
        sheet_xml(A1 + "<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>"),  # single quotes
        (
            f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>'
            '<x:row r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>'
        ).encode(),  # a namespace prefix
    ],
    ids=["dimension that lies", "lower case", "no r", "r not first", "single quotes", "prefix"],
)
def test_a_sheet_too_large_is_refused_however_its_cells_are_written(tmp_path, xml):
    refused = refusal(workbook_with_sheet_xml(tmp_path / "sheet.xlsx", xml))
    assert refused.reason == "sheet"


def test_empty_cells_far_out_are_read_as_calamine_reads_them_without_a_refusal(tmp_path):
    """Calamine leaves out cells without a value (a border, a format): they are no reason to refuse."""
    xml = sheet_xml(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1"><v>3</v></c></row>'
        '<row r="1048576"><c r="XFD1048576" s="1"/><c r="XFC1048576" t="inlineStr"></c></row>',
        "A1:XFD1048576",
    )
    assert rows_of(workbook_with_sheet_xml(tmp_path / "formatted.xlsx", xml)) == {"Sheet": [["姓名", 3.0]]}


def test_a_sheet_of_too_many_columns_or_cells_is_refused(tmp_path):
    wide = sheet_xml('<row r="1"><c r="A1"><v>1</v></c><c r="GS1"><v>1</v></c></row>')
    assert refusal(workbook_with_sheet_xml(tmp_path / "wide.xlsx", wide)).numbers["columns"] == 201
    big = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row><row r="100000"><c r="GR100000"><v>1</v></c></row>')
    assert refusal(workbook_with_sheet_xml(tmp_path / "big.xlsx", big)).numbers["rows"] == 100_000


def test_a_committees_workbook_within_the_bounds_is_read_whole(tmp_path):
    path = tmp_path / "register.xlsx"
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("1号楼")
    sheet.append([f"列{index}" for index in range(30)])
    for line in range(20_000):
        sheet.append([line, "张三", "13800000000", *range(27)])
    workbook.save(path)
    assert count_lines(path) == 20_001
    sheets = rows_of(path)
    assert len(sheets["1号楼"]) == 20_001
    assert sheets["1号楼"][-1][:3] == [19_999, "张三", "13800000000"]


def test_a_zip_bomb_is_refused_by_its_size_unpacked_and_by_its_ratio(tmp_path):
    zeros = b"\0" * 2**20
    for name, megabytes, reason in (("unpacked.xlsx", 210, "unpacked"), ("ratio.xlsx", 20, "ratio")):
        path = workbook_with_sheet_xml(tmp_path / name, sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'))
        with (
            zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive,
            archive.open("xl/media/padding.bin", "w") as member,
        ):
            for _ in range(megabytes):
                member.write(zeros)
        assert os.path.getsize(path) < 2**20
        assert refusal(path).reason == reason


def test_a_zip_of_thousands_of_members_is_refused(tmp_path):
    extra = [(f"xl/media/{index}.txt", b"") for index in range(5_001)]
    path = workbook_with_sheet_xml(tmp_path / "members.xlsx", sheet_xml(""), extra=extra)
    assert refusal(path).reason == "members"


def test_a_workbook_of_too_many_sheets_is_refused(tmp_path):
    path = tmp_path / "sheets.xlsx"
    workbook = openpyxl.Workbook(write_only=True)
    for index in range(1_001):
        workbook.create_sheet(f"S{index}").append([index])
    workbook.save(path)
    assert refusal(path).reason == "sheets"


def test_more_rows_in_all_than_an_import_reads_are_refused(tmp_path):
    path = tmp_path / "rows.xlsx"
    workbook = openpyxl.Workbook(write_only=True)
    for name in ("A", "B"):
        sheet = workbook.create_sheet(name)
        for line in range(100_001):
            sheet.append([line])
    workbook.save(path)
    assert refusal(path).reason == "rows_in_file"


def test_an_entity_bomb_is_refused_unexpanded(tmp_path):
    laughs = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY l0 "lol">{laughs}]><worksheet xmlns="{MAIN}"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row></sheetData></worksheet>'
    ).encode()
    path = workbook_with_sheet_xml(tmp_path / "laughs.xlsx", xml)
    with pytest.raises(UnreadableFile, match="DTD"):
        rows_of(path)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("not-a-zip.xlsx", "姓名,电话\n张三,138\n".encode()),
        ("empty.xlsx", b""),
        ("garbage.xls", os.urandom(4096)),
        ("ole-header-only.xls", bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504),
        ("nul.xlsx", b"PK\x03\x04" + b"\0" * 200),
    ],
    ids=["not a zip", "empty", "garbage", "an OLE header alone", "a zip header alone"],
)
def test_a_file_that_is_no_spreadsheet_is_unreadable(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableFile):
        rows_of(path)


def test_a_truncated_xls_is_unreadable(tmp_path):
    path = xls(tmp_path / "whole.xls", {"1号楼": [["姓名"], *[[f"住户{index}"] for index in range(500)]]})
    truncated = tmp_path / "truncated.xls"
    truncated.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(UnreadableFile):
        rows_of(truncated)


def test_a_nul_in_a_cell_of_an_xlsx_is_unreadable(tmp_path):
    xml = sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>a&#0;b</t></is></c></row>')
    with pytest.raises(UnreadableFile):
        rows_of(workbook_with_sheet_xml(tmp_path / "nul.xlsx", xml))


def test_a_csv_line_of_megabytes_is_refused(tmp_path):
    path = tmp_path / "line.csv"
    path.write_bytes(b"name,phone\n" + b"x" * (2 * 2**20) + b"\n")
    refused = refusal(path)
    assert (refused.reason, refused.numbers["line"]) == ("line", 2)


def test_a_csv_row_of_thousands_of_columns_is_refused(tmp_path):
    path = tmp_path / "columns.csv"
    path.write_text("姓名,电话\n" + ",".join(["1"] * 100_000) + "\n", encoding="utf-8")
    refused = refusal(path)
    assert (refused.reason, refused.numbers["line"], refused.numbers["columns"]) == ("csv_columns", 2, 100_000)


def test_a_csv_of_too_many_lines_is_refused(tmp_path):
    path = tmp_path / "lines.csv"
    path.write_bytes(b"1\n" * 200_001)
    assert refusal(path).reason == "rows_in_file"


def test_nul_characters_in_a_csv_are_left_out(tmp_path):
    path = csv_file(tmp_path / "nul.csv", [["姓名", "电话"], ["张\0三", "138\x000000"]])
    assert rows_of(path) == {"nul": [["姓名", "电话"], ["张三", "1380000"]]}


def test_what_slips_past_the_checks_fails_at_the_memory_limit_in_the_reading_process_alone(tmp_path):
    """A writer spells its cells alike: a cell spelled otherwise after the first 64 KB is not looked
    for. Calamine allocates its 512 GB in the reading process, which dies of the limit, alone."""
    rows = "".join(f'<row r="{line}"><c r="A{line}"><v>{line}</v></c></row>' for line in range(1, 3_001))
    xml = sheet_xml(rows + '<row r="1048576"><c t="n" r="XFD1048576"><v>1</v></c></row>')
    assert len(xml) > 2**16
    assert refusal(workbook_with_sheet_xml(tmp_path / "slips.xlsx", xml)).reason == "memory"


def test_the_memory_limit_is_the_reading_process_own(tmp_path, monkeypatch):
    path = tmp_path / "register.xlsx"
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("1号楼")
    for line in range(20_000):
        sheet.append([f"住户{line}", line, "x" * 40] * 6)
    workbook.save(path)
    monkeypatch.setattr(spreadsheets, "READER_MEMORY", 30 * 2**20)
    assert refusal(path).reason == "memory"
    monkeypatch.undo()
    assert len(rows_of(path)["1号楼"]) == 20_000


def _alive(pid):
    """Whether the process runs still (a zombie, killed and not yet reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent's death signal is Linux's")
def test_a_reading_process_ends_with_the_process_that_asked_for_its_rows(tmp_path):
    """Celery's hard time limit or gunicorn kills the process reading a file with SIGKILL: its reading
    process, here waiting for a file that never comes (a named pipe), must not run on alone."""
    waiting = tmp_path / "waiting.csv"
    os.mkfifo(waiting)
    asker = subprocess.Popen(
        [sys.executable, "-c", ASKER, str(waiting)], cwd=Path(__file__).parents[2], stdout=subprocess.PIPE
    )
    reading = int(asker.stdout.readline())
    try:
        assert _alive(reading)
        asker.kill()
        asker.wait()
        for _ in range(100):  # a bounded wait: the death signal comes at once
            if not _alive(reading):
                break
            time.sleep(0.1)
        assert not _alive(reading)
    finally:
        if _alive(reading):
            os.kill(reading, signal.SIGKILL)


ASKER = """
import sys
from pathlib import Path
from lockdown.core.spreadsheets import _ReadingProcess

with _ReadingProcess(Path(sys.argv[1]), "waiting", with_rows=True) as reading:
    print(reading.process.pid, flush=True)
    reading.next_sheet()
"""


def test_a_reader_stopped_early_ends_its_reading_process(tmp_path):
    path = tmp_path / "two.xlsx"
    workbook = openpyxl.Workbook(write_only=True)
    for name in ("A", "B"):
        sheet = workbook.create_sheet(name)
        for line in range(5_000):
            sheet.append([line, name])
    workbook.save(path)
    sheets = read_sheets(path)
    first = next(sheets)
    assert next(first.rows) == (1, [0.0, "A"])
    sheets.close()
    assert [sheet.name for sheet in read_sheets(path)] == ["A", "B"]


def shared_strings_workbook(path, strings, indices):
    """A workbook whose sheet's column A holds the shared strings of these indices, a row each: Excel
    stores a text once, however many cells hold it (openpyxl writes each cell's text in the cell)."""
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>{i}</v></c></row>' for n, i in enumerate(indices, start=1))
    items = "".join(f"<si><t>{text}</t></si>" for text in strings)
    table = f'<sst xmlns="{MAIN}" count="{len(indices)}" uniqueCount="{len(strings)}">{items}</sst>'
    return workbook_with_sheet_xml(path, sheet_xml(rows), extra=[("xl/sharedStrings.xml", table.encode())])


def test_a_cell_of_more_text_than_excel_allows_is_refused_with_its_sheet_and_row(tmp_path):
    path = shared_strings_workbook(tmp_path / "long.xlsx", ["姓名", "x" * 32_767, "x" * 40_000], [0, 1, 2])
    refused = refusal(path)
    assert (refused.reason, refused.numbers) == ("cell_text", {"sheet": "Sheet", "line": 3, "most": 32_767})


def test_a_csv_field_of_more_text_than_excel_allows_is_refused_with_its_line(tmp_path):
    path = csv_file(tmp_path / "long.csv", [["姓名", "备注"], ["张三", "x" * 40_000]])
    refused = refusal(path)
    assert (refused.reason, refused.numbers) == ("cell_text", {"sheet": "long", "line": 2, "most": 32_767})


def test_a_shared_string_in_many_cells_is_refused_past_what_one_file_may_send(tmp_path, monkeypatch):
    """The text is stored once and sent once a cell: 100 cells of 30,000 characters, a file of a few KB,
    send 3 MB. The cap (400 MB) is lowered here to 1 MB."""
    path = shared_strings_workbook(tmp_path / "shared.xlsx", ["x" * 30_000], [0] * 100)
    assert path.stat().st_size < 20_000
    monkeypatch.setattr(spreadsheets, "READER_SENT", 2**20)
    refused = refusal(path)
    assert (refused.reason, refused.numbers) == ("sent", {"most_mb": 1})
    monkeypatch.undo()
    assert len(rows_of(path)["Sheet"]) == 100
