"""Staff's pages of waves: the compound's waves and the plan of the next; a wave's sorting view
(its buildings in the route's order, one building's parcels at a time, priority first) with its
printable labels and building sheets; the route and each building's door or shelf."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from households.models import Building, Compound, building_label
from lockdown.core.errors import ServiceError, about, errors_text, show_as_message, show_on_form
from lockdown.core.inputs import query_id
from supplies import gate, rules, selectors, waves
from supplies.forms import BuildingDeliveryForm, HoldForm, WaveForm
from supplies.models import Destination, Wave
from volunteers.desk import staff_row

RECENT_WAVES = 20


def _compound(request, pk):
    return staff_row(request, Compound.objects.select_related("community__street"), pk)


def _wave(request, pk):
    return staff_row(request, Wave.objects.select_related("compound", "community"), pk)


def wave_url(wave_id, building_id=None):
    url = reverse("supplies:wave", args=[wave_id])
    return f"{url}?building={building_id}" if building_id else url


@login_required
def wave_list(request, pk):
    compound = _compound(request, pk)
    form = WaveForm(request.POST or None, initial=_next_wave())
    if request.method == "POST" and form.is_valid():
        try:
            wave = waves.wave_plan(actor=request.user, compound=compound, **form.cleaned_data)
        except ServiceError as error:
            show_on_form(form, error)
        else:
            return redirect(wave_url(wave.pk))
    context = {
        "compound": compound,
        "form": form,
        "hold_form": HoldForm(initial={"hold_minutes": int(gate.hold_of(compound).total_seconds() // 60)}),
        "gate": selectors.gate_counts(compound),
        "waves": selectors.recent_waves(compound, RECENT_WAVES),
        "states": dict(Wave.State.choices),
    }
    return render(request, "supplies/wave_list.html", context)


def _next_wave():
    """The form's time: 09:00 or 14:00, whichever comes next (the two waves of the committees)."""
    now = timezone.localtime()
    for hour, name in ((9, "上午"), (14, "下午")):
        if now.hour < hour:
            return {"name": name, "starts_at": now.replace(hour=hour, minute=0, second=0, microsecond=0)}
    tomorrow = now + datetime.timedelta(days=1)
    return {"name": "上午", "starts_at": tomorrow.replace(hour=9, minute=0, second=0, microsecond=0)}


@login_required
def wave_detail(request, pk):
    """The sorting view: the wave's buildings in the route's order with their counts and who covers
    them; the chosen building's parcels (the first building's by default), priority first."""
    wave = _wave(request, pk)
    buildings = selectors.wave_buildings(wave)
    chosen = query_id(request.GET, "building")
    building = next((row for row in buildings if row.pk == chosen), buildings[0] if buildings else None)
    context = {
        "wave": wave,
        "compound": wave.compound,
        "buildings": buildings,
        "uncovered": [building_label(row.number) for row in buildings if not row.covered_by],
        "building": building,
        "parcels": selectors.run_parcels(wave, building) if building else [],
        "waiting": selectors.ready_in_no_wave(wave.compound) if wave.state == Wave.State.PLANNED else 0,
        "states": dict(Wave.State.choices),
        "Priority": rules.Priority,
        "building_label": building_label,
    }
    return render(request, "supplies/wave_detail.html", context)


@login_required
@require_POST
def wave_load(request, pk):
    wave = _wave(request, pk)
    try:
        count = waves.wave_load(actor=request.user, wave=wave)
    except ServiceError as error:
        show_as_message(request, error)
    else:
        message = ngettext("%(count)s parcel loaded for sorting.", "%(count)s parcels loaded for sorting.", count)
        messages.success(request, message % {"count": count})
    return redirect(wave_url(wave.pk))


@login_required
@require_POST
def wave_unload(request, pk):
    """One building's parcels taken out of a wave still being sorted: they wait for the next wave."""
    wave = _wave(request, pk)
    building = get_object_or_404(
        Building.objects.filter(compound_id=wave.compound_id), pk=query_id(request.POST, "building")
    )
    try:
        count = waves.wave_unload(actor=request.user, wave=wave, building=building)
    except ServiceError as error:
        show_as_message(request, error)
    else:
        message = ngettext(
            "%(count)s parcel of %(building)s taken out: it waits for the next wave.",
            "%(count)s parcels of %(building)s taken out: they wait for the next wave.",
            count,
        )
        messages.success(request, message % {"count": count, "building": building_label(building.number)})
    return redirect(wave_url(wave.pk))


@login_required
@require_POST
def wave_dispatch(request, pk):
    wave = _wave(request, pk)
    try:
        count = waves.wave_dispatch(actor=request.user, wave=wave)
    except ServiceError as error:
        show_as_message(request, error)
    else:
        message = ngettext(
            "%(count)s parcel out for delivery: each building's volunteers have it on their list.",
            "%(count)s parcels out for delivery: each building's volunteers have them on their list.",
            count,
        )
        messages.success(request, message % {"count": count})
    return redirect(wave_url(wave.pk))


def _printable(request, pk, template):
    """Labels or building sheets of the wave: one building's (?building=) or every building's."""
    wave = _wave(request, pk)
    chosen = query_id(request.GET, "building")
    rows = [row for row in selectors.wave_buildings(wave) if chosen in (None, row.pk)]
    parcels = selectors.parcels_by_building(wave, rows)
    sheets = [(row, parcels[row.pk]) for row in rows]
    context = {"wave": wave, "compound": wave.compound, "sheets": sheets, "building_label": building_label}
    return render(request, template, context)


@login_required
def wave_labels(request, pk):
    return _printable(request, pk, "supplies/wave_labels.html")


@login_required
def wave_sheet(request, pk):
    return _printable(request, pk, "supplies/wave_sheet.html")


@login_required
def route_page(request, pk):
    """Each building of the compound: its control level, where its parcels go, its shelf, its place
    on the route."""
    compound = _compound(request, pk)
    context = {"compound": compound, "buildings": selectors.route_of(compound), "Destination": Destination}
    return render(request, "supplies/route.html", context)


@login_required
@require_POST
def route_set(request, pk):
    building = staff_row(request, Building.objects.select_related("community__street", "compound"), pk)
    form = BuildingDeliveryForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(errors_text(form))
        waves.building_delivery_set(actor=request.user, building=building, **form.cleaned_data)
    except ServiceError as error:
        show_as_message(request, ServiceError(about(building, error.message)))
    else:
        messages.success(request, _("%(building)s saved.") % {"building": building})
    return redirect(f"{reverse('supplies:route', args=[building.compound_id])}#building-{building.pk}")
