"""Reads of the register that are more than a filter. Each takes the caller's scope first."""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, FilteredRelation, Q
from django.utils.translation import gettext as _

from lockdown.core.errors import ServiceError
from lockdown.core.identity import to_halfwidth
from lockdown.core.text import clean_line

from .models import (
    Building,
    Compound,
    Household,
    Presence,
    Resident,
    ResidentTag,
    Tag,
    compound_shown,
    room_label,
)
from .residents import last4
from .rooms import ROOM_WORDS, dashed

ROOM_QUERY = re.compile(r"^(?P<building>[0-9A-Za-z]+)-(?:(?P<unit>[0-9A-Za-z]+)-)?(?P<room>[0-9A-Za-z]+)$")
# A compound's name run into the room: 金杨一村12-3-501 (the name ends in a character that is no part of a room).
COMPOUND_AND_ROOM = re.compile(r"^(?P<compound>.*[^0-9A-Za-z\s-])\s*(?P<room>[0-9A-Za-z]+(?:-[0-9A-Za-z]+){1,2})$")
TAIL_QUERY = re.compile(r"^\d{3,}[\dXx]$")
SEARCH_LIMIT = 50
MATCHES_LIMIT = 20  # the households a typed room may mean, offered to choose from


@dataclass
class AreaCounts:
    households: int = 0
    residents: int = 0
    away: int = 0
    tags: dict = field(default_factory=dict)

    def add(self, other):
        self.households += other.households
        self.residents += other.residents
        self.away += other.away
        for tag, n in other.tags.items():
            self.tags[tag] = self.tags.get(tag, 0) + n

    def tag_list(self):
        return [(tag, label, self.tags.get(tag, 0)) for tag, label in Tag.choices]

    def tag_counts(self):
        """The count of each key population, in the order of Tag (the table's columns)."""
        return [self.tags.get(tag, 0) for tag in Tag.values]


@dataclass
class BuildingRow:
    building: Building
    counts: AreaCounts


@dataclass
class ZoneGroup:
    zone: object  # a Zone, or None for buildings not yet put in a zone
    rows: list
    counts: AreaCounts = field(default_factory=AreaCounts)


@dataclass
class CompoundGroup:
    compound: Compound
    zones: list  # ZoneGroups
    counts: AreaCounts = field(default_factory=AreaCounts)


def area_overview(scope, *, buildings):
    """Counts per building, grouped by compound and within it by zone, with totals: three aggregate
    queries whatever the size. Returns ([CompoundGroup], AreaCounts)."""
    buildings = (
        scope.filter(buildings)
        .select_related("zone", "compound")
        .annotate(n_households=Count("households"))
        .order_by("compound__name", "zone__name", "sort_key", "number")
    )
    rows = {b.pk: BuildingRow(b, AreaCounts(households=b.n_households)) for b in buildings}
    residents = Resident.objects.current().filter(building_id__in=list(rows))
    people = residents.values_list("building_id").annotate(
        n=Count("id"), away=Count("id", filter=Q(presence=Presence.AWAY))
    )
    for building_id, n, away in people.order_by():
        rows[building_id].counts.residents, rows[building_id].counts.away = n, away
    # A semi-join on the current residents read above, not a join on their presence: that join had
    # PostgreSQL scan every resident of the street.
    tags = ResidentTag.objects.filter(building_id__in=list(rows), resident__in=residents)
    for building_id, tag, n in tags.values_list("building_id", "tag").annotate(n=Count("id")).order_by():
        rows[building_id].counts.tags[tag] = n
    groups, total = [], AreaCounts()
    for row in rows.values():
        building = row.building
        if not groups or groups[-1].compound != building.compound:
            groups.append(CompoundGroup(compound=building.compound, zones=[]))
        zones = groups[-1].zones
        if not zones or zones[-1].zone != building.zone:
            zones.append(ZoneGroup(zone=building.zone, rows=[]))
        zones[-1].rows.append(row)
        for counts in (zones[-1].counts, groups[-1].counts, total):
            counts.add(row.counts)
    return groups, total


# Lists read rows (plain objects made from .values()), not model instances: building a few hundred
# instances cost more than the queries that fetched them.
Row = SimpleNamespace
TAG_FIELDS = ("tag", "note", "condition", "medicine", "due_date")
# The columns of the resident table (search, key population).
TABLE_FIELDS = ("id", "household_id", "name", "sex", "birth_date", "phone", "presence")
TABLE_ROOM_FIELDS = ("building__number", "household__unit", "household__room")
# What decides the role over each row's building (AreaScope.permissions_of), read with the row.
TABLE_AREA_FIELDS = ("building_id", "community_id", "community__street_id", "building__zone_id")


def with_labels(residents, tags=None):
    """Give each resident (a Resident or a row) its `presence_label` and `tag_list`, reading the tags
    of all of them in one query: `tags`, a queryset of ResidentTag that holds theirs, or by default
    their own. Tags come as rows of tag, label, note, condition, medicine and due_date."""
    residents = list(residents)
    tag_labels = {value: str(label) for value, label in Tag.choices}
    presence_labels = {value: str(label) for value, label in Presence.choices}
    if tags is None:
        tags = ResidentTag.objects.filter(resident__in=[r.id for r in residents])
    by_resident = defaultdict(list)
    for tag in tags.order_by("tag").values("resident_id", *TAG_FIELDS):
        by_resident[tag.pop("resident_id")].append(Row(**tag, label=tag_labels[tag["tag"]]))
    for resident in residents:
        resident.tag_list = by_resident[resident.id]
        resident.presence_label = presence_labels[resident.presence]
    return residents


def table_rows(scope, residents):
    """`residents` (a queryset) as rows of the resident table, with the room as on the door (its
    compound first where the community has several), and each field as the role over the row's
    building reads it (a volunteer's rows carry no numbers)."""
    rows = []
    fields = (*TABLE_FIELDS, *TABLE_ROOM_FIELDS, *TABLE_AREA_FIELDS)
    for values in residents.annotate(compound=compound_shown()).values(*fields, "compound"):
        label = room_label(*(values.pop(name) for name in (*TABLE_ROOM_FIELDS, "compound")))
        permissions = scope.permissions_of(*(values.pop(name) for name in TABLE_AREA_FIELDS))
        rows.append(Row(**permissions.readable(values), room_label=label))
    return with_labels(rows)


def building_households(scope, *, building):
    """The building's households room by room, each a row with `people`: its current residents.
    One query for households and residents together, one for their tags."""
    current = FilteredRelation("residents", condition=~Q(residents__presence=Presence.MOVED_OUT))
    rows = (
        scope.filter(Household.objects.filter(building=building))
        .annotate(person=current)
        .order_by("unit", "room", "person__id")
        .values_list("id", "unit", "room", "person__id", "person__name", "person__presence")
    )
    households, people = {}, []
    for household_id, unit, room, resident_id, name, presence in rows:
        household = households.get(household_id)
        if household is None:
            household = households[household_id] = Row(id=household_id, unit=unit, room=room, people=[])
        if resident_id is not None:
            person = Row(id=resident_id, name=name, presence=presence)
            household.people.append(person)
            people.append(person)
    with_labels(people, tags=ResidentTag.objects.filter(building=building))
    return list(households.values())


def parse_room(text):
    """A room written as on the door (12-3-501, 12-501) or in words (12号楼3单元501室), or with its
    compound first as the pages write it (金杨一村 12-3-501), with or without the space
    (金杨一村12-3-501): (compound or "", the match of ROOM_QUERY), or None."""
    text = dashed(to_halfwidth(text).strip())
    words = ROOM_WORDS.match(text.replace(" ", ""))
    if words and words["building"]:  # 12号楼3单元501室, as people write it on a form: 12-3-501
        text = "-".join(part for part in (words["building"], words["unit"], words["room"]) if part)
    match = ROOM_QUERY.match(text.replace(" ", ""))
    if match:
        return "", match
    compound, _space, room = text.rpartition(" ")
    match = ROOM_QUERY.match(room)
    if match and compound.strip():
        return compound.strip(), match
    joined = COMPOUND_AND_ROOM.match(text)
    return (joined["compound"], ROOM_QUERY.match(joined["room"])) if joined else None


@dataclass
class RoomMatches:
    """The households a typed room may mean; `certain` when it means exactly one and names no
    compound that differs from its own, else the person chooses among `households`."""

    households: list
    certain: bool


def households_by_label(scope, community_id, label):
    """The households of one community within the account's areas that a room written as on the door
    may mean (12-3-501, 12-501), its compound first or not (金杨一村 12-3-501, or the start of the
    compound's name: 金杨 12-3-501), each with its building and compound.

    Never a guess: where the community has the room in several compounds or units and the text names
    none of them, or names a compound that has no such room, every household it may be is returned
    uncertain, for the form to ask. Raises ServiceError where there is none."""
    parsed = parse_room(label)
    households, rooms = [], Household.objects.none()
    if parsed:
        compound, match = parsed
        rooms = Household.objects.filter(
            community_id=community_id, building__number=match["building"], room=match["room"]
        )
        if match["unit"]:  # 12-501 without one: any unit's 501
            rooms = rooms.filter(unit=match["unit"])
        households = list(
            scope.filter(rooms)
            .select_related("building__community", "building__compound")
            .order_by("building__compound__name", "id")[:MATCHES_LIMIT]
        )
    if not households:
        if rooms.exists():  # a door anyone can see: say so, rather than that it is not there
            raise ServiceError(_("%(label)s is not in your areas.") % {"label": label}, field="room")
        raise ServiceError(_("There is no room %(label)s in this community.") % {"label": label}, field="room")
    named = households
    if compound:
        named = [h for h in households if h.building.compound.name == compound] or [
            h for h in households if h.building.compound.name.startswith(compound)
        ]
    if len(named) == 1:
        return RoomMatches([named[0]], certain=True)
    return RoomMatches(named or households, certain=False)


def households_by_resident(scope, compound_id, text):
    """The households of a compound, within the account's areas, whose current residents the name,
    its pinyin initials or the phone's last digits written on a parcel may mean (as the search reads
    them: digits only where the role reads the number). Always uncertain: the person taps the one
    meant. Raises ServiceError where there is none."""
    residents, kind = matching_residents(scope, text)
    households = []
    if residents is not None and kind != "room":
        ids = residents.filter(building__compound_id=compound_id).values("household_id")
        households = list(
            Household.objects.filter(pk__in=ids[:MATCHES_LIMIT])
            .select_related("building__community", "building__compound")
            .order_by("building__sort_key", "unit", "room")
        )
    if not households:
        message = _("Nobody here is called or numbered %(text)s: type the room as on the door, 12-3-501.")
        raise ServiceError(message % {"text": text}, field="room")
    return RoomMatches(households, certain=False)


def name_residents(households):
    """Each household's `residents_named`: its current residents' names, as its button shows them
    (one query, for the households a person chooses among)."""
    names = defaultdict(list)
    people = Resident.objects.current().filter(household__in=[h.pk for h in households]).order_by("id")
    for household_id, name in people.values_list("household_id", "name"):
        names[household_id].append(name)
    for household in households:
        household.residents_named = names[household.pk]


def household_history(household, permissions, limit=100):
    """The household's latest changes, each with `lines`: (field label, before, after) in words, each
    value as `permissions` reads its field (a leader reads a birth date's month, not the day)."""
    changes = list(household.changes.select_related("actor", "resident")[:limit])
    for change in changes:
        change.lines = [
            describe_change(name, *history_as_read(permissions, change, name, values))
            for name, values in change.changes.items()
        ]
    return changes


# History names that are not a field's own name: the moved resident's rooms, an import's new residents.
_HISTORY_FIELDS = {"household": (Resident, "household"), "residents": (Resident, "name")}


def history_as_read(permissions, change, name, values):
    """An entry's [before, after] of `name` as the role reads that field (scoping.FIELDS): a tag's
    details ("tag:chronic:condition") as ResidentTag's, a household's own change as Household's."""
    if name.startswith("tag:"):
        model, field_name = ResidentTag, name[4:].partition(":")[2] or "tag"
    elif name in _HISTORY_FIELDS:
        model, field_name = _HISTORY_FIELDS[name]
    else:
        model, field_name = (Household if change.resident_id is None else Resident), name
    read = [permissions.read(field_name, value, of=model) for value in values]
    return ["" if value is None else value for value in read]


def describe_change(name, before, after):
    if name == "residents":
        return _("residents"), before, after
    if name.startswith("tag:"):
        tag, _colon, detail = name[4:].partition(":")
        if detail:  # a tag's note, condition, medicine or due date
            return f"{Tag(tag).label} · {ResidentTag._meta.get_field(detail).verbose_name}", before, after
        return Tag(tag).label, _yes_no(before), _yes_no(after)
    model = Household if name in ("unit", "room", "notes") else Resident
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name, before, after
    if isinstance(after, bool):
        return model_field.verbose_name, _yes_no(before), _yes_no(after)
    choices = dict(model_field.flatchoices)
    return model_field.verbose_name, choices.get(before, before), choices.get(after, after)


def _yes_no(value):
    return _("yes") if value else _("no")


def resident_search(scope, query):
    """Residents matching a name, pinyin initials, a room (12-501, 12-3-501, 金杨一村 12-3-501) or the
    last digits of a phone or ID number. Returns (residents, kind) with at most SEARCH_LIMIT + 1
    residents, so the page can say there are more."""
    residents, kind = matching_residents(scope, query)
    if residents is None:
        return [], ""
    found = residents.order_by("building__sort_key", "household_id", "id")
    return table_rows(scope, found[: SEARCH_LIMIT + 1]), kind


def matching_residents(scope, query):
    """(the current residents of the account's areas that `query` means, how it was read: "room",
    "digits", "initials" or "name"); (None, "") where it means nothing (empty, or too few digits)."""
    query = clean_line(query)  # a NUL or an invisible character typed into the box is dropped, the rest searched
    parsed = parse_room(query)
    query = to_halfwidth(query).strip().replace(" ", "")
    if not query:
        return None, ""
    residents = scope.filter(Resident.objects.current())
    if parsed:
        kind, (compound, room) = "room", parsed
        residents = residents.filter(building__number=room["building"], household__room=room["room"])
        if room["unit"]:
            residents = residents.filter(household__unit=room["unit"])
        if compound:  # its name or the start of it, as the move form reads it
            residents = residents.filter(building__compound__name__startswith=compound)
    elif TAIL_QUERY.match(query):
        # Only where the account's role reads the number: nobody finds whose number it is otherwise.
        kind, tail = "digits", query.upper()
        by_phone = Q(phone_last4=last4(tail), phone__endswith=tail) & _where_read(scope, "phone")
        by_id = Q(id_last4=last4(tail), id_number__endswith=tail) & _where_read(scope, "id_number")
        residents = residents.filter(by_phone | by_id)
    elif query.isdigit():
        return None, ""  # too few digits to mean anything: the page asks for more
    elif query.isascii() and query.isalpha():
        kind = "initials"
        residents = residents.filter(name_initials__startswith=query.lower())
    else:
        kind = "name"
        residents = residents.filter(name__startswith=query)
    return residents, kind


def _where_read(scope, name):
    """The residents whose field `name` the account reads: no condition where it reads it everywhere."""
    reading = scope.reading(name)
    return Q() if reading == scope else reading.where(Resident)


def key_population(scope, *, tag="", zone_id=None, building_id=None):
    """Current residents with at least one key-population tag (or the given one), in room order.
    A queryset to paginate: pass the page through table_rows(scope, page)."""
    tagged = scope.filter(ResidentTag.objects.filter(tag=tag) if tag else ResidentTag.objects.all())
    if zone_id:
        tagged = tagged.filter(building__zone_id=zone_id)
    if building_id:
        tagged = tagged.filter(building_id=building_id)
    residents = scope.filter(Resident.objects.current()).filter(pk__in=tagged.values("resident_id"))
    return residents.order_by("building__sort_key", "building__number", "household_id", "id")
