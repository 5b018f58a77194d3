"""Distributions: one share per household of a compound, carried building by building by the
volunteers who cover it (a task per building); a household nobody was home for when the shares
were made (in quarantine, in hospital, away) has its share kept, and made up when they are back.
Donations, goods or money to the cent, and the thank-you list for the daily report.

    distribution = distribution_create(actor=staff, compound=compound, name="爱心菜", share="一袋")
    shares_deliver(actor=volunteer, distribution=distribution, building=building)   # all of it
    shares_deliver(actor=volunteer, distribution=distribution, building=building, ids=[7])
    share_make_up(actor=volunteer, share=share)   # a kept share, now that they are home
    donation_record(actor=staff, community=…, donor="某水果公司", kind=GOODS, goods="水果500份", …)
"""

import datetime
import re
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from households.models import Household, Presence, Resident, building_label
from households.scoping import AreaScope
from lockdown.core.errors import NotPermitted, ServiceError
from lockdown.core.identity import to_halfwidth
from lockdown.core.transitions import TransitionLost, transition, transition_all
from volunteers import task_list
from volunteers.models import Task

from . import deliveries, gate
from .models import Distribution, Donation, Share, ShareEvent

KIND = "distribution"  # a building's shares, on the volunteers' task list
State = Share.State
AMOUNT_MAX = Decimal("9999999999.99")
YUAN = re.compile(r"^\d{1,10}(?:\.\d{1,2})?$")


def run_key(distribution_id, building_id) -> str:
    return f"{distribution_id}:{building_id}"


@transaction.atomic
def distribution_create(*, actor, compound, name, share) -> Distribution:
    """A share for every household of the compound with someone on the register; kept for making up
    where none of them is home now. Each building's shares are a task for its volunteers."""
    gate.require_gate(actor, compound)
    name, share = name.strip(), share.strip()
    if not name:
        raise ServiceError(_("Say what is handed out."), field="name")
    if not share:
        raise ServiceError(_("Say what one share is, such as 一袋."), field="share")
    distribution = Distribution.objects.create(
        community_id=compound.community_id, compound=compound, name=name, share=share, created_by=actor
    )
    current = Resident.objects.current().filter(household=OuterRef("pk"))
    households = Household.objects.filter(building__compound=compound).filter(Exists(current))
    households = households.annotate(home=Exists(current.filter(presence=Presence.HOME)))
    shares = Share.objects.bulk_create(
        Share(
            distribution=distribution,
            household_id=pk,
            building_id=building_id,
            state=State.TO_DELIVER if home else State.HELD,
        )
        for pk, building_id, home in households.order_by("pk").values_list("pk", "building_id", "home")
    )
    ShareEvent.objects.bulk_create(
        ShareEvent(share=share_, from_state="", to_state=share_.state, actor=actor) for share_ in shares
    )
    task_list.tasks_offer(kind=KIND, offers=_runs(distribution))
    return distribution


def _runs(distribution):
    rows = (
        Share.objects.filter(distribution=distribution, state=State.TO_DELIVER)
        .values("building_id", "building__number")
        .annotate(count=Count("pk"))
        .order_by("building_id")
    )
    due = timezone.now() + datetime.timedelta(hours=6)
    for row in rows:
        building = building_label(row["building__number"])
        title = ngettext(
            "%(name)s for %(building)s: %(count)s household",
            "%(name)s for %(building)s: %(count)s households",
            row["count"],
        ) % {"name": distribution.name, "building": building, "count": row["count"]}
        yield task_list.Offer(
            source_key=run_key(distribution.pk, row["building_id"]),
            title=title,
            building_id=row["building_id"],
            place=building,
            due_at=due,
            link=reverse("supplies:share_run", args=[distribution.pk, row["building_id"]]),
        )


@transaction.atomic
def shares_deliver(*, actor, distribution, building, ids=None) -> int:
    """The building's shares still to deliver (or those of `ids`) are delivered, by the actor, now.
    Returns how many; one asked for by id and delivered by someone else first raises TransitionLost."""
    deliveries.require_covers(actor, building)
    shares = Share.objects.filter(distribution=distribution, building=building)
    also = {"delivered_by": actor, "delivered_at": timezone.now()}
    if ids is not None and len(ids) == 1:
        if not shares.filter(pk=ids[0]).exists():
            raise ServiceError(_("This household is not in this building's shares."))
        transition(
            Share.objects,
            ids[0],
            field="state",
            from_states=State.TO_DELIVER,
            to_state=State.DELIVERED,
            by=actor,
            event=ShareEvent,
            also=also,
        )
        moved = ids
    else:
        shares = shares if ids is None else shares.filter(pk__in=ids)
        moved = transition_all(
            shares,
            field="state",
            from_states=State.TO_DELIVER,
            to_state=State.DELIVERED,
            by=actor,
            event=ShareEvent,
            also=also,
        )
    _finish_run_if_done(distribution, building, actor)
    return len(moved)


def _finish_run_if_done(distribution, building, actor):
    if Share.objects.filter(distribution=distribution, building=building, state=State.TO_DELIVER).exists():
        return
    task = Task.objects.filter(kind=KIND, source_key=run_key(distribution.pk, building.pk)).first()
    if task is not None:
        try:
            task_list.task_done(task=task, by=actor)
        except TransitionLost:  # the last two delivered at once: the other finished it
            pass


@transaction.atomic
def share_keep(*, actor, share) -> None:
    """Nobody answered the door: the share is kept for making up, as one whose household was away."""
    deliveries.require_covers(actor, share.building)
    transition(
        Share.objects,
        share.pk,
        field="state",
        from_states=State.TO_DELIVER,
        to_state=State.HELD,
        by=actor,
        event=ShareEvent,
        why=_("Nobody answered the door"),
    )
    _finish_run_if_done(share.distribution, share.building, actor)


@transaction.atomic
def share_make_up(*, actor, share) -> None:
    """A share kept for a household nobody was home for, delivered now that they are back."""
    deliveries.require_covers(actor, share.building)
    transition(
        Share.objects,
        share.pk,
        field="state",
        from_states=State.HELD,
        to_state=State.DELIVERED,
        by=actor,
        event=ShareEvent,
        why=_("Made up"),
        also={"delivered_by": actor, "delivered_at": timezone.now(), "made_up": True},
    )


# Donations ------------------------------------------------------------------------------------------


@transaction.atomic
def donation_record(
    *, actor, community, donor, kind, goods="", amount=None, received_on, distribution=None, purpose=""
) -> Donation:
    """A donation of goods (what) or money (how much, to the cent), for a distribution or a purpose."""
    if not AreaScope.for_user(actor).may_edit_community(community):
        raise NotPermitted(_("Only the committee's staff record donations."))
    donor = donor.strip()
    if not donor:
        raise ServiceError(_("Say who gave it (a name, a company, “12号楼全体居民”)."), field="donor")
    if kind == Donation.Kind.MONEY:
        amount = _amount(amount)
        if goods.strip():  # two answers to one question: which one is meant is theirs to say
            raise ServiceError(_("Money was given: clear the goods, or choose goods."), field="goods")
    elif kind == Donation.Kind.GOODS:
        if not goods.strip():
            raise ServiceError(_("Say what was given, such as 水果500份."), field="goods")
        if str(amount or "").strip():
            raise ServiceError(_("Goods were given: clear the amount, or choose money."), field="amount")
        amount = None
    else:
        raise ServiceError(_("Choose goods or money."), field="kind")
    if received_on > timezone.localdate():
        raise ServiceError(_("A donation is received today or earlier."), field="received_on")
    if distribution is not None and distribution.community_id != community.pk:
        raise ServiceError(_("Choose a distribution of this community."), field="distribution")
    return Donation.objects.create(
        community=community,
        donor=donor,
        kind=kind,
        goods=goods.strip(),
        amount=amount,
        received_on=received_on,
        distribution=distribution,
        purpose=purpose.strip(),
        recorded_by=actor,
    )


def _amount(value) -> Decimal:
    """Yuan to the cent, as people write it: "30000", "30,000.00", "¥1250.5", "1250.5元", "3万",
    "1.5万元"; never a float's rounding."""
    text = to_halfwidth(str(value or "")).strip().lstrip("¥￥").replace(",", "").replace("，", "")
    text = text.removesuffix("元").strip()
    ten_thousands = text.endswith("万")
    text = text.removesuffix("万").strip()
    amount = Decimal(text) * (10000 if ten_thousands else 1) if YUAN.match(text) else Decimal(0)
    if not 0 < amount <= AMOUNT_MAX:
        raise ServiceError(_("Give the amount in yuan, such as 30000, 3万 or 1250.50."), field="amount")
    return amount.quantize(Decimal("0.01"))
