"""The one task list: another app offers a task for a building, a volunteer of that building takes
it, the app (or the volunteer) marks it done. Every move is a guarded transition
(lockdown.core.transitions): of two volunteers taking one task at once, one has it and the other is
told who; and every move is kept as a TaskEvent.

    task = task_offer(kind="parcel", source_key=str(parcel.pk), title="…", building=parcel.building,
                      place="12-3-501", due_at=…, link=reverse("supplies:parcel", args=[parcel.pk]))
    tasks_offer(kind="parcel", offers=[Offer(source_key=…, title=…, building_id=…), …])  # many at once
    task_claim(actor=volunteer, task=task)
    task_finish(actor=volunteer, task=task)   # or, by the app: task_done(task=task)
    task_release(actor=leader, task=task)     # a building's leader or staff put a taken task back

A kind whose app records more than "done" (the welfare check's outcome) is finished on that app's
page only: finished_by_its_app(kind), from its AppConfig.ready.

This module imports no app that offers tasks: they call it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from households.models import Role
from households.scoping import AreaScope
from lockdown.core.errors import NotPermitted, ServiceError
from lockdown.core.transitions import transition

from .models import Task, TaskEvent

State = Task.State
UNFINISHED = (State.OPEN, State.CLAIMED)
BATCH = 1000  # rows per INSERT of a bulk offer: a street's 1,000 checks of a morning in one
_FINISHED_BY_ITS_APP: set[str] = set()


def finished_by_its_app(kind: str) -> None:
    """Tasks of `kind` are done through their app (task_done), never by task_finish alone."""
    _FINISHED_BY_ITS_APP.add(kind)


def finished_on_its_page(kind: str) -> bool:
    """Whether a task of `kind` is done on its app's page (no "mark done" on the list)."""
    return kind in _FINISHED_BY_ITS_APP


@transaction.atomic
def task_offer(*, kind, title, building, place="", due_at=None, link="", source_key="") -> Task:
    """The task `source_key` of `kind` (a new one, or the one offered before: offering twice, or from
    two workers at once, gives one task)."""
    _require_kind_and_title(kind, title)
    values = {"title": title.strip(), "place": place, "building": building, "due_at": due_at, "link": link}
    if source_key:
        task, created = Task.objects.get_or_create(kind=kind, source_key=source_key, defaults=values)
    else:
        task, created = Task.objects.create(kind=kind, **values), True
    if created:
        TaskEvent.objects.create(task=task, from_state="", to_state=State.OPEN, actor=None)
    return task


@dataclass(frozen=True)
class Offer:
    """One task of a bulk offer (tasks_offer): what task_offer takes, under its app's key."""

    source_key: str
    title: str
    building_id: int
    place: str = ""
    due_at: datetime | None = None
    link: str = ""


@transaction.atomic
def tasks_offer(*, kind, offers: Iterable[Offer]) -> dict[str, Task]:
    """Each offer's task of `kind`, {source key: task}, as task_offer gives it one by one, in a few
    queries whatever their number: offering twice, or from two workers at once, gives one task
    each, and each new task its one "offered" step."""
    by_key = {}
    for offer in offers:
        if not offer.source_key:
            raise ServiceError(_("Each task offered at once needs its own key."))
        _require_kind_and_title(kind, offer.title)
        by_key.setdefault(offer.source_key, offer)
    keys = sorted(by_key)  # inserted in one order by every writer, so that two at once never deadlock
    offered = set(Task.objects.filter(kind=kind, source_key__in=keys).values_list("source_key", flat=True))
    new = [_task(kind, by_key[key]) for key in keys if key not in offered]
    if new:
        # A key another writer inserts meanwhile waits for its transaction and is skipped; its
        # tasks then have that writer's step, committed with them, so only this one's lack it.
        Task.objects.bulk_create(new, batch_size=BATCH, ignore_conflicts=True)
        unrecorded = Task.objects.filter(kind=kind, source_key__in=[task.source_key for task in new])
        unrecorded = unrecorded.filter(~Exists(TaskEvent.objects.filter(task=OuterRef("pk"))))
        steps = [
            TaskEvent(task_id=pk, from_state="", to_state=State.OPEN) for pk in unrecorded.values_list("pk", flat=True)
        ]
        TaskEvent.objects.bulk_create(steps, batch_size=BATCH)
    return {task.source_key: task for task in Task.objects.filter(kind=kind, source_key__in=keys)}


def _task(kind, offer: Offer) -> Task:
    return Task(
        kind=kind,
        source_key=offer.source_key,
        title=offer.title.strip(),
        building_id=offer.building_id,
        place=offer.place,
        due_at=offer.due_at,
        link=offer.link,
    )


def task_claim(*, actor, task: Task) -> Task:
    """The volunteer takes the task; refused, with who has it, if someone took it first. Taking it
    again (a second tap) is no mistake: the task is theirs."""
    _require_in_scope(actor, task)
    if Task.objects.filter(pk=task.pk, state=State.CLAIMED, claimed_by=actor).exists():
        return Task.objects.get(pk=task.pk)
    return _move(Task.objects, task, State.OPEN, State.CLAIMED, by=actor, also={"claimed_by": actor})


def task_give_back(*, actor, task: Task, why="") -> Task:
    """The volunteer who took the task gives it back to the list, for another to take."""
    _require_taken_by(actor, task, _("Only %(who)s, who took this task, can give it back."))
    mine = Task.objects.filter(claimed_by=actor)
    return _move(mine, task, State.CLAIMED, State.OPEN, by=actor, why=why, also={"claimed_by": None})


def task_finish(*, actor, task: Task, why="") -> Task:
    """The volunteer who took the task has done it."""
    if finished_on_its_page(task.kind):
        raise ServiceError(_("Record this task on its own page: it is done with what you record there."))
    _require_taken_by(actor, task, _("Only %(who)s, who took this task, can mark it done."))
    return _move(Task.objects.filter(claimed_by=actor), task, State.CLAIMED, State.DONE, by=actor, why=why)


def task_release(*, actor, task: Task, why="") -> Task:
    """A leader of the task's building, or its staff, put a task someone took back on the list (the
    volunteer who took it went off sick, say), for another to take."""
    if not oversees(actor, task):
        raise NotPermitted(_("Only the building's leaders and the committee's staff put a taken task back."))
    return _move(Task.objects, task, State.CLAIMED, State.OPEN, by=actor, why=why, also={"claimed_by": None})


def oversees(actor, task: Task) -> bool:
    """Whether the actor leads the task's building or is its staff: more than one of its volunteers."""
    return AreaScope.for_user(actor).role_for(task.building) not in (None, Role.VOLUNTEER)


@transaction.atomic
def tasks_cancel(tasks, *, why="") -> int:
    """Withdraw the unfinished of `tasks` (a queryset) at once, each with its step: the offering
    app's bulk task_cancel (yesterday's checks nobody did, say). Returns how many."""
    ids = list(tasks.filter(state__in=UNFINISHED).select_for_update().order_by("pk").values_list("pk", "state"))
    if not ids:
        return 0
    Task.objects.filter(pk__in=[pk for pk, _state in ids]).update(state=State.CANCELLED)
    steps = [TaskEvent(task_id=pk, from_state=state, to_state=State.CANCELLED, why=why) for pk, state in ids]
    TaskEvent.objects.bulk_create(steps, batch_size=BATCH)
    return len(ids)


# The offering app's own moves: it has checked its own rules (who may hand a parcel over, who may
# withdraw it) before it calls; `by` records who, None for its worker.


def task_done(*, task: Task, by=None, why="") -> Task:
    """The offering app's record is done (the parcel handed over), whoever had taken the task."""
    return _move(Task.objects, task, UNFINISHED, State.DONE, by=by, why=why)


def task_cancel(*, task: Task, by=None, why="") -> Task:
    """The offering app withdraws a task not yet done (the parcel was collected at the gate …)."""
    return _move(Task.objects, task, UNFINISHED, State.CANCELLED, by=by, why=why)


@transaction.atomic
def task_relocate(*, task: Task, building_id, place, why="") -> None:
    """An unfinished task goes to another building (the resident it serves moved): a taken one goes
    back on the list, since who took it may not cover the new building; a finished one stays."""
    state = Task.objects.select_for_update().filter(pk=task.pk).values_list("state", flat=True).first()
    where = {"building_id": building_id, "place": place}
    if state == State.OPEN:
        Task.objects.filter(pk=task.pk).update(**where)
    elif state == State.CLAIMED:
        _move(Task.objects, task, State.CLAIMED, State.OPEN, by=None, why=why, also={"claimed_by": None, **where})


def _move(queryset, task, from_states, to_state, *, by, why="", also=None) -> Task:
    """The guarded transition of `task` within `queryset`, and the task as it now is."""
    transition(
        queryset,
        task.pk,
        field="state",
        from_states=from_states,
        to_state=to_state,
        by=by,
        event=TaskEvent,
        why=why,
        also=also,
    )
    return Task.objects.get(pk=task.pk)


def _require_kind_and_title(kind, title):
    if not kind or not title.strip():
        raise ServiceError(_("A task needs a kind and a title."))


def _require_in_scope(actor, task):
    if not AreaScope.for_user(actor).filter(Task.objects.filter(pk=task.pk)).exists():
        raise NotPermitted(_("This task is not in your buildings."))


def _require_taken_by(actor, task, message):
    _require_in_scope(actor, task)
    now = Task.objects.select_related("claimed_by").get(pk=task.pk)
    if now.claimed_by_id not in (None, actor.pk):
        raise NotPermitted(message % {"who": now.claimed_by})
    if now.state == State.OPEN:
        raise NotPermitted(_("Take this task first."))
