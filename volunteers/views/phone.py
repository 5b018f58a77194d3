"""The volunteer's phone: today (shifts, the buildings covered, their tasks), a task's page with its
moves, and a welfare check's page to record it. Each finds its rows through the caller's scope."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from households.models import compound_shown
from households.scoping import scope_of
from lockdown.core.errors import ServiceError, show_as_message, show_on_form
from volunteers import task_list, today, welfare, welfare_selectors
from volunteers.forms.welfare import WelfareRecordForm
from volunteers.models import Task, WelfareCheck

TASKS_PAGE_SIZE = 30  # a morning's work; the rest a tap away ("next")


@login_required
def today_page(request):
    """The volunteer's home: today's shifts, the buildings they cover (their volunteer role's, which
    is coverage) and those buildings' tasks still to do, their own first, then the soonest due."""
    volunteer = today.volunteer_of(request.user)
    if volunteer is None:  # leaders and staff have their own home page
        return redirect("home")
    scope, date = scope_of(request), timezone.localdate()
    tasks = today.tasks_of_day(building_ids=scope.volunteer_building_ids, user=request.user, date=date)
    context = {
        "volunteer": volunteer,
        "date": date,
        "now": timezone.now(),
        "shifts": today.shifts_of_day(volunteer, date),
        "check_ins": today.check_ins_led(volunteer, date),
        "buildings": today.covered_buildings(scope.volunteer_building_ids),
        "page": Paginator(tasks, TASKS_PAGE_SIZE).get_page(request.GET.get("page")),
        "welfare_kind": welfare.KIND,
    }
    return render(request, "volunteers/today.html", context)


def _task_in_scope(request, pk):
    tasks = Task.objects.select_related("building", "claimed_by").annotate(compound_shown=compound_shown())
    return get_object_or_404(scope_of(request).filter(tasks), pk=pk)


@login_required
def task_detail(request, pk):
    """One task of the list, with its moves; its own app's page is its link."""
    task = _task_in_scope(request, pk)
    steps = task.events.select_related("actor").order_by("-at", "-id")[:20]
    context = {"task": task, "steps": steps, "states": dict(Task.State.choices), "now": timezone.now()}
    context |= {"welfare_kind": welfare.KIND, "oversees": task_list.oversees(request.user, task)}
    return render(request, "volunteers/task_detail.html", context)


@login_required
@require_POST
def task_take(request, pk):
    return _task_step(request, pk, task_list.task_claim, _("You took “%(task)s”."))


@login_required
@require_POST
def task_give_back(request, pk):
    return _task_step(request, pk, task_list.task_give_back, _("“%(task)s” is back on the list for another to take."))


@login_required
@require_POST
def task_done(request, pk):
    return _task_step(request, pk, task_list.task_finish, _("“%(task)s” is done. Thank you."))


@login_required
@require_POST
def task_release(request, pk):
    return _task_step(request, pk, task_list.task_release, _("“%(task)s” is back on the list for another to take."))


def _task_step(request, pk, step, said):
    task = _task_in_scope(request, pk)
    if step is task_list.task_finish and task.kind == welfare.KIND:
        # A check is done by saying how the resident was: its own page asks.
        messages.info(request, _("Record what you found: the check is done with it."))
        return redirect(task.link)
    try:
        step(actor=request.user, task=task)
    except ServiceError as error:
        show_as_message(request, error)
    else:
        messages.success(request, said % {"task": task.title})
    return redirect(_back(request) or reverse("volunteers:task", args=[task.pk]))


def _back(request):
    """The page the button was on (`next`), if it is this site's."""
    back = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return back if safe else ""


@login_required
def welfare_check(request, pk):
    """A check on the phone: who, where, their tags and, if the role may read it, their number; the
    three outcomes to tap, a note for the staff. Posting it records the check and finishes its task."""
    scope = scope_of(request)
    check = welfare_selectors.check_for_phone(scope, pk)
    if check is None:
        raise Http404
    form = WelfareRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            welfare.welfare_check_record(
                actor=request.user, check=check, outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"]
            )
        except ServiceError as error:
            show_on_form(form, error)
        else:
            outcome = WelfareCheck.Outcome(check.outcome).label
            messages.success(request, _("%(name)s: %(outcome)s") % {"name": check.resident.name, "outcome": outcome})
            return redirect("volunteers:today")
    building = check.building
    may = scope.permissions_of(building.pk, building.community_id, building.community.street_id, building.zone_id)
    context = {"check": check, "form": form, "may": may, "outcomes": WelfareCheck.Outcome.choices}
    context["oversees"] = check.task is not None and task_list.oversees(request.user, check.task)
    return render(request, "volunteers/welfare_check.html", context)
