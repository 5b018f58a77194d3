"""Reads for the campaign pages: the campaigns an account sees, progress by building, recipients."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from households.models import (
    Building,
    Campaign,
    Community,
    Message,
    Recipient,
    RecipientOutcomeEvent,
    building_label,
    compound_shown,
)

DONE = [Recipient.Outcome.RETURNED, Recipient.Outcome.WILL_NOT_RETURN]
# Per resident (two residents sharing a number share one message).
PROGRESS = {
    "residents": Count("id"),
    "waiting": Count("id", filter=Q(message__state__in=[Message.State.QUEUED, Message.State.SENDING])),
    "sent": Count("id", filter=Q(message__state=Message.State.SENT)),
    "delivered": Count("id", filter=Q(message__state=Message.State.DELIVERED)),
    "failed": Count("id", filter=Q(message__state=Message.State.FAILED)),
    "to_call": Count("id", filter=~Q(call_reason="")),
    "confirmed": Count("id", filter=Q(outcome=Recipient.Outcome.CONFIRMED)),
    "returned": Count("id", filter=Q(outcome=Recipient.Outcome.RETURNED)),
    "missing": Count("id", filter=~Q(outcome__in=DONE)),
}


# Which recipients a list shows: those still missing (the default), the call list, everyone.
SHOW = {
    "missing": ~Q(outcome__in=DONE),
    "call": ~Q(outcome__in=DONE) & ~Q(call_reason=""),
    "all": Q(),
}


@dataclass
class BuildingProgress:
    building_id: int
    label: str
    progress: dict  # PROGRESS's names → counts


def visible_campaigns(scope):
    """Campaigns of the communities the account sees (their recipients are scoped further). A draft
    is its community's staff's alone: its preview names residents of every building."""
    communities = scope.filter(Community.objects.all())
    editable = scope.editable_communities(Community.objects.all())
    campaigns = Campaign.objects.filter(community__in=communities).filter(
        Q(sent_at__isnull=False) | Q(community__in=editable)
    )
    return campaigns.select_related("community", "template")


def campaign_recipients(scope, campaign, show="all"):
    """The campaign's recipients in the account's buildings, each with `compound_shown` for writing
    their room (residents.room_label)."""
    recipients = scope.filter(Recipient.objects.filter(SHOW[show], campaign=campaign))
    related = recipients.select_related("resident__household", "building__compound", "message", "outcome_by")
    return related.annotate(compound_shown=compound_shown()).order_by(
        "building__compound__name", "building__sort_key", "building__number", "resident__household_id", "id"
    )


def with_outcome_history(recipients):
    """Each recipient with `outcome_history`: every outcome recorded for them, oldest first, with
    who recorded it; one query for a whole page of recipients."""
    events = RecipientOutcomeEvent.objects.select_related("actor").order_by("at", "id")
    return recipients.prefetch_related(Prefetch("outcome_events", queryset=events, to_attr="outcome_history"))


def recipient_states(scope, campaign, ids) -> dict[int, dict]:
    """The SMS state (with its label) and reason to call of the listed recipients the account sees:
    the rows of a page, kept live."""
    rows = scope.filter(Recipient.objects.filter(campaign=campaign, pk__in=ids))
    return {
        pk: {
            "state": state or "",
            "label": Message.State(state).label if state else "",
            "call": Recipient.CallReason(reason).label if reason else "",
        }
        for pk, state, reason in rows.values_list("pk", "message__state", "call_reason")
    }


def recipient_permissions(scope, recipients):
    """What the account may do in each listed recipient's building (a volunteer sees, and records
    nothing), in one query."""
    return scope.permissions_by_building(Building.objects.filter(pk__in={r.building_id for r in recipients}))


def campaign_provider_error(campaign) -> str:
    """The provider's words on why messages of the campaign wait to be tried again (an account out
    of balance, a template not approved, the provider unreachable): staff must see them to act."""
    waiting = Message.objects.filter(campaign=campaign, state=Message.State.QUEUED).exclude(error_code="")
    row = waiting.values_list("error_code", "error").first()
    return " ".join(part for part in row if part) if row else ""


def recipients_to_call_first(scope, campaign):
    """Those still to reach, the call list first."""
    return campaign_recipients(scope, campaign, show="missing").order_by(
        "-call_reason", "building__sort_key", "building__number", "resident__household_id", "id"
    )


def campaign_progress(scope, campaign) -> tuple[list[BuildingProgress], Counter]:
    """Counts by building in one query, and their sum."""
    rows = (
        scope.filter(Recipient.objects.filter(campaign=campaign))
        .annotate(compound=compound_shown())
        .values("building_id", "building__compound__name", "building__number", "building__sort_key", "compound")
        .annotate(**PROGRESS)
        .order_by("building__compound__name", "building__sort_key", "building__number")
    )
    buildings, total = [], Counter(dict.fromkeys(PROGRESS, 0))
    for row in rows:
        progress = {name: row[name] for name in PROGRESS}
        label = building_label(row["building__number"], row["compound"])
        buildings.append(BuildingProgress(row["building_id"], label, progress))
        total.update(progress)
    return buildings, total
