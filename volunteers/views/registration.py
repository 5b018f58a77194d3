"""The public registration page of a compound's link, and the staff's poster of it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from households.models import Compound
from lockdown.core.addresses import client_address
from lockdown.core.errors import ServiceError, show_as_message, show_on_form

from .. import registration
from ..desk import staff_row
from ..forms.registration import RegistrationForm


def join(request, token):
    place = registration.join_place(token)
    if place is None:
        return render(request, "volunteers/join_unknown.html", status=404)
    if not place.joining_open:
        return render(request, "volunteers/join_closed.html", {"place": place})
    form = RegistrationForm(request.POST or None, compound=place.compound)
    if request.method == "POST" and form.is_valid():
        try:
            registration.volunteer_register(
                place=place, registration=form.to_registration(), address=client_address(request)
            )
        except ServiceError as error:
            show_on_form(form, error)
        else:  # the same page for a number new or known: it tells nobody who registered
            return redirect("volunteers:join_thanks", token=token)
    return render(request, "volunteers/join_form.html", {"form": form, "place": place})


def join_thanks(request, token):
    place = registration.join_place(token)
    if place is None:
        return render(request, "volunteers/join_unknown.html", status=404)
    return render(request, "volunteers/join_thanks.html", {"place": place})


def _compound_for_staff(request, pk):
    return staff_row(request, Compound.objects.select_related("community__street"), pk)


@login_required
def poster(request, pk):
    """The compound's registration poster: its link and QR code, printable on A4."""
    compound = _compound_for_staff(request, pk)
    place = registration.join_settings(compound)
    link = request.build_absolute_uri(reverse("volunteers:join", args=[place.join_token]))
    context = {"compound": compound, "place": place, "link": link, "qr_code": registration.qr_code(link)}
    return render(request, "volunteers/poster.html", context)


@login_required
@require_POST
def poster_joining(request, pk):
    compound = _compound_for_staff(request, pk)
    joining_open = request.POST.get("joining_open") == "1"
    try:
        registration.joining_set(actor=request.user, compound=compound, joining_open=joining_open)
    except ServiceError as error:
        show_as_message(request, error)
    else:
        messages.success(request, _("Registration is open.") if joining_open else _("Registration is closed."))
    return redirect("volunteers:poster", pk=compound.pk)


@login_required
@require_POST
def poster_new_link(request, pk):
    compound = _compound_for_staff(request, pk)
    try:
        registration.join_link_renew(actor=request.user, compound=compound)
    except ServiceError as error:
        show_as_message(request, error)
    else:
        messages.success(request, _("A new link is made: the old link and its posters no longer work."))
    return redirect("volunteers:poster", pk=compound.pk)
