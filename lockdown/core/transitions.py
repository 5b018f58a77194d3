"""Guarded transitions: move a row from one state to another so that, of several people doing it at
the same moment, exactly one succeeds and the others are told who did and when.

Why not "read the row, check its state, save": two requests both read the old state, both pass the
check, and the second save silently undoes the first. Here the check and the write are one
statement, a conditional UPDATE:

    UPDATE parcel SET state = 'delivered' WHERE id = 7 AND state IN ('held')

On PostgreSQL a second UPDATE of the same row waits until the first one's transaction ends, then
checks its WHERE again against the committed row: it matches nothing, and 0 rows updated means
"someone else got there first". On SQLite writes are taken one at a time, to the same effect.

Every transition won writes an event row (from, to, who, when, why) in the same transaction: the
history is never overwritten, and the latest event is how a loser learns who won.

Each app keeps its own event table, a subclass of TransitionEvent:

    class ParcelEvent(TransitionEvent):
        subject_field = "parcel"
        parcel = models.ForeignKey(Parcel, models.CASCADE, related_name="events")

    event = transition(Parcel.objects, parcel.pk, field="state", from_states=Parcel.State.HELD,
                       to_state=Parcel.State.DELIVERED, by=volunteer, event=ParcelEvent)

and shows `TransitionLost.message` to the person who lost (views do so for any ServiceError).
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import ServiceError


class TransitionEvent(models.Model):
    """One transition of one row: the base of each app's event table.

    A subclass adds a foreign key to the row that changed and names it in `subject_field`; it may
    add columns of its own (filled by `transition(event_fields=...)`)."""

    subject_field: str = ""  # the name of the subclass's foreign key to the row that changed

    from_state = models.CharField(gettext_lazy("from"), max_length=32, blank=True)  # "" before any state
    to_state = models.CharField(gettext_lazy("to"), max_length=32)
    # Kept when the account is deleted: the history still says what happened, and when.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("by"),
    )
    at = models.DateTimeField(gettext_lazy("at"), default=timezone.now)
    why = models.CharField(gettext_lazy("note"), max_length=200, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]


class TransitionLost(ServiceError):
    """Someone else moved the row first: nothing was written. `event` is their transition (None when
    the row changed without one, or is gone); `state` is the row's state now (None when it is gone)."""

    def __init__(self, message, *, event=None, state=None):
        super().__init__(message)
        self.event, self.state = event, state


def transition(
    queryset,
    pk,
    *,
    field: str,
    from_states: str | Iterable[str],
    to_state: str,
    by,
    event: type[TransitionEvent],
    why: str = "",
    also: dict | None = None,
    event_fields: dict | None = None,
    at=None,
) -> TransitionEvent:
    """Move row `pk` of `queryset` (a model's manager or a scoped queryset) from one of `from_states`
    to `to_state` in its column `field`, setting the columns in `also` too, and record the event
    (`by`: the account, or None for the system). Returns the event written.

    Raises TransitionLost, writing nothing, if the row is not in one of `from_states` (any more)."""
    from_states = [from_states] if isinstance(from_states, str) else list(from_states)
    at = at or timezone.now()
    with transaction.atomic():
        if len(from_states) == 1:
            before = from_states[0]
        else:  # which of them it was, for the event: read under a lock, so that it stays so
            before = queryset.select_for_update(of=("self",)).filter(pk=pk).values_list(field, flat=True).first()
        rows = queryset.filter(pk=pk, **{f"{field}__in": from_states})
        if rows.update(**{field: to_state}, **(also or {})) != 1:
            raise _lost(queryset, pk, field, event)
        return event.objects.create(
            **{f"{event.subject_field}_id": pk},
            from_state=before,
            to_state=to_state,
            actor=by,
            at=at,
            why=why,
            **(event_fields or {}),
        )


def transition_all(
    queryset,
    *,
    field: str,
    from_states: str | Iterable[str],
    to_state: str,
    by,
    event: type[TransitionEvent],
    why: str = "",
    also: dict | None = None,
    at=None,
) -> list:
    """Move every row of `queryset` that is in one of `from_states` to `to_state`, as `transition`
    moves one, with an event each; returns the pks moved, in order. A row that another moved first
    is left out, not an error: the caller says how many were its own.

    The rows are locked in pk order, so that two of these at once never deadlock; on PostgreSQL a
    row that another locked is read again once that one commits, and left out if it moved."""
    from_states = [from_states] if isinstance(from_states, str) else list(from_states)
    at = at or timezone.now()
    with transaction.atomic():
        rows = queryset.filter(**{f"{field}__in": from_states}).select_for_update(of=("self",)).order_by("pk")
        moved = list(rows.values_list("pk", field))
        if not moved:
            return []
        pks = [pk for pk, _state in moved]
        for chunk in _chunks(pks):
            queryset.model._default_manager.filter(pk__in=chunk).update(**{field: to_state}, **(also or {}))
        subject = f"{event.subject_field}_id"
        steps = [
            event(**{subject: pk}, from_state=before, to_state=to_state, actor=by, at=at, why=why)
            for pk, before in moved
        ]
        event.objects.bulk_create(steps, batch_size=BATCH)
        return pks


BATCH = 1000  # rows per statement of a bulk move: a wave's 2,500 parcels in three


def _chunks(items):
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def latest_event(event: type[TransitionEvent], pk):
    """The last transition recorded for row `pk`, with its actor."""
    events = event.objects.filter(**{f"{event.subject_field}_id": pk}).select_related("actor")
    return events.order_by("-at", "-id").first()


def _lost(queryset, pk, field, event) -> TransitionLost:
    state = queryset.filter(pk=pk).values_list(field, flat=True).first()
    if state is None:
        return TransitionLost(_("This is no longer there: nothing was saved."))
    label = state_label(queryset.model, field, state)
    last = latest_event(event, pk)
    if last is None or last.to_state != state:  # changed without a transition: nobody to name
        message = _("Someone else changed this to “%(state)s” first: nothing of yours was saved.")
        return TransitionLost(message % {"state": label}, state=state)
    message = _("%(who)s recorded “%(state)s” at %(at)s, before you: nothing of yours was saved. Look again.")
    who = str(last.actor) if last.actor else _("the system")
    at = timezone.localtime(last.at).strftime("%m-%d %H:%M:%S")
    return TransitionLost(message % {"who": who, "state": label, "at": at}, event=last, state=state)


def state_label(model, field, state) -> str:
    """A state as the interface names it: its choice's label, "—" for none."""
    if not state:
        return "—"
    return str(dict(model._meta.get_field(field).flatchoices).get(state, state))
