"""The gate on a phone: record each parcel as it arrives, disinfect a tray at once, see what is on
hold and what came back; the committee sets the hold time."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from households.models import Community, Compound
from households.scoping import scope_of
from lockdown.core.errors import ServiceError, errors_text, show_as_message, show_on_form
from supplies import gate, selectors, uploads
from supplies.forms import HoldForm, IntakeForm
from supplies.models import Parcel
from volunteers.desk import staff_row


def _compound(request, pk):
    return get_object_or_404(scope_of(request).filter(Compound.objects.select_related("community__street")), pk=pk)


def gate_url(compound_id):
    return reverse("supplies:gate", args=[compound_id])


def flags_text(parcel) -> str:
    flags = [(parcel.medicine, _("medicine")), (parcel.cold_chain, _("cold chain")), (parcel.fragile, _("fragile"))]
    return "、".join(str(name) for on, name in flags if on)


@login_required
def gates(request):
    """Every gate of the account's areas, with what waits at each; staff reach the waves from here."""
    scope = scope_of(request)
    compounds = selectors.gates_of(scope)
    for compound in compounds:
        compound.runs_gate = scope.may_edit_community(compound.community)
    communities = scope.editable_communities(Community.objects.order_by("name"))
    return render(request, "supplies/gates.html", {"compounds": compounds, "communities": communities})


@login_required
def gate_page(request, pk):
    """The intake form, big and first; under it the counts, the tray to disinfect, the last few
    parcels recorded here (each with its undo) and those back from the buildings."""
    compound = _compound(request, pk)
    scope = scope_of(request)
    form = IntakeForm(request.POST or None, request.FILES or None, scope=scope, compound=compound)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            parcel = gate.parcel_receive(
                actor=request.user,
                household=data["target"],
                medicine=data["medicine"],
                cold_chain=data["cold_chain"],
                fragile=data["fragile"],
                note=data["note"],
                photo=data["photo"],
                scope=scope,
            )
        except ServiceError as error:
            show_on_form(form, error)
        else:
            flags = flags_text(parcel)
            message = _("Recorded for %(room)s.") % {"room": data["target"].label_seen_from(compound.pk)}
            messages.success(request, f"{message} {flags}" if flags else message)
            return redirect(gate_url(compound.pk))
    context = {
        "compound": compound,
        "form": form,
        "gate": selectors.gate_counts(compound),
        "recent": selectors.recent_intake(compound, request.user),
        "runs_gate": scope.may_edit_community(compound.community),
        "returned": selectors.returned_parcels(compound, scope),
        "hold": gate.hold_of(compound),
        "now": timezone.now(),
        "undo_after": timezone.now() - gate.UNDO_WITHIN,
    }
    return render(request, "supplies/gate.html", context)


@login_required
@require_POST
def disinfect(request, pk):
    compound = _compound(request, pk)
    try:
        count = gate.parcels_disinfect(actor=request.user, compound=compound)
    except ServiceError as error:
        show_as_message(request, error)
    else:
        if count:
            ready = timezone.localtime(timezone.now() + gate.hold_of(compound))
            message = ngettext(
                "%(count)s parcel disinfected: ready at %(time)s.",
                "%(count)s parcels disinfected: ready at %(time)s.",
                count,
            )
            messages.success(request, message % {"count": count, "time": f"{ready:%H:%M}"})
        else:
            messages.info(request, _("No parcel was waiting for disinfection."))
    return redirect(gate_url(compound.pk))


@login_required
@require_POST
def hold_set(request, pk):
    compound = staff_row(request, Compound.objects.select_related("community__street"), pk)
    form = HoldForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(errors_text(form))
        gate.gate_hold_set(actor=request.user, compound=compound, minutes=form.cleaned_data["hold_minutes"])
    except ServiceError as error:
        show_as_message(request, error)
    else:
        messages.success(
            request,
            _("Parcels disinfected from now are held %(minutes)s minutes.")
            % {"minutes": form.cleaned_data["hold_minutes"]},
        )
    return redirect(reverse("supplies:waves", args=[compound.pk]))


def _parcel(request, pk):
    parcels = Parcel.objects.select_related("household__building", "compound__community__street")
    return get_object_or_404(scope_of(request).filter(parcels), pk=pk)


@login_required
@require_POST
def undo(request, pk):
    parcel = _parcel(request, pk)
    try:
        gate.parcel_undo(actor=request.user, parcel=parcel)
    except ServiceError as error:
        show_as_message(request, error)
    else:
        messages.success(request, _("The parcel for %(room)s is taken back.") % {"room": parcel.household.label})
    return redirect(gate_url(parcel.compound_id))


@login_required
@require_POST
def requeue(request, pk):
    parcel = _parcel(request, pk)
    try:
        gate.parcel_requeue(actor=request.user, parcel=parcel)
    except ServiceError as error:
        show_as_message(request, error)
    else:
        messages.success(
            request, _("The parcel for %(room)s goes in the next wave.") % {"room": parcel.household.label}
        )
    return redirect(gate_url(parcel.compound_id))


@login_required
def photo(request, pk):
    """A parcel's photo, to whoever sees its building: what the box looks like, at the door."""
    parcel = get_object_or_404(scope_of(request).filter(Parcel.objects.exclude(photo="")), pk=pk)
    return FileResponse(parcel.photo.open("rb"), content_type=uploads.content_type(parcel.photo))
