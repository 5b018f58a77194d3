"""Group buys: filed by their leader with the documents the committee asks for, approved or
rejected by staff, the households' orders entered or imported, and the goods on arrival recorded at
the gate as one parcel per household, on the parcels' own path (disinfect → hold → wave → door).

    buy = group_buy_file(actor=leader, compound=…, goods="蔬菜套餐", supplier=…, leader_name=…,
                         leader_phone=…, expected_at=…, buildings=[…])
    document_add(actor=leader, group_buy=buy, kind=Kind.DRIVER_TEST, person="王师傅", dated_at=…, file=…)
    group_buy_approve(actor=staff, group_buy=buy)   # refused with what is missing or too old
    order_set(actor=leader, group_buy=buy, household=…, items="蔬菜套餐A", quantity=2)
    group_buy_arrive(actor=staff, group_buy=buy)    # the parcels, at the gate
"""

import datetime
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from households.models import Household
from households.scoping import AreaScope
from lockdown.core.errors import NotPermitted, ServiceError
from lockdown.core.identity import mask_numbers_in, normalise_mobile
from lockdown.core.spreadsheets import UnreadableFile, require_import_size
from lockdown.core.transitions import transition

from . import gate, order_sheet, uploads
from .models import GroupBuy, GroupBuyDocument, GroupBuyEvent, GroupBuyOrder, Parcel, ParcelEvent

State = GroupBuy.State
Kind = GroupBuyDocument.Kind
TEST_VALID = datetime.timedelta(hours=48)  # a negative test counts this long, at the goods' arrival
REQUIRED = (Kind.GUARANTEE, Kind.TRANSPORT_PASS, Kind.DRIVER_TEST, Kind.LOADER_TEST)
TESTS = (Kind.DRIVER_TEST, Kind.LOADER_TEST)
NOTE_MAX = Parcel._meta.get_field("note").max_length
ARRIVED = gettext_lazy("The goods have arrived: the orders are parcels now.")


def leads(actor, group_buy, scope) -> bool:
    """The actor filed the group buy and their areas still hold one of its buildings: a leader who
    lost the role loses the group buy."""
    return group_buy.filed_by_id == actor.pk and scope.filter(group_buy.buildings.all()).exists()


def may_see(actor, group_buy, scope=None) -> bool:
    """Its leader and the committee's staff see and change a group buy."""
    scope = scope or AreaScope.for_user(actor)
    return scope.may_edit_community(group_buy.community) or leads(actor, group_buy, scope)


def may_order(actor, group_buy, building, scope=None) -> bool:
    """Orders of a building are entered by the group buy's leader, the committee's staff, and the
    building's and its zone's leaders (its group-buy administrators). `scope`: the actor's, if the
    caller has it."""
    scope = scope or AreaScope.for_user(actor)
    leads_it = building.pk in scope.leader_building_ids or building.zone_id in scope.zone_ids
    return leads_it or may_see(actor, group_buy, scope)


@transaction.atomic
def group_buy_file(
    *, actor, compound, goods, supplier, leader_name, leader_phone, expected_at, buildings, cold_chain=False
) -> GroupBuy:
    """A group buy filed with the committee, for buildings of the actor's areas; it launches only
    once staff approve it."""
    scope = AreaScope.for_user(actor)
    buildings = list(buildings)
    if not buildings:
        raise ServiceError(_("Choose the buildings the group buy serves."), field="buildings")
    if any(b.compound_id != compound.pk for b in buildings):
        raise ServiceError(_("Every building served must be in the group buy's compound."), field="buildings")
    visible = set(scope.filter(compound.buildings.all()).values_list("pk", flat=True))
    if any(b.pk not in visible for b in buildings):
        raise NotPermitted(_("A group buy serves buildings of your areas only."))
    try:
        phone = normalise_mobile(leader_phone)
    except ValueError:
        raise ServiceError(
            _("Give the group leader's mobile number: 11 digits, starting with 1."), field="leader_phone"
        ) from None
    if expected_at <= timezone.now():
        raise ServiceError(
            _("The goods are expected in the future: give the day and time they arrive."), field="expected_at"
        )
    for name, value in (("goods", goods), ("supplier", supplier), ("leader_name", leader_name)):
        if not value.strip():
            raise ServiceError(_("This is needed to file a group buy."), field=name)
    buy = GroupBuy.objects.create(
        community_id=compound.community_id,
        compound=compound,
        goods=goods.strip(),
        cold_chain=cold_chain,
        supplier=supplier.strip(),
        leader_name=leader_name.strip(),
        leader_phone=phone,
        expected_at=expected_at,
        filed_by=actor,
    )
    buy.buildings.set(buildings)
    GroupBuyEvent.objects.create(group_buy=buy, from_state="", to_state=State.FILED, actor=actor)
    return buy


@transaction.atomic
def document_add(*, actor, group_buy, kind, dated_at, file, person="") -> GroupBuyDocument:
    """A document of the group buy, with its date (a test's sampling time), while it waits for a decision."""
    _require_leader_or_staff(actor, group_buy)
    if group_buy.state not in (State.FILED, State.REJECTED):
        raise ServiceError(_("This group buy is decided: its documents stay as they were."))
    if kind not in Kind.values:
        raise ServiceError(_("Choose which document this is."), field="kind")
    if dated_at > timezone.now():
        raise ServiceError(_("A document is dated today or earlier, not in the future."), field="dated_at")
    if kind in TESTS and not person.strip():
        raise ServiceError(_("Name whose test this is."), field="person")
    uploads.require_document(file)
    return GroupBuyDocument.objects.create(
        group_buy=group_buy, kind=kind, dated_at=dated_at, file=file, person=person.strip(), uploaded_by=actor
    )


def missing_documents(group_buy) -> list[str]:
    """What keeps the group buy from approval, each in a sentence: a document missing, or a test
    that will be older than 48 hours when the goods arrive (or taken after they are due)."""
    problems = []
    documents = list(group_buy.documents.all())
    labels = dict(Kind.choices)
    for kind in REQUIRED:
        if not any(d.kind == kind for d in documents):
            problems.append(_("%(document)s is missing.") % {"document": labels[kind]})
    latest = {}  # a person's newest test of each kind: a fresh test replaces the stale one
    for document in sorted((d for d in documents if d.kind in TESTS), key=lambda d: d.dated_at):
        latest[document.kind, document.person] = document
    for document in latest.values():
        age = group_buy.expected_at - document.dated_at
        if age > TEST_VALID:
            hours = int(age.total_seconds() // 3600)
            message = _("%(document)s of %(person)s will be %(hours)s hours old when the goods arrive: over 48 hours.")
            problems.append(message % {"document": labels[document.kind], "person": document.person, "hours": hours})
    return problems


@transaction.atomic
def group_buy_approve(*, actor, group_buy) -> None:
    _require_staff(actor, group_buy)
    problems = missing_documents(group_buy)
    if problems:
        raise ServiceError(_("It cannot be approved yet: ") + " ".join(problems))
    transition(
        GroupBuy.objects,
        group_buy.pk,
        field="state",
        from_states=State.FILED,
        to_state=State.APPROVED,
        by=actor,
        event=GroupBuyEvent,
        also={"reject_reason": ""},
    )


@transaction.atomic
def group_buy_reject(*, actor, group_buy, reason) -> None:
    _require_staff(actor, group_buy)
    reason = reason.strip()
    if not reason:
        raise ServiceError(_("Say why it is rejected: its leader reads it."), field="reason")
    transition(
        GroupBuy.objects,
        group_buy.pk,
        field="state",
        from_states=State.FILED,
        to_state=State.REJECTED,
        by=actor,
        event=GroupBuyEvent,
        why=reason[:200],
        also={"reject_reason": reason[:200]},
    )


@transaction.atomic
def group_buy_refile(*, actor, group_buy) -> None:
    """A rejected group buy, put right, is filed again for a decision."""
    _require_leader_or_staff(actor, group_buy)
    transition(
        GroupBuy.objects,
        group_buy.pk,
        field="state",
        from_states=State.REJECTED,
        to_state=State.FILED,
        by=actor,
        event=GroupBuyEvent,
    )


@transaction.atomic
def order_set(*, actor, group_buy, household, items, quantity) -> GroupBuyOrder | None:
    """The household's order of `items`: `quantity` of it (0 takes the order back)."""
    if not group_buy.buildings.filter(pk=household.building_id).exists():
        raise ServiceError(
            _("This group buy does not serve %(room)s's building.") % {"room": household.label}, field="room"
        )
    if not may_order(actor, group_buy, household.building):
        raise NotPermitted(_("Only its leader, the committee and the building's leaders enter its orders."))
    _require_open_for_orders(group_buy)
    items = items.strip()
    if not items:
        raise ServiceError(_("Say what the household orders."), field="items")
    if quantity == 0:
        GroupBuyOrder.objects.filter(group_buy=group_buy, household=household, items=items).delete()
        return None
    order, _new = GroupBuyOrder.objects.update_or_create(
        group_buy=group_buy,
        household=household,
        items=items,
        defaults={"quantity": quantity, "building_id": household.building_id, "entered_by": actor},
    )
    return order


def _require_open_for_orders(group_buy):
    """Refused once the goods arrived. The group buy's row stays locked to the end of the caller's
    transaction: an arrival recorded meanwhile waits, and makes parcels of this order too."""
    state = GroupBuy.objects.select_for_update().filter(pk=group_buy.pk).values_list("state", flat=True).first()
    if state == State.ARRIVED:
        raise ServiceError(str(ARRIVED))


@transaction.atomic
def group_buy_arrive(*, actor, group_buy) -> int:
    """The goods are at the gate: one parcel per household that ordered, noting what it holds,
    received now and on the parcels' way. Of two people pressing it at once, one records them."""
    gate.require_gate(actor, group_buy.compound)
    transition(
        GroupBuy.objects,
        group_buy.pk,
        field="state",
        from_states=State.APPROVED,
        to_state=State.ARRIVED,
        by=actor,
        event=GroupBuyEvent,
    )
    contents = {}
    for household_id, items, quantity in group_buy.orders.order_by("household_id", "items").values_list(
        "household_id", "items", "quantity"
    ):
        contents.setdefault(household_id, []).append(f"{items}×{quantity}")
    households = Household.objects.filter(pk__in=contents).select_related("building")
    now = timezone.now()
    note = _("Group buy %(goods)s: %(items)s")
    goods = {household_id: "、".join(items) for household_id, items in contents.items()}
    parcels = Parcel.objects.bulk_create(
        Parcel(
            household=household,
            building=household.building,
            compound_id=household.building.compound_id,
            community_id=household.community_id,
            note=mask_numbers_in(note % {"goods": group_buy.goods, "items": goods[household.pk]})[:NOTE_MAX],
            cold_chain=group_buy.cold_chain,
            received_at=now,
            received_by=actor,
            group_buy=group_buy,
        )
        for household in households
    )
    ParcelEvent.objects.bulk_create(
        ParcelEvent(parcel=parcel, from_state="", to_state=Parcel.State.RECEIVED, actor=actor, at=now)
        for parcel in parcels
    )
    return len(parcels)


def _require_staff(actor, group_buy):
    if not AreaScope.for_user(actor).may_edit_community(group_buy.community):
        raise NotPermitted(_("Only the committee's staff decide on a group buy."))


def _require_leader_or_staff(actor, group_buy):
    if not may_see(actor, group_buy):
        raise NotPermitted(_("Only its leader and the committee's staff change a group buy."))


@dataclass(frozen=True)
class OrdersImported:
    orders: int  # orders written (new or with their quantity replaced)
    households: int
    problems: list  # order_sheet.RowProblem: the rows not taken, each with its reason


SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")


def orders_import(*, actor, group_buy, upload) -> OrdersImported:
    """The orders of the platform's export: each row's room found among the buildings the group buy
    serves; a row that is no order, or no room of them, is left out with its reason. The same
    household's item twice is one order of their sum; importing the file again gives the same orders."""
    _require_leader_or_staff(actor, group_buy)
    if group_buy.state == State.ARRIVED:  # at once; _orders_write asks again, under the lock
        raise ServiceError(str(ARRIVED))
    name = Path(upload.name).name
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ServiceError(_("Send the platform's export as .xlsx or .csv."), field="file")
    require_import_size(upload)  # the register's bound: an order list is far smaller
    with tempfile.NamedTemporaryFile(suffix=suffix) as copy:
        for chunk in upload.chunks():
            copy.write(chunk)
        copy.flush()
        try:
            reading = order_sheet.read_orders(Path(copy.name), csv_name=Path(name).stem)
        except (UnreadableFile, ValueError):
            raise ServiceError(
                _("This file cannot be read as a spreadsheet of orders: open it, save it as .xlsx and send it again."),
                field="file",
            ) from None
    if reading.missing:
        message = _("No header row names %(columns)s: nothing was imported.") % {"columns": "、".join(reading.missing)}
        raise ServiceError(message, field="file")
    exact, without_unit = {}, {}  # a row may leave out the unit (12-501) where only one unit has the room
    served = Household.objects.filter(building__in=group_buy.buildings.all())
    for pk, number, unit, room in served.values_list("pk", "building__number", "unit", "room"):
        exact[number, unit, room] = pk
        without_unit.setdefault((number, room), []).append(pk)
    compounds = list(group_buy.community.compounds.values_list("name", flat=True))
    wanted, problems = {}, list(reading.problems)
    for row in reading.rows:
        elsewhere = _other_compound(row.before_room, compounds, group_buy.compound.name)
        if elsewhere:
            message = _("%(room)s is in %(named)s: this group buy serves %(compound)s.")
            params = {"room": row.label, "named": elsewhere, "compound": group_buy.compound.name}
            problems.append(order_sheet.RowProblem(row.sheet, row.line, message % params))
            continue
        pk = exact.get((row.building, row.unit, row.room))
        candidates = without_unit.get((row.building, row.room), [])
        if pk is None and not row.unit and len(candidates) == 1:
            pk = candidates[0]
        if pk is None:
            message = _("%(room)s is not a room of the buildings this group buy serves.") % {"room": row.label}
            problems.append(order_sheet.RowProblem(row.sheet, row.line, message))
            continue
        wanted[pk, row.items] = wanted.get((pk, row.items), 0) + row.quantity
    _orders_write(actor, group_buy, wanted)
    problems.sort(key=lambda problem: (problem.sheet, problem.line))
    return OrdersImported(len(wanted), len({pk for pk, _items in wanted}), problems)


def _other_compound(text, names, own) -> str:
    """The compound an address names, when it is another than the group buy's: the longest name it
    holds wins, so 兰苑二期 is not taken for 兰苑."""
    named = max((name for name in names if name and name in text), key=len, default="")
    return named if named and named != own else ""


@transaction.atomic
def _orders_write(actor, group_buy, wanted):
    """The orders of `wanted` ({(household, items): quantity}) as they are there, in a few statements."""
    _require_open_for_orders(group_buy)
    buildings = dict(Household.objects.filter(pk__in={pk for pk, _items in wanted}).values_list("pk", "building_id"))
    keys = Q(pk__in=[])
    for household_id, items in wanted:
        keys |= Q(household_id=household_id, items=items)
    GroupBuyOrder.objects.filter(keys, group_buy=group_buy).delete()
    GroupBuyOrder.objects.bulk_create(
        GroupBuyOrder(
            group_buy=group_buy,
            household_id=household_id,
            building_id=buildings[household_id],
            items=items,
            quantity=quantity,
            entered_by=actor,
        )
        for (household_id, items), quantity in wanted.items()
    )
