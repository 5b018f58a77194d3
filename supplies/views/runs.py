"""A building's run on the volunteer's phone (the link of its task): its parcels in the order to
carry them, a tap to hand each over or all at once, and a parcel sent back with its reason."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from households.models import Building, building_label
from households.scoping import scope_of
from lockdown.core.errors import ServiceError, about, errors_text, show_as_message
from lockdown.core.inputs import as_id
from supplies import deliveries, rules, selectors, waves
from supplies.forms import ReturnForm
from supplies.models import Destination, Parcel, Wave
from volunteers.models import Task


def _run(request, wave_pk, building_pk):
    building = get_object_or_404(scope_of(request).filter(Building.objects.select_related("community")), pk=building_pk)
    wave = get_object_or_404(Wave.objects.filter(compound_id=building.compound_id), pk=wave_pk)
    return wave, building


def run_url(wave_id, building_id):
    return reverse("supplies:run", args=[wave_id, building_id])


@login_required
def run_page(request, wave_pk, building_pk):
    wave, building = _run(request, wave_pk, building_pk)
    parcels = selectors.run_parcels(wave, building)
    task = Task.objects.filter(kind=waves.KIND, source_key=waves.run_key(wave.pk, building.pk)).first()
    context = {
        "wave": wave,
        "building": building,
        "title": building_label(building.number),
        "parcels": parcels,
        "out": sum(1 for parcel in parcels if parcel.state == Parcel.State.OUT),
        "shelf_place": selectors.shelf_place(building),
        "task": task,
        "reasons": ReturnForm.REASONS,
        "Destination": Destination,
        "Priority": rules.Priority,
        "states": dict(Parcel.State.choices),
    }
    return render(request, "supplies/run.html", context)


@login_required
@require_POST
def hand_over(request, wave_pk, building_pk):
    """All the run's parcels still out, or the one of `parcel`."""
    wave, building = _run(request, wave_pk, building_pk)
    one = request.POST.get("parcel")
    ids = None
    if one is not None:
        pk = as_id(one)
        if pk is None:
            raise Http404
        ids = [pk]
    try:
        count = deliveries.parcels_hand_over(actor=request.user, wave=wave, building=building, ids=ids)
    except ServiceError as error:
        show_as_message(request, error)
    else:
        message = ngettext("%(count)s parcel handed over.", "%(count)s parcels handed over.", count)
        if count or ids is None:
            messages.success(request, message % {"count": count})
    back_to = f"#parcel-{ids[0]}" if ids else ""  # a long run stays where the volunteer is
    return redirect(run_url(wave.pk, building.pk) + back_to)


@login_required
@require_POST
def send_back(request, pk):
    parcels = Parcel.objects.select_related("household__building", "wave", "building")
    parcel = get_object_or_404(scope_of(request).filter(parcels), pk=pk)
    if parcel.wave is None:
        raise Http404
    form = ReturnForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(errors_text(form))
        deliveries.parcel_return(actor=request.user, parcel=parcel, reason=form.cleaned_data["reason"])
    except ServiceError as error:
        show_as_message(request, ServiceError(about(parcel.household.label, error.message)))
    else:
        messages.success(
            request, _("The parcel for %(room)s goes back to the gate.") % {"room": parcel.household.label}
        )
    return redirect(f"{run_url(parcel.wave_id, parcel.building_id)}#parcel-{parcel.pk}")
