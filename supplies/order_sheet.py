"""A group-buy platform's export (.xlsx or .csv) → orders, and the reasons for the rows it cannot
take. The file is read by the register's sandboxed reader (lockdown.core.spreadsheets: a child
process under memory and CPU limits, so that a hostile file fails alone); the header is found under
any title rows, by the column names such platforms use; rooms are read as the register reads them
(households.rooms: 12-3-501, 12号楼3单元501室, an address with the compound first). Touches no
database: the orders' households are found by the service (group_buys.orders_import)."""

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from households import rooms
from households.vocabulary import header_key
from lockdown.core import cells
from lockdown.core.spreadsheets import read_sheets

HEADER_SEARCH_ROWS = 20
MAX_ORDERS = 20_000  # a compound's group buy has hundreds; past this the file is not one
QUANTITY_MAX = 999
# The names platforms (快团团, 群接龙, 微信接龙 copied into a sheet) and committees give each column.
ALIASES = {
    "building": ("楼栋", "楼号", "楼", "栋", "幢", "楼栋号", "楼幢", "building"),
    "unit": ("单元", "单元号", "unit"),
    "room": ("房号", "室", "门牌号", "房间号", "户号", "房间", "room"),
    "address": ("地址", "收货地址", "详细地址", "住址", "楼栋房号", "楼号房号", "门牌", "收件地址", "address"),
    "name": ("姓名", "收货人", "收件人", "昵称", "下单人", "团员", "微信昵称", "name"),
    "phone": ("手机", "手机号", "手机号码", "电话", "联系电话", "收货人手机", "收货人电话", "联系方式", "phone"),
    "items": ("商品", "商品名称", "品名", "规格", "商品规格", "货品", "套餐", "商品信息", "items", "goods"),
    "quantity": ("数量", "购买数量", "件数", "份数", "商品数量", "quantity"),
}
COLUMNS = {header_key(alias): name for name, aliases in ALIASES.items() for alias in aliases}
ROOM_AT_END = re.compile(r"([0-9A-Za-z]+(?:号楼|幢|栋|号|座|楼|-))([0-9A-Za-z]+(?:单元|-))?([0-9A-Za-z]+)(?:室|号)?$")
QUANTITY = re.compile(r"^(\d{1,4})(?:\.0+)?\s*(?:份|件|箱|袋|盒|个|斤|瓶|桶)?$")
TOTALS = re.compile(r"合计|小计|总计|共计")


@dataclass(frozen=True)
class OrderRow:
    sheet: str
    line: int
    building: str
    unit: str
    room: str
    name: str
    phone: str
    items: str
    quantity: int
    before_room: str = ""  # what the address writes before the room: a compound's name, the city's

    @property
    def label(self):
        return "-".join(part for part in (self.building, self.unit, self.room) if part)


@dataclass(frozen=True)
class RowProblem:
    sheet: str
    line: int
    message: str


@dataclass
class OrderReading:
    rows: list[OrderRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # the columns no sheet has: nothing can be read


def read_orders(path: Path, *, csv_name=None) -> OrderReading:
    """Every sheet's orders. Raises lockdown.core.spreadsheets.UnreadableFile for a file it cannot read."""
    reading = OrderReading()
    found_header = False
    for sheet in read_sheets(path, csv_name=csv_name):
        columns = None
        for line, cells_ in sheet.rows:
            if columns is None:
                columns = _header(cells_) if line <= HEADER_SEARCH_ROWS else {}
                if columns == {}:
                    break
                if columns is not None:
                    found_header = True
                continue
            _row(sheet.name, line, cells_, columns, reading)
            if len(reading.rows) > MAX_ORDERS:
                raise ValueError("too many orders")
    if not found_header:
        reading.missing = [_("a room (房号 or 地址)"), _("the item (商品)"), _("the quantity (数量)")]
    return reading


def _header(row):
    """{field: column index} when `row` is the header (a room, the item and the quantity named);
    None to look at the next row."""
    named = {}
    for index, cell in enumerate(row):
        name = COLUMNS.get(header_key(cell))
        if name and name not in named:
            named[name] = index
    has_room = "address" in named or "room" in named
    return named if has_room and "items" in named and "quantity" in named else None


def _row(sheet, line, row, columns, reading):
    value = {name: cells.text(row[index]) if index < len(row) else "" for name, index in columns.items()}
    if not any(value.values()) or any(TOTALS.search(cells.text(cell)) for cell in row if cell is not None):
        return  # a blank line, or the platform's totals at the foot
    problems = []
    place = _room(value)
    if place is None:
        problems.append(
            _("no room could be read from “%(text)s”") % {"text": value.get("address") or value.get("room", "")}
        )
    items = value.get("items", "")[:100]
    if not items:
        problems.append(_("no item"))
    match = QUANTITY.match(value.get("quantity", "").replace(" ", ""))
    quantity = int(match.group(1)) if match else 0
    if not 1 <= quantity <= QUANTITY_MAX:
        problems.append(
            _("the quantity “%(text)s” is not a number from 1 to 999") % {"text": value.get("quantity", "")}
        )
    phone = ""
    if value.get("phone"):
        try:
            found, _others = cells.mobiles(value["phone"])
            phone = found[0] if found else ""
        except cells.CellError:
            phone = ""  # a wrong number does not lose the order: the room says whose it is
    if problems:
        message = pgettext("between a row's problems", "; ").join(problems)
        message = pgettext("a row's problems", "%(problems)s.") % {"problems": message[:1].upper() + message[1:]}
        reading.problems.append(RowProblem(sheet, line, message))
        return
    building, unit, room, before_room = place
    name = value.get("name", "")[:50]
    reading.rows.append(OrderRow(sheet, line, building, unit, room, name, phone, items, quantity, before_room))


def _room(value):
    """(building, unit, room, the address's words before the room) from the building, unit and room
    columns, or from an address that may start with the compound's name: None if there is none."""
    if value.get("room"):
        has_building = bool(value.get("building"))
        split = rooms.split_room(value["room"], has_building=has_building)
        if split is not None:
            building, unit, room = split
            building = building or rooms.building_number(value.get("building", ""))
            unit = unit or rooms.unit_number(value.get("unit", ""))
            if building:
                return building, unit, room, ""
    text = (value.get("address") or value.get("room") or "").replace(" ", "").replace("—", "-")
    match = ROOM_AT_END.search(text)
    if not match:
        return None
    building, unit = match.group(1).rstrip("号楼幢栋座-"), (match.group(2) or "").rstrip("单元-")
    return building, unit, match.group(3), text[: match.start()]
