"""Filters for the parcel pages (added to the environment in lockdown/jinja2.py).

A parcel's marks and words are filters, not an include and the model's get_…_display(): for a
building's hundred parcels those were a third of the sorting view's time; the sorting view's rows
and its list of buildings are filters, as the roster's rows are (volunteers.template_functions.roster_rows)."""

from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from markupsafe import Markup, escape

from households.models import building_label

from .models import Destination, Parcel

MARKS = (  # the column, its class, its word: the first-to-go ones first
    ("medicine", "flag-medicine", _("Medicine")),
    ("cold_chain", "flag-cold", _("Cold chain")),
    ("care", "flag-care", _("Care list")),
    ("fragile", "flag-fragile", _("Fragile")),
)
STATES = dict(Parcel.State.choices)
GOES = dict(Destination.choices)


def parcel_marks(parcel) -> Markup:
    """The parcel's marks as badges (medicine, cold chain, the care list, fragile)."""
    return Markup(
        " ".join(f'<span class="flag {css}">{word}</span>' for name, css, word in MARKS if getattr(parcel, name))
    )


def parcel_state(state) -> str:
    return str(STATES.get(state, state))


def parcel_goes(destination, empty="—") -> str:
    return str(GOES[destination]) if destination else empty


def sorting_rows(parcels) -> Markup:
    """The table rows of a building's parcels in a wave (selectors.ParcelRow): number, room, marks,
    note, where it goes, and its state with the time it was handed over or why it came back."""
    lines = []
    states = {state: escape(word) for state, word in STATES.items()}  # each word translated once, not per row
    goes = {destination: escape(word) for destination, word in GOES.items()} | {"": "—"}
    for parcel in parcels:
        state = states.get(parcel.state) or escape(parcel.state)
        if parcel.carried_by_id and parcel.finished_at:
            state += f" · {timezone.localtime(parcel.finished_at):%H:%M}"
        if parcel.return_reason and parcel.state == Parcel.State.RETURNED:
            state += Markup(" · ") + escape(parcel.return_reason)
        lines.append(
            f'<tr class="priority-{parcel.priority}"><td>{parcel.pk}</td>'
            f'<td class="parcel-room">{escape(parcel.label)}</td><td>{parcel_marks(parcel)}</td>'
            f"<td>{escape(parcel.note)}</td><td>{goes[parcel.destination]}</td><td>{state}</td></tr>"
        )
    return Markup("\n".join(lines))


BUILDING_ITEM = Markup(
    '<li{current}><a href="?building={pk}"><strong>{label}</strong>'
    "<span>{parcels}</span>{outcome}<small>{covered}</small></a></li>"
)


def sorting_buildings(buildings, current, counted: bool) -> Markup:
    """The sorting view's list of a wave's buildings (selectors.WaveBuilding), `current` the one
    shown: its parcels and how many go first; once the wave is `counted` (out), what came of
    them; and who covers it."""
    items = []
    for row in buildings:
        parcels = escape(ngettext("%(num)s parcel", "%(num)s parcels", row.parcels) % {"num": row.parcels})
        if row.first:
            parcels += Markup(' · <b class="first">%s</b>') % (gettext("%(first)s first") % {"first": row.first})
        outcome = ""
        if counted:
            figures = {"done": row.done, "out": row.out, "back": row.returned}
            words = (
                gettext("%(done)s handed over, %(out)s out, %(back)s back")
                if row.returned
                else gettext("%(done)s handed over, %(out)s out")
            )
            outcome = Markup("<span>%s</span>") % (words % figures)
        items.append(
            BUILDING_ITEM.format(
                current=Markup(' class="current"') if row.pk == current else "",
                pk=row.pk,
                label=building_label(row.number),
                parcels=parcels,
                outcome=outcome,
                covered="、".join(row.covered_by) if row.covered_by else gettext("Nobody covers it"),
            )
        )
    return Markup("\n").join(items)


filters = {
    "parcel_marks": parcel_marks,
    "parcel_state": parcel_state,
    "parcel_goes": parcel_goes,
    "sorting_rows": sorting_rows,
    "sorting_buildings": sorting_buildings,
}
