"""Staff's pages of shifts: the templates a compound's groups work by; a day's roster stamped out of
them, which staff watch fill, change, close, publish and send by SMS; the morning's check-in (staff,
or a group's leaders on their phones); and the hours worked."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from households.models import Community, Compound
from households.scoping import scope_of
from lockdown.core.errors import ServiceError, about, errors_text, show_as_message, show_on_form
from volunteers import attendance, hours, roster_selectors, rosters, signups
from volunteers.desk import mobile_reader, staff_row
from volunteers.forms.shifts import (
    CutOffForm,
    DateForm,
    HoursForm,
    MarkForm,
    MoveForm,
    NotifyForm,
    ShiftTemplateForm,
    tomorrow,
)
from volunteers.models import Notice, Roster, ShiftTemplate, Signup


def _compound(request, pk):
    return staff_row(request, Compound.objects.select_related("community__street"), pk)


def _roster(request, pk):
    return staff_row(request, Roster.objects.select_related("compound", "community__street"), pk)


def roster_url(roster):
    return roster_day_url(roster.compound_id, roster.date)


def roster_day_url(compound_id, date):
    return f"{reverse('volunteers:roster', args=[compound_id])}?date={date.isoformat()}"


@login_required
@require_POST
def cut_off(request, pk):
    """The compound's evening cut-off for tomorrow's sign-up."""
    compound = _compound(request, pk)
    form = CutOffForm(request.POST)
    if form.is_valid():
        rosters.cut_off_set(compound=compound, closes_at=form.cleaned_data["closes_at"])
        messages.success(
            request,
            _("Sign-up now closes at %(time)s the evening before.")
            % {"time": form.cleaned_data["closes_at"].strftime("%H:%M")},
        )
    else:
        messages.error(request, errors_text(form))
    return redirect(f"{reverse('volunteers:roster', args=[compound.pk])}?{request.POST.get('back', '')}")


@login_required
def templates(request, pk):
    community = staff_row(request, Community.objects.select_related("street"), pk, community=lambda row: row)
    form = ShiftTemplateForm(request.POST or None, community=community, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        try:
            rosters.template_save(**form.cleaned_data)
        except ServiceError as error:
            show_on_form(form, error)
        else:
            messages.success(request, _("Shift template saved."))
            return redirect("volunteers:shift_templates", pk=community.pk)
    context = {"community": community, "templates": roster_selectors.templates_of(community), "form": form}
    return render(request, "volunteers/shift_templates.html", context)


@login_required
def template_edit(request, pk):
    template = staff_row(
        request, ShiftTemplate.objects.select_related("compound__community__street"), pk, lambda t: t.compound.community
    )
    community = template.compound.community
    initial = {name: getattr(template, name) for name in ShiftTemplateForm.base_fields}
    form = ShiftTemplateForm(request.POST or None, community=community, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rosters.template_save(template=template, **form.cleaned_data)
        except ServiceError as error:
            show_on_form(form, error)
        else:
            messages.success(request, _("Shift template saved."))
            return redirect("volunteers:shift_templates", pk=community.pk)
    return render(request, "volunteers/shift_template_form.html", {"template": template, "form": form})


@login_required
def roster(request, pk):
    """A compound's roster of a day (tomorrow unless ?date= says): each shift's places, holders and
    waiting list, and what staff do with it."""
    compound = _compound(request, pk)
    dates = DateForm(request.GET)
    date = dates.day(tomorrow())
    if date is None:
        date = tomorrow()
        messages.error(request, errors_text(dates))
    current = roster_selectors.roster_of(compound, date)
    context = {"compound": compound, "date": date, "roster": current, "dates": dates}
    cut_off = signups.cut_off_of(compound)
    context["cut_off"] = CutOffForm(initial={"closes_at": cut_off})
    if current is not None:
        board = roster_selectors.roster_board(current)
        notice_counts, trouble = roster_selectors.roster_notices(current, board)
        closes = signups.closes_at(current, cut_off)
        context |= {
            "board": board,
            "places": sum(row.shift.places for row in board),
            "filled": sum(row.filled for row in board),
            "waiting": sum(len(row.waiting) for row in board),
            "closes_at": closes,
            "open": timezone.now() < closes,
            "next_send": rosters.roster_sends(current) + 1,
            "notice_counts": notice_counts,
            "notice_states": Notice.State.choices,
            "trouble": trouble,
            "signature": roster_selectors.roster_signature(current),
            "read_mobile": mobile_reader(request, compound.community),
        }
    return render(request, "volunteers/roster.html", context)


@login_required
def roster_changes(request, pk):
    """What the roster page polls: it reloads when this changes."""
    return JsonResponse({"signature": roster_selectors.roster_signature(_roster(request, pk))})


@login_required
@require_POST
def roster_stamp(request, pk):
    compound = _compound(request, pk)
    date = DateForm(request.POST).day(tomorrow())
    if date is None:
        messages.error(request, errors_text(DateForm(request.POST)))
        return redirect("volunteers:roster", pk=compound.pk)
    try:
        stamped, new = rosters.roster_stamp(compound=compound, date=date)
    except ServiceError as error:
        show_as_message(request, error)
        return redirect(roster_day_url(compound.pk, date))
    if new:
        messages.success(request, _("%(count)s shifts stamped from the templates.") % {"count": new})
    else:
        messages.success(request, _("Every template in use has its shift on this roster already."))
    return redirect(roster_url(stamped))


@login_required
@require_POST
def roster_close(request, pk):
    return _roster_step(request, pk, rosters.roster_close, _("Sign-up closed: staff can still move volunteers."))


@login_required
@require_POST
def roster_publish(request, pk):
    return _roster_step(
        request,
        pk,
        lambda *, roster: rosters.roster_publish(roster=roster, by=request.user),
        _("Published: each volunteer sees their shift on the phone."),
    )


def _roster_step(request, pk, step, done):
    """Close or publish: the step, then back to the roster with what it did or why not."""
    current = _roster(request, pk)
    try:
        step(roster=current)
    except ServiceError as error:
        show_as_message(request, error)
    else:
        messages.success(request, done)
    return redirect(roster_url(current))


@login_required
@require_POST
def roster_notify(request, pk):
    current = _roster(request, pk)
    form = NotifyForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(_("Reload the page and send again."))
        queued = rosters.roster_notify(roster=current, send=form.cleaned_data["send"])
    except ServiceError as error:
        show_as_message(request, error)
    else:
        if queued:
            messages.success(request, _("%(count)s SMS are going out.") % {"count": queued})
        else:
            messages.success(request, _("Already sent: nothing was sent twice."))
    return redirect(roster_url(current))


def _signup(request, pk):
    queryset = Signup.objects.select_related("volunteer", "shift__roster__community__street", "shift__group")
    return staff_row(request, queryset, pk, lambda signup: signup.shift.roster.community)


@login_required
def signup_move(request, pk):
    """Move a volunteer to another shift of the roster; over a full shift's places only when asked."""
    signup = _signup(request, pk)
    current = signup.shift.roster
    form = MoveForm(request.POST or None, roster=current)
    if request.method == "POST" and form.is_valid():
        try:
            moved = signups.signup_move(
                signup=signup, to_shift=form.cleaned_data["shift"], over_places=form.cleaned_data["over_places"]
            )
        except ServiceError as error:
            show_on_form(form, error)
        else:
            messages.success(request, _moved_message(moved))
            return redirect(roster_url(current))
    board = roster_selectors.roster_board(current)
    context = {"signup": signup, "roster": current, "board": board, "form": form, "back": roster_url(current)}
    return render(request, "volunteers/signup_move.html", context)


def _moved_message(moved):
    text = _("%(name)s moved to %(shift)s.") % {
        "name": moved.signup.volunteer.name,
        "shift": signups.shift_label(moved.signup.shift),
    }
    if moved.over_places:
        text += " " + _("That shift is now over its places.")
    return text + _moved_up(moved.moved_up)


def _moved_up(signup):
    if signup is None:
        return ""
    return " " + _("%(name)s moved up from the waiting list and is sent an SMS.") % {"name": signup.volunteer.name}


@login_required
@require_POST
def signup_remove(request, pk):
    """Staff take a volunteer off the roster (sick, say); the first one waiting moves up."""
    signup = _signup(request, pk)
    try:
        moved_up = signups.signup_cancel(signup=signup, by_staff=True)
    except ServiceError as error:
        show_as_message(request, error)
    else:
        messages.success(
            request, _("%(name)s is off the roster.") % {"name": signup.volunteer.name} + _moved_up(moved_up)
        )
    return redirect(roster_url(signup.shift.roster))


# The morning's check-in, and the hours


def _check_in_groups(request, compound):
    """None for staff (every shift), else the groups the account leads; 404 for anyone else."""
    if scope_of(request).may_edit_community(compound.community):
        return None
    led = attendance.led_group_ids(request.user, compound.community_id)
    if not led:
        raise Http404
    return led


@login_required
def check_in(request, pk):
    """Today's shifts of the compound (or ?date=), each holder with a tap for present, trained,
    suit issued and checked out; the suits issued today in each compound."""
    compound = get_object_or_404(Compound.objects.select_related("community__street"), pk=pk)
    groups = _check_in_groups(request, compound)
    today = timezone.localdate()
    dates = DateForm(request.GET)
    date = dates.day(today)
    if date is None:
        date = today
        messages.error(request, errors_text(dates))
    current = roster_selectors.roster_of(compound, date)
    suits = attendance.suits_issued(compound.community_id, date)
    context = {
        "compound": compound,
        "date": date,
        "dates": dates,
        "ahead": date > today,  # nobody has gathered yet: the holders are shown, without taps
        "roster": current,
        "board": roster_selectors.check_in_day(current, groups) if current else [],
        "suits": suits.get(compound.pk, 0),
        "suits_by_compound": [(c, suits.get(c.pk, 0)) for c in compound.community.compounds.all()],
        "read_mobile": mobile_reader(request, compound.community),
    }
    return render(request, "volunteers/check_in.html", context)


@login_required
@require_POST
def mark(request, pk):
    signup = get_object_or_404(Signup.objects.select_related("shift__roster__community__street", "volunteer"), pk=pk)
    try:
        attendance.require_may_check_in(scope_of(request), request.user, signup.shift)
    except ServiceError:
        raise Http404 from None
    form = MarkForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(errors_text(form))
        attendance.attendance_mark(signup=signup, mark=form.cleaned_data["mark"])
    except ServiceError as error:
        show_as_message(request, ServiceError(about(signup.volunteer.name, error.message)))
    roster = signup.shift.roster
    url = reverse("volunteers:check_in", args=[roster.compound_id])
    return redirect(f"{url}?date={roster.date.isoformat()}#signup-{signup.pk}")


@login_required
def hours_page(request, pk):
    """Hours per volunteer and per group, by day and in total, over a week (or the days asked)."""
    community = staff_row(request, Community.objects.select_related("street"), pk, community=lambda row: row)
    form = HoursForm(request.GET)
    context = {"community": community, "form": form}
    if form.is_valid():
        date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        by_volunteer = hours.hours_by_volunteer(community, date_from, date_to)
        by_group = hours.hours_by_group(community, date_from, date_to)
        context |= {
            "days": [date_from + datetime.timedelta(days=n) for n in range((date_to - date_from).days + 1)],
            "by_volunteer": by_volunteer,
            "by_group": by_group,
            "day_totals": hours.day_totals(by_group),
            "not_checked_out": hours.not_checked_out(community, date_from, date_to),
        }
    return render(request, "volunteers/hours.html", context)
