"""Filters for the parcel pages (added to the environment in lockdown/jinja2.py).

A parcel's marks and words are filters, not an include and the model's get_…_display(): for a
building's hundred parcels those were a third of the sorting view's time."""

from django.utils.translation import gettext_lazy as _
from markupsafe import Markup

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


filters = {"parcel_marks": parcel_marks, "parcel_state": parcel_state, "parcel_goes": parcel_goes}
