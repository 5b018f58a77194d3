"""Reads for the distribution and donation pages, each in a fixed number of queries: per building
how many shares are delivered and which households are still missing, the shares kept for making
up (and whose household is home now), a building's shares on the phone, the thank-you list."""

import itertools
from decimal import Decimal

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Sum, Value, When

from households.models import Presence, Resident, room_label
from lockdown.core.identity import mask_numbers_in

from .models import Distribution, Donation, Share

State = Share.State
LIST_MAX = 500


def _counts(prefix=""):
    return {
        "total": Count(f"{prefix}pk"),
        "delivered": Count(f"{prefix}pk", filter=Q(**{f"{prefix}state": State.DELIVERED})),
        "missing": Count(f"{prefix}pk", filter=Q(**{f"{prefix}state": State.TO_DELIVER})),
        "held": Count(f"{prefix}pk", filter=Q(**{f"{prefix}state": State.HELD})),
    }


def distributions_of(community):
    return list(
        Distribution.objects.filter(community=community).select_related("compound").annotate(**_counts("shares__"))
    )


def by_building(distribution) -> list[dict]:
    rows = Share.objects.filter(distribution=distribution).values("building_id", "building__number")
    return list(rows.annotate(**_counts()).order_by("building__sort_key", "building__number"))


def home_now():
    """Whether someone of a share's household is home now: a kept share can be made up."""
    return Exists(Resident.objects.current().filter(household=OuterRef("household_id"), presence=Presence.HOME))


def _labelled(shares):
    rows = list(shares.select_related("household__building")[:LIST_MAX])
    for share in rows:
        household = share.household
        share.label = room_label(household.building.number, household.unit, household.room)
    return rows


def missing(distribution) -> list[tuple]:
    """The households whose share is still to deliver, room by room, under their building:
    (building, shares) in the compound's order of buildings."""
    shares = Share.objects.filter(distribution=distribution, state=State.TO_DELIVER)
    rows = _labelled(shares.order_by("building__sort_key", "building__number", "household__unit", "household__room"))
    return [(building, list(group)) for building, group in itertools.groupby(rows, lambda s: s.household.building)]


def kept_for_making_up(distribution):
    """The shares kept because nobody was home, each with `home_now`: someone is back to take it."""
    shares = Share.objects.filter(distribution=distribution, state=State.HELD).annotate(home_now=home_now())
    return _labelled(shares.order_by("-home_now", "building__sort_key", "household__unit", "household__room"))


def building_shares(distribution, building):
    """A building's shares on the volunteer's phone: to deliver first, then kept ones home now, then the rest."""
    shares = Share.objects.filter(distribution=distribution, building=building).annotate(home_now=home_now())
    first = Case(
        When(state=State.TO_DELIVER, then=Value(0)),
        When(state=State.HELD, home_now=True, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return _labelled(shares.order_by(first, "household__unit", "household__room"))


def donations_of(community):
    """The community's donations, newest first; a number typed into one is masked here too."""
    return _masked(list(Donation.objects.filter(community=community).select_related("distribution")[:LIST_MAX]))


def _masked(donations):
    for donation in donations:  # a number typed into a name or a note ("张三 13912345678") is not shown
        donation.donor, donation.goods, donation.purpose = (
            mask_numbers_in(text) for text in (donation.donor, donation.goods, donation.purpose)
        )
    return donations


def thank_you(community, *, since=None, until=None) -> dict:
    """The public thank-you list: who gave what or how much, when, for what; names only, never a
    phone or an ID number (a donation keeps none). `money`: the total in yuan."""
    donations = Donation.objects.filter(community=community)
    if since:
        donations = donations.filter(received_on__gte=since)
    if until:
        donations = donations.filter(received_on__lte=until)
    rows = _masked(list(donations.select_related("distribution").order_by("received_on", "id")[:LIST_MAX]))
    money = donations.filter(kind=Donation.Kind.MONEY).aggregate(total=Sum("amount"))["total"]
    # SQLite's sum drops the cents' places (30000.5); the list says 30000.50 on every database.
    return {"rows": rows, "money": money.quantize(Decimal("0.01")) if money is not None else None}
