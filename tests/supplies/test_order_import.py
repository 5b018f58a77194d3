"""The group-buy platform's export, as platforms and people write it: title rows above the header,
the platforms' own column names, rooms as addresses with the compound first or as 12-3-501, numbers
typed as numbers, a totals row at the foot; saved by LibreOffice as .xlsx and as a GB18030 .csv; and
files that are no order list, or hostile. The rows it cannot take are listed with their reasons."""

import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from households.models import Compound
from lockdown.core.errors import ServiceError
from supplies import group_buys, order_sheet
from supplies.models import GroupBuyOrder
from tests.conftest import require
from tests.households.factories import HouseholdFactory
from tests.supplies.group_buying import filed
from tests.supplies.parcels import staff_of

HEADER = ["跟团号", "收货人", "联系电话", "详细地址", "商品", "数量", "备注"]
ROWS = [
    [1, "张三", 13912345678, "金杨新村12号楼3单元501室", "蔬菜套餐A", 2, ""],
    [2, "李四", "139-1234-5679", "12-1-101", "鲜鸡蛋30枚", "1份", "放门口"],
    [3, "王五", "", "金杨新村 13幢1单元101", "蔬菜套餐A", 1.0, ""],
    [4, "赵六", "", "12号楼9单元999室", "蔬菜套餐A", 1, ""],  # no such room
    [5, "钱七", "", "金杨新村12号楼3单元501室", "蔬菜套餐A", "两份", ""],  # a quantity in words
    [6, "孙八", "", "放在门卫", "鲜鸡蛋30枚", 1, ""],  # no room at all
    [7, "张三", 13912345678, "12-3-501", "蔬菜套餐A", 1, "又加一份"],  # the same again: added up
    [None, None, None, None, None, None, None],
    ["合计", "", "", "", "", 8, ""],
]


def platform_export(path):
    """An .xlsx as the platform exports it: a title row, a blank row, then the header and the orders."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "订单明细"
    sheet.append(["金杨新村蔬菜团购 订单导出 2022-04-10"])
    sheet.append([])
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    workbook.save(path)
    return path


def saved_by_libreoffice(source, conversion, suffix, tmp_path):
    soffice = shutil.which("soffice")
    require(soffice is not None, "needs LibreOffice (Debian's libreoffice-calc-nogui)")
    out = tmp_path / "out"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", conversion]
        + ["--outdir", str(out), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out / f"{source.stem}{suffix}"


def test_the_reader_takes_the_platforms_rows_and_says_why_of_the_rest(tmp_path):
    reading = order_sheet.read_orders(platform_export(tmp_path / "orders.xlsx"))

    assert [(r.line, r.label, r.name, r.phone, r.items, r.quantity) for r in reading.rows] == [
        (4, "12-3-501", "张三", "13912345678", "蔬菜套餐A", 2),
        (5, "12-1-101", "李四", "13912345679", "鲜鸡蛋30枚", 1),
        (6, "13-1-101", "王五", "", "蔬菜套餐A", 1),
        (7, "12-9-999", "赵六", "", "蔬菜套餐A", 1),
        (10, "12-3-501", "张三", "13912345678", "蔬菜套餐A", 1),
    ]
    assert [(p.line, p.message) for p in reading.problems] == [
        (8, "The quantity “两份” is not a number from 1 to 999."),
        (9, "No room could be read from “放在门卫”."),
    ]


@pytest.fixture
def buy(world):
    HouseholdFactory(building=world.building, unit="1", room="101")
    return filed(world, buildings=[world.building, world.other_building], actor=staff_of(world))


def upload(path, name=None):
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def orders(buy):
    return sorted(GroupBuyOrder.objects.filter(group_buy=buy).values_list("household__room", "items", "quantity"))


EXPECTED = [("101", "蔬菜套餐A", 1), ("101", "鲜鸡蛋30枚", 1), ("501", "蔬菜套餐A", 3)]


@pytest.mark.django_db
def test_an_import_writes_the_orders_and_lists_the_rows_left_out(world, buy, tmp_path):
    result = group_buys.orders_import(
        actor=staff_of(world), group_buy=buy, upload=upload(platform_export(tmp_path / "o.xlsx"))
    )

    assert (result.orders, result.households) == (3, 3)
    assert orders(buy) == EXPECTED
    assert [(p.line, p.message) for p in result.problems] == [
        (7, "12-9-999 is not a room of the buildings this group buy serves."),
        (8, "The quantity “两份” is not a number from 1 to 999."),
        (9, "No room could be read from “放在门卫”."),
    ]


@pytest.mark.django_db
def test_importing_the_same_file_again_changes_nothing(world, buy, tmp_path):
    export = platform_export(tmp_path / "o.xlsx")
    group_buys.orders_import(actor=staff_of(world), group_buy=buy, upload=upload(export))

    group_buys.orders_import(actor=staff_of(world), group_buy=buy, upload=upload(export))

    assert orders(buy) == EXPECTED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("conversion", "suffix"),
    [("xlsx:Calc MS Excel 2007 XML", ".xlsx"), ("csv:Text - txt - csv (StarCalc):44,34,GB18030", ".csv")],
)
def test_the_export_saved_by_libreoffice_imports_the_same(world, buy, tmp_path, conversion, suffix):
    saved = saved_by_libreoffice(platform_export(tmp_path / "orders.xlsx"), conversion, suffix, tmp_path)

    result = group_buys.orders_import(actor=staff_of(world), group_buy=buy, upload=upload(saved))

    assert orders(buy) == EXPECTED
    assert len(result.problems) == 3


@pytest.mark.django_db
def test_a_file_without_the_columns_of_orders_imports_nothing(world, buy, tmp_path):
    path = tmp_path / "names.csv"
    path.write_text("姓名,年龄\n张三,30\n", encoding="utf-8")

    with pytest.raises(ServiceError, match="No header row names"):
        group_buys.orders_import(actor=staff_of(world), group_buy=buy, upload=upload(path))
    assert orders(buy) == []


@pytest.mark.django_db
def test_a_file_that_is_no_spreadsheet_or_a_hostile_one_imports_nothing(world, buy, tmp_path):
    fake = tmp_path / "orders.xlsx"
    fake.write_bytes(b"<html>not a workbook</html>")
    far = tmp_path / "far.xlsx"  # 2 KB declaring a cell at XFD1048576: the reader refuses it
    platform_export(far)
    with zipfile.ZipFile(far) as original:
        members = {name: original.read(name) for name in original.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    members[sheet] = members[sheet].replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    )
    with zipfile.ZipFile(far, "w") as rewritten:
        for name, data in members.items():
            rewritten.writestr(name, data)

    for path in (fake, far):
        with pytest.raises(ServiceError, match="cannot be read"):
            group_buys.orders_import(actor=staff_of(world), group_buy=buy, upload=upload(path))
    with pytest.raises(ServiceError, match=".xlsx or .csv"):
        group_buys.orders_import(actor=staff_of(world), group_buy=buy, upload=upload(fake, "orders.exe"))
    assert orders(buy) == []


def test_the_reader_takes_building_and_room_columns_too(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("楼号,单元,房号,商品,数量\n12号楼,3单元,501室,牛奶,2\n13,,1-101,牛奶,1\n", encoding="utf-8")

    reading = order_sheet.read_orders(Path(path))

    assert [(r.label, r.quantity) for r in reading.rows] == [("12-3-501", 2), ("13-1-101", 1)]
    assert reading.problems == []


@pytest.mark.django_db
def test_a_row_of_another_compound_of_the_community_is_left_out_not_taken_for_this_ones(world, buy, tmp_path):
    world.building.compound.name = "兰苑二期"
    world.building.compound.save()
    Compound.objects.create(community=world.community, name="兰苑")
    path = tmp_path / "orders.csv"
    path.write_text("地址,商品,数量\n兰苑 12-3-501,牛奶,2\n兰苑二期12-3-501,鸡蛋,1\n", encoding="utf-8")
    buy.refresh_from_db()

    result = group_buys.orders_import(actor=staff_of(world), group_buy=buy, upload=upload(path))

    assert orders(buy) == [("501", "鸡蛋", 1)]
    assert [(p.line, p.message) for p in result.problems] == [
        (2, "12-3-501 is in 兰苑: this group buy serves 兰苑二期.")
    ]


def test_a_rows_problems_read_as_one_chinese_sentence(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("地址,商品,数量\n放在门卫,,两份\n", encoding="utf-8")

    with translation.override("zh-hans"):
        (problem,) = order_sheet.read_orders(Path(path)).problems

    assert problem.message.endswith("。")
    assert "；" in problem.message
    assert "." not in problem.message


@pytest.mark.django_db
def test_a_file_too_large_is_told_so_and_imports_nothing(world, buy, tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 2**20
    path = tmp_path / "orders.csv"
    path.write_text("地址,商品,数量\n" + "12-3-501,牛奶,1\n" * 80_000, encoding="utf-8")

    with pytest.raises(ServiceError, match="larger than 1 MB"):
        group_buys.orders_import(actor=staff_of(world), group_buy=buy, upload=upload(path))
    assert orders(buy) == []
