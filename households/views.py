"""Register pages: each finds its objects through the caller's scope, calls a service, answers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lockdown.core.errors import ServiceError, show_as_message, show_on_form
from lockdown.core.inputs import query_id

from . import selectors, services
from .forms import ControlLevelForm, HouseholdForm, MoveForm, PresenceForm, ResidentForm
from .models import Building, Community, Compound, Household, Presence, Resident, Tag, Zone, compound_shown, room_label
from .scoping import scope_of
from .versions import StaleEdit

KEY_POPULATION_PAGE_SIZE = 100


def _household_in_scope(request, pk):
    """The household, with `compound_shown` for writing its room (models.room_label)."""
    queryset = Household.objects.select_related("building__compound", "building__zone", "building__community")
    queryset = queryset.annotate(compound_shown=compound_shown())
    return get_object_or_404(scope_of(request).filter(queryset), pk=pk)


def _resident_in_scope(request, pk):
    """The resident, with `compound_shown` for writing their room (models.room_label)."""
    queryset = Resident.objects.select_related("household__building__compound", "household__building__community")
    queryset = queryset.annotate(compound_shown=compound_shown())
    return get_object_or_404(scope_of(request).filter(queryset), pk=pk)


def _permissions_or_404(request, household, needed):
    if not getattr(scope_of(request).permissions_for(household), needed):
        raise Http404


@login_required
def area_list(request):
    scope = scope_of(request)
    communities = scope.filter(Community.objects.select_related("street"))
    compounds = scope.filter(Compound.objects.all())
    return render(request, "households/area_list.html", {"communities": communities, "compounds": compounds})


@login_required
def community_overview(request, pk):
    scope = scope_of(request)
    community = get_object_or_404(scope.filter(Community.objects.all()), pk=pk)
    groups, total = selectors.area_overview(scope, buildings=Building.objects.filter(community=community))
    compounds = scope.filter(Compound.objects.filter(community=community))
    context = {"area": community, "groups": groups, "total": total, "compounds": compounds}
    return render(request, "households/overview.html", context)


@login_required
def compound_overview(request, pk):
    scope = scope_of(request)
    compound = get_object_or_404(scope.filter(Compound.objects.select_related("community")), pk=pk)
    groups, total = selectors.area_overview(scope, buildings=Building.objects.filter(compound=compound))
    form = ControlLevelForm(initial={"level": compound.control_level})
    context = {"area": compound, "groups": groups, "total": total, "level_form": form}
    context["can_set_level"] = scope.may_edit_community(compound.community)
    context["level_changes"] = compound.level_changes.select_related("changed_by")[:5]
    return render(request, "households/overview.html", context)


@login_required
def building_detail(request, pk):
    scope = scope_of(request)
    queryset = Building.objects.select_related("compound", "zone", "community").annotate(
        compound_shown=compound_shown("compound")
    )
    building = get_object_or_404(scope.filter(queryset), pk=pk)
    households = selectors.building_households(scope, building=building)
    context = {
        "building": building,
        "households": households,
        "permissions": scope.permissions_for(building),
        "can_set_level": scope.may_edit_community(building.community),
        "level_form": ControlLevelForm(initial={"level": building.control_level}),
        "level_changes": building.level_changes.select_related("changed_by")[:5],
    }
    return render(request, "households/building_detail.html", context)


@login_required
def household_detail(request, pk):
    household = _household_in_scope(request, pk)
    permissions = scope_of(request).permissions_for(household)
    residents = selectors.with_labels(household.residents.order_by("presence", "id"))
    reads_history = permissions.reads("history", Household)
    context = {
        "household": household,
        "residents": residents,
        "permissions": permissions,
        "history": selectors.household_history(household, permissions) if reads_history else [],
        "presence_choices": Presence.choices,
    }
    return render(request, "households/household_detail.html", context)


@login_required
def household_create(request, building_pk):
    scope = scope_of(request)
    queryset = Building.objects.select_related("community", "compound")
    queryset = queryset.annotate(compound_shown=compound_shown("compound"))
    building = get_object_or_404(scope.filter(queryset), pk=building_pk)
    form = HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(actor=request.user, building=building, **form.cleaned_data)
        except ServiceError as error:
            show_on_form(form, error)
        else:
            label = room_label(building.number, household.unit, household.room, building.compound_shown)
            messages.success(request, _("Household %(label)s added.") % {"label": label})
            return redirect("households:detail", pk=household.pk)
    return render(request, "households/household_form.html", {"form": form, "building": building})


@login_required
def household_edit(request, pk):
    household = _household_in_scope(request, pk)
    _permissions_or_404(request, household, "edit")
    form = HouseholdForm(request.POST or None, initial=_household_initial(household))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.household_update(actor=request.user, household=household, read_version=data.pop("version"), **data)
        except StaleEdit as stale:
            fresh = _household_in_scope(request, pk)
            form = form.redo(HouseholdForm(initial=_household_initial(fresh)), stale)
        except ServiceError as error:
            show_on_form(form, error)
            household = _household_in_scope(request, pk)  # the page's title names the room as saved
        else:
            messages.success(request, _("Household saved."))
            return redirect("households:detail", pk=household.pk)
    context = {"form": form, "building": household.building, "household": household}
    return render(request, "households/household_form.html", context)


def _household_initial(household):
    return {"unit": household.unit, "room": household.room, "notes": household.notes, "version": household.version}


@login_required
def resident_create(request, household_pk):
    household = _household_in_scope(request, household_pk)
    _permissions_or_404(request, household, "edit")
    form = ResidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            resident = services.resident_create(actor=request.user, household=household, data=form.to_input())
        except ServiceError as error:
            show_on_form(form, error)
        else:
            messages.success(request, _("%(name)s added.") % {"name": resident.name})
            return redirect("households:detail", pk=household.pk)
    return render(request, "households/resident_form.html", {"form": form, "household": household})


@login_required
def resident_edit(request, pk):
    resident = _resident_in_scope(request, pk)
    _permissions_or_404(request, resident.household, "edit")
    form = ResidentForm(request.POST or None, instance=resident)
    if request.method == "POST" and form.is_valid():
        try:
            services.resident_update(
                actor=request.user, resident=resident, data=form.to_input(), read_version=form.cleaned_data["version"]
            )
        except StaleEdit as stale:
            form = form.redo(ResidentForm(instance=_resident_in_scope(request, pk)), stale)
        except ServiceError as error:
            show_on_form(form, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": resident.name})
            return redirect("households:detail", pk=resident.household_id)
    context = {"form": form, "household": resident.household, "resident": resident}
    return render(request, "households/resident_form.html", context)


@login_required
def resident_move(request, pk):
    resident = _resident_in_scope(request, pk)
    _permissions_or_404(request, resident.household, "edit")
    form = MoveForm(request.POST or None, scope=scope_of(request), community_id=resident.household.community_id)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["target"]
        moved_from = resident.household.building.compound_id
        try:
            services.resident_move(actor=request.user, resident=resident, to_household=target)
        except ServiceError as error:
            show_on_form(form, error)
        else:
            label = target.label_seen_from(moved_from)
            messages.success(request, _("%(name)s moved to %(label)s.") % {"name": resident.name, "label": label})
            return redirect("households:detail", pk=target.pk)
    return render(request, "households/resident_move.html", {"form": form, "resident": resident})


@login_required
@require_POST
def resident_presence(request, pk):
    resident = _resident_in_scope(request, pk)
    form = PresenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose where the resident is."))
    else:
        try:
            services.resident_set_presence(
                actor=request.user, resident=resident, presence=form.cleaned_data["presence"]
            )
        except ServiceError as error:
            show_as_message(request, error)
        else:
            messages.success(
                request,
                _("%(name)s: %(presence)s") % {"name": resident.name, "presence": resident.get_presence_display()},
            )
    return redirect("households:detail", pk=resident.household_id)


@login_required
@require_POST
def resident_reveal(request, pk, field_name):
    resident = _resident_in_scope(request, pk)
    if field_name not in ("id_number", "phone"):
        raise Http404
    try:
        value = services.resident_reveal(
            actor=request.user, resident=resident, field_name=field_name, ip_address=request.META.get("REMOTE_ADDR")
        )
    except ServiceError as error:
        return JsonResponse({"error": error.message}, status=403)
    return JsonResponse({"value": value})


@login_required
@require_POST
def control_level(request, kind, pk):
    model = {"compound": Compound, "building": Building}.get(kind)
    if model is None:
        raise Http404
    area = get_object_or_404(scope_of(request).filter(model.objects.select_related("community")), pk=pk)
    form = ControlLevelForm(request.POST)
    if form.is_valid():
        try:
            services.control_level_set(actor=request.user, area=area, **form.cleaned_data)
        except ServiceError as error:
            show_as_message(request, error)
        else:
            messages.success(request, _("Control level saved."))
    return redirect(f"households:{kind}", pk=pk)


@login_required
def search(request):
    query = request.GET.get("q", "")
    residents, kind = selectors.resident_search(scope_of(request), query)
    context = {
        "query": query,
        "kind": kind,
        "residents": residents[: selectors.SEARCH_LIMIT],
        "more": len(residents) > selectors.SEARCH_LIMIT,
        "too_short": bool(query.strip()) and not kind,
        "limit": selectors.SEARCH_LIMIT,
        "reads": scope_of(request).reads,
    }
    return render(request, "households/search.html", context)


@login_required
def key_population(request):
    scope = scope_of(request)
    tag = request.GET.get("tag", "") if request.GET.get("tag") in Tag.values else ""
    zone_id, building_id = query_id(request.GET, "zone"), query_id(request.GET, "building")
    residents = selectors.key_population(scope, tag=tag, zone_id=zone_id, building_id=building_id)
    page = Paginator(residents, KEY_POPULATION_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.table_rows(scope, page.object_list)
    context = {
        "page": page,
        "reads": scope.reads,
        "tags": Tag.choices,
        "tag": tag,
        "zones": scope.filter(Zone.objects.select_related("compound")),
        "buildings": scope.filter(Building.objects.select_related("compound")),
        "zone_id": zone_id,
        "building_id": building_id,
    }
    return render(request, "households/key_population.html", context)
