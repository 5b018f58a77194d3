"""Rooms, buildings and compounds as people write them: 12-3-501, 12号楼501室, 12幢3单元501; a sheet
named 12号楼; a title row naming its compound (金杨新村住户信息表). Pure text: no database."""

import re

from lockdown.core import cells

BUILDING = re.compile(r"^([0-9A-Za-z]+(?:-[0-9A-Za-z]+)?)(?:号楼|幢|栋|号|座|楼)?$")
BUILDING_IN_NAME = re.compile(r"([0-9A-Za-z]+)(?:号楼|幢|栋|号|座|楼)")
UNIT = re.compile(r"^([0-9A-Za-z]+)(?:单元)?$")
ROOM_WORDS = re.compile(
    r"^(?:(?P<building>[0-9A-Za-z]+)(?:号楼|幢|栋|号|座|楼))?(?:(?P<unit>[0-9A-Za-z]+)单元)?(?P<room>[0-9A-Za-z]+)(?:室|号)?$"
)
ROOM_DASHES = re.compile(r"^[0-9A-Za-z]+(?:-[0-9A-Za-z]+){0,2}$")
TYPED_SEPARATOR = re.compile(r"\s*[-—–_/\\]\s*|\s+")  # 12/3/501, 12 3 501, 12—3—501
# A compound's name in a title row or a sheet's name: 金杨新村住户信息表 → 金杨新村.
COMPOUND_IN_TEXT = re.compile(
    r"([\u4e00-\u9fa5A-Za-z0-9]{1,15}?(?:小区|新村|花园|家园|公寓|苑|村|里|坊|城|园|庭|府|湾|邸))"
)
TITLE_PREFIX = re.compile(r"\d{4}\s*年(?:\d{1,2}\s*月)?")  # 2022年阳光花园住户信息表


def building_in_name(name):
    """The building a sheet's name gives (12号楼, 金杨一村12幢), or ""."""
    match = BUILDING_IN_NAME.search(cells.text(name))
    return match.group(1) if match else ""


def dashed(text):
    """A room typed with other separators (12/3/501, 12 3 501, 12—3—501) or with 室 after it
    (12-3-501室), written as on the door: 12-3-501. Any other text as it was."""
    candidate = re.sub(r"(?<=[0-9A-Za-z])室$", "", TYPED_SEPARATOR.sub("-", text.strip()))
    numbered = all(re.search(r"\d", part) for part in candidate.split("-"))  # not a name: Li Wei
    return candidate if ROOM_DASHES.match(candidate) and numbered else text


def split_room(raw, *, has_building):
    """(building, unit, room) as a room is written whole (12-3-501, 12号楼501室, 3-501 under a building
    column), or None when it is not a room."""
    text = raw.replace(" ", "").replace("—", "-").replace("_", "-").replace("/", "-")
    match = ROOM_WORDS.match(text)
    if match:
        return match.group("building") or "", match.group("unit") or "", match.group("room")
    if not ROOM_DASHES.match(text):
        return None
    parts = text.split("-")
    if len(parts) == 3:
        return tuple(parts)
    if has_building:
        return "", parts[0], parts[1]
    return parts[0], "", parts[1]


def building_number(raw):
    """A building cell's number: 12号楼 → 12."""
    text = cells.text(raw).replace(" ", "")
    match = BUILDING.match(text)
    return match.group(1) if match else text


def unit_number(raw):
    """A unit cell's number: 3单元 → 3."""
    text = cells.text(raw).replace(" ", "")
    match = UNIT.match(text)
    return match.group(1) if match else text


def compound_named(sheets, community_name):
    """The compound that the file's title rows name, or all its sheets' names, if exactly one: the
    words before it that name the community or a year are not part of it."""
    community = cells.name(community_name)
    for texts in ([t for s in sheets for t in s.titles], [s.name for s in sheets if s.header_line]):
        names = set()
        for text in texts:
            text = TITLE_PREFIX.sub("", cells.name(text).replace(community, " "))
            if match := COMPOUND_IN_TEXT.search(text):
                names.add(match.group(1))
        if len(names) == 1:
            return names.pop()
    return ""
