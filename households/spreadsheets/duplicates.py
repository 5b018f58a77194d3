"""The same person on several rows of a file: found before anything else is judged, held back until
the admin keeps one of the rows.

Two rows are the same person when they carry the same ID number, or the same name in the same room
(namesakes in one room are two people only when each carries an ID number of their own), or when
both match the same resident of the register. Rows that are the same person form one Duplicate,
whatever else is wrong with them; none of its rows is loaded until the admin keeps one of them.
"""

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass

from households.choices import DocumentType
from households.residents import room_label

# Why rows are the same person.
SAME_ID, SAME_NAME, SAME_RESIDENT = "id", "name", "resident"


@dataclass(frozen=True)
class DuplicateRow:
    sheet: str
    line: int
    name: str
    room: str
    problems: tuple[str, ...] = ()  # what else is wrong with the row, if it were kept


@dataclass(frozen=True)
class Duplicate:
    key: str  # the same for the same rows at every reading of the file: the admin's choice refers to it
    why: tuple[str, ...]  # SAME_ID, SAME_NAME, SAME_RESIDENT
    rows: tuple[DuplicateRow, ...]

    def as_json(self):
        return {
            "key": self.key,
            "why": list(self.why),
            "rows": [
                {"sheet": r.sheet, "line": r.line, "name": r.name, "room": r.room, "problems": list(r.problems)}
                for r in self.rows
            ],
        }


def duplicate_key(refs):
    """A short fingerprint of a group of (sheet, line) refs."""
    text = json.dumps(sorted([sheet, line] for sheet, line in refs), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class People:
    """Collects who each line of the file is, as the lines are read; then holds back the same person twice."""

    def __init__(self):
        # Each line is indexed by its ImportRow, or by an _Unloaded for a line with problems: a street's
        # file has 100,000 lines, and their rows are in memory anyway. A ref is (sheet, line).
        self.by_id = defaultdict(list)  # (document type, number as written) → [line]
        self.by_name = defaultdict(list)  # (compound, building, unit, room, name) → [line]
        self.sheets = {}  # sheet → its place in the file
        self.unknown = {}  # ref → the (field, phrase) pairs it added to the reading

    def add(self, sheet, line, name, place, found, built, reading):
        """One line's identity, and its results into the reading: its row, its problems, its words."""
        ref = (sheet, line)
        self.sheets.setdefault(sheet, len(self.sheets))
        if built is None:
            room = room_label(*place) if place else found.values.get("room", "")
            entry = _Unloaded(sheet, line, name, room, bool(found.id_text))
        else:
            entry = built
        if found.id_text:
            self.by_id[found.values.get("document_type") or DocumentType.MAINLAND_ID, found.id_text].append(entry)
        if name and place:
            compound = built.compound if built else found.values.get("compound", "")
            self.by_name[(compound, *place, name)].append(entry)
        if built is not None:
            reading.rows.append(built)
        reading.errors.extend(found.errors)
        reading.kept.extend(found.kept)
        if found.unknown:
            reading.unknown.update(dict.fromkeys(found.unknown, 1))
            self.unknown[ref] = found.unknown
        if found.explained:
            reading.explained.update(dict.fromkeys(found.explained, 1))
        if found.rounded_id:
            reading.rounded_ids += 1
            reading.without_id += built is not None

    def groups(self):
        """Lists of refs that are one person, each in file order."""
        parent = {}

        def root(ref):
            while parent.get(ref, ref) != ref:
                ref = parent[ref]
            return ref

        def join(refs, why):
            first = root(refs[0])
            reasons[first].add(why)
            for ref in refs[1:]:
                other = root(ref)
                if other != first:
                    parent[other] = first
                    reasons[first] |= reasons.pop(other, set())

        reasons, self.grouped = defaultdict(set), {}  # grouped: ref → line, of the lines in a group
        for members in self.by_id.values():
            if len(members) > 1:
                join([(e.sheet, e.line) for e in members], SAME_ID)
                self.grouped |= {(e.sheet, e.line): e for e in members}
        for members in self.by_name.values():
            if len(members) > 1 and not all(self._carries_id(e) for e in members):
                join([(e.sheet, e.line) for e in members], SAME_NAME)
                self.grouped |= {(e.sheet, e.line): e for e in members}
        grouped = defaultdict(list)
        for ref in self.grouped:
            grouped[root(ref)].append(ref)
        return [
            (sorted(refs, key=lambda ref: (self.sheets[ref[0]], ref[1])), tuple(sorted(reasons[top])))
            for top, refs in grouped.items()
        ]

    def hold_back(self, reading, keep):
        """Take every line that is the same person as another out of the reading, unless the admin kept
        one of them (then the others are left out); each group held back becomes one Duplicate."""
        held, duplicates, resolved = set(), [], []
        for refs, why in self.groups():
            key = duplicate_key(refs)
            kept = _kept_index(keep.get(key), len(refs))
            if kept is not None:
                held |= {ref for index, ref in enumerate(refs) if index != kept}
                reading.left_out += len(refs) - 1
                resolved.append((key, why, refs))
                continue
            held |= set(refs)
            duplicates.append((key, why, refs))
        if not held:
            return
        problems = defaultdict(list)
        for error in reading.errors:
            if (error.sheet, error.line) in held:
                problems[error.sheet, error.line].append(f"{error.column}：{error.message}")
        reading.rows = [row for row in reading.rows if (row.sheet, row.line) not in held]
        reading.errors = [e for e in reading.errors if (e.sheet, e.line) not in held]
        reading.kept = [e for e in reading.kept if (e.sheet, e.line) not in held]
        for ref in held & self.unknown.keys():
            reading.unknown.subtract(dict.fromkeys(self.unknown[ref], 1))
        reading.unknown = +reading.unknown  # drop the words no row carries any more
        for found, groups in ((reading.duplicates, duplicates), (reading.resolved, resolved)):
            found.extend(
                Duplicate(key, why, tuple(DuplicateRow(*ref, *self._who(ref), tuple(problems[ref])) for ref in refs))
                for key, why, refs in groups
            )

    @staticmethod
    def _carries_id(entry):
        """Whether the line has an ID number of its own; one a spreadsheet rounded tells nobody apart."""
        if isinstance(entry, _Unloaded):
            return entry.carries_id
        return bool(entry.id_number)

    def _who(self, ref):
        """(name, room label) of a line in a group."""
        entry = self.grouped[ref]
        if isinstance(entry, _Unloaded):
            return entry.name, entry.room
        return entry.name, room_label(entry.building, entry.unit, entry.room)


@dataclass(frozen=True, slots=True)
class _Unloaded:
    """A line with problems: as much of it as finds the same person twice."""

    sheet: str
    line: int
    name: str
    room: str  # as a label, or as written
    carries_id: bool


def _kept_index(chosen, count):
    try:
        index = int(chosen)
    except (TypeError, ValueError):
        return None
    return index if 0 <= index < count else None


def register_duplicates(rows_by_resident, keep):
    """Rows of the file that match one resident of the register: (rows to go on, Duplicates held back,
    Duplicates the admin resolved, rows left out).

    rows_by_resident: resident id → the ImportRows, two or more, in file order. The rows to go on are
    the ones the admin kept.
    """
    going_on, duplicates, resolved, left_out = [], [], [], 0
    for rows in rows_by_resident.values():
        refs = [(row.sheet, row.line) for row in rows]
        key = duplicate_key(refs)
        kept = _kept_index(keep.get(key), len(rows))
        duplicate = Duplicate(
            key,
            (SAME_RESIDENT,),
            tuple(DuplicateRow(row.sheet, row.line, row.name, room_label(*row.household_key[1:])) for row in rows),
        )
        if kept is None:
            duplicates.append(duplicate)
            continue
        going_on.append(rows[kept])
        left_out += len(rows) - 1
        resolved.append(duplicate)
    return going_on, duplicates, resolved, left_out
