"""The volunteer's phone page of tomorrow's shifts (接龙): sign up, cancel, see their place in line,
and, once staff publish the roster, the shift they are on."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lockdown.core.errors import ServiceError, show_as_message
from volunteers import roster_selectors, signups
from volunteers.forms.shifts import DateForm, tomorrow
from volunteers.models import Shift, Signup, Volunteer


def _volunteer(request) -> Volunteer:
    """The account's own volunteer record; an account without one has no such page."""
    try:
        return request.user.volunteer
    except ObjectDoesNotExist:
        raise Http404 from None


def _back(date):
    return redirect(f"{reverse('volunteers:my_shifts')}?date={date.isoformat()}")


@login_required
def my_shifts(request):
    volunteer = _volunteer(request)
    date = DateForm(request.GET).day(tomorrow()) or tomorrow()
    day = roster_selectors.phone_day(volunteer, date)
    context = {"volunteer": volunteer, "date": date, "day": day, "is_tomorrow": date == tomorrow()}
    return render(request, "volunteers/my_shifts.html", context)


@login_required
@require_POST
def sign_up(request, pk):
    volunteer = _volunteer(request)
    shifts = Shift.objects.select_related("roster").filter(roster__community_id=volunteer.community_id)
    shift = get_object_or_404(shifts, pk=pk)
    try:
        placed = signups.signup_create(volunteer=volunteer, shift=shift)
    except ServiceError as error:
        show_as_message(request, error)
    else:
        label = signups.shift_label(shift)
        if placed.position is None:
            messages.success(request, _("You have a place on %(shift)s.") % {"shift": label})
        else:
            messages.success(
                request,
                _(
                    "%(shift)s is full: you are on its waiting list, number %(position)s in line. If a place "
                    "frees up you move up at once and get an SMS."
                )
                % {"shift": label, "position": placed.position},
            )
    return _back(shift.roster.date)


@login_required
@require_POST
def cancel(request, pk):
    volunteer = _volunteer(request)
    signup = get_object_or_404(Signup.objects.select_related("shift__roster"), pk=pk, volunteer=volunteer)
    try:
        signups.signup_cancel(signup=signup)
    except ServiceError as error:
        show_as_message(request, error)
    else:
        messages.success(request, _("Cancelled: %(shift)s.") % {"shift": signups.shift_label(signup.shift)})
    return _back(signup.shift.roster.date)
