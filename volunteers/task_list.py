"""The one task list: another app offers a task for a building, a volunteer of that building takes
it, the app (or the volunteer) marks it done. Every move is a guarded transition
(lockdown.core.transitions): of two volunteers taking one task at once, one has it and the other is
told who; and every move is kept as a TaskEvent.

    task = task_offer(kind="parcel", source_key=str(parcel.pk), title="…", building=parcel.building,
                      place="12-3-501", due_at=…, link=reverse("supplies:parcel", args=[parcel.pk]))
    task_claim(actor=volunteer, task=task)
    task_done(task=task, by=volunteer)

This module imports no app that offers tasks: they call it.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from households.scoping import AreaScope
from lockdown.core.errors import NotPermitted, ServiceError
from lockdown.core.transitions import transition

from .models import Task, TaskEvent

State = Task.State
UNFINISHED = (State.OPEN, State.CLAIMED)


@transaction.atomic
def task_offer(*, kind, title, building, place="", due_at=None, link="", source_key="") -> Task:
    """The task `source_key` of `kind` (a new one, or the one offered before: offering twice, or from
    two workers at once, gives one task)."""
    if not kind or not title.strip():
        raise ServiceError(_("A task needs a kind and a title."))
    values = {"title": title.strip(), "place": place, "building": building, "due_at": due_at, "link": link}
    if source_key:
        task, created = Task.objects.get_or_create(kind=kind, source_key=source_key, defaults=values)
    else:
        task, created = Task.objects.create(kind=kind, **values), True
    if created:
        TaskEvent.objects.create(task=task, from_state="", to_state=State.OPEN, actor=None)
    return task


def task_claim(*, actor, task: Task) -> Task:
    """The volunteer takes the task; refused, with who has it, if someone took it first."""
    _require_in_scope(actor, task)
    transition(
        Task.objects,
        task.pk,
        field="state",
        from_states=State.OPEN,
        to_state=State.CLAIMED,
        by=actor,
        event=TaskEvent,
        also={"claimed_by": actor},
    )
    return Task.objects.get(pk=task.pk)


def task_give_back(*, actor, task: Task, why="") -> Task:
    """The volunteer who took the task gives it back to the list, for another to take."""
    _require_in_scope(actor, task)
    mine = Task.objects.filter(claimed_by=actor)
    transition(
        mine,
        task.pk,
        field="state",
        from_states=State.CLAIMED,
        to_state=State.OPEN,
        by=actor,
        event=TaskEvent,
        why=why,
        also={"claimed_by": None},
    )
    return Task.objects.get(pk=task.pk)


def task_done(*, task: Task, by=None, why="") -> Task:
    """Done: marked by the app that offered it (its own record is what is done), or by the volunteer
    who took it. `by`: the account, None for the offering app's own worker."""
    if by is not None:
        _require_in_scope(by, task)
    transition(
        Task.objects,
        task.pk,
        field="state",
        from_states=UNFINISHED,
        to_state=State.DONE,
        by=by,
        event=TaskEvent,
        why=why,
    )
    return Task.objects.get(pk=task.pk)


def task_cancel(*, task: Task, by=None, why="") -> Task:
    """The offering app withdraws a task not yet done (the parcel was collected at the gate …)."""
    transition(
        Task.objects,
        task.pk,
        field="state",
        from_states=UNFINISHED,
        to_state=State.CANCELLED,
        by=by,
        event=TaskEvent,
        why=why,
    )
    return Task.objects.get(pk=task.pk)


def _require_in_scope(actor, task):
    if not AreaScope.for_user(actor).filter(Task.objects.filter(pk=task.pk)).exists():
        raise NotPermitted(_("This task is not in your buildings."))
