"""Staff's pages of a community's volunteer groups (the 志愿者分组表, on screen, printed and as
.xlsx) and of who covers each building, with the building pairs."""

import io

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from households.models import Building, Community, Role, RoleAssignment
from lockdown.core.addresses import client_address
from lockdown.core.errors import ServiceError, errors_text, show_as_message, show_on_form
from lockdown.core.spreadsheets import XLSX_TYPE, write_table
from volunteers import coverage, group_table, groups
from volunteers.desk import mobile_reader, staff_row
from volunteers.forms.groups import CoverForm, GroupForm, MembersForm, PairForm
from volunteers.models import BuildingPair, Group, Membership, Volunteer


def _community(request, pk):
    return staff_row(request, Community.objects.select_related("street"), pk, community=lambda row: row)


def _group(request, pk):
    return staff_row(request, Group.objects.select_related("community__street"), pk)


@login_required
def table(request, pk):
    community = _community(request, pk)
    printing = request.GET.get("print") == "1"
    if printing:
        _audit_export(request, community, "print")
    return _table_page(request, community, GroupForm(), printing=printing)


def _table_page(request, community, form, *, printing=False):
    context = {
        "community": community,
        "rows": group_table.group_table(community),
        "ungrouped": group_table.ungrouped(community),
        "read_mobile": mobile_reader(request, community),
        "form": form,
        "printing": printing,
        "today": timezone.localdate(),
    }
    return render(request, "volunteers/group_table.html", context)


@login_required
def table_xlsx(request, pk):
    """The table with the mobile numbers in full, as the register's exports are for the same
    roles; who took it, and from where, is kept."""
    community = _community(request, pk)
    read_mobile = mobile_reader(request, community)
    rows = group_table.group_table(community)
    target = io.BytesIO()
    write_table([group_table.table_sheet(community, rows, lambda n: read_mobile(n, unmasked=True))], target)
    _audit_export(request, community, "xlsx")
    target.seek(0)
    name = _("%(community)s volunteer group table %(date)s.xlsx") % {
        "community": community.name,
        "date": timezone.localdate().isoformat(),
    }
    return FileResponse(target, as_attachment=True, filename=name, content_type=XLSX_TYPE)


def _audit_export(request, community, fmt):
    group_table.table_taken(actor=request.user, community=community, fmt=fmt, ip_address=client_address(request))


@login_required
@require_POST
def group_create(request, pk):
    """A new group; a mistake shows the table again with the form as typed, the message beside its field."""
    community = _community(request, pk)
    form = GroupForm(request.POST)
    if form.is_valid():
        try:
            group = groups.group_save(community=community, **form.cleaned_data)
        except ServiceError as error:
            show_on_form(form, error)
        else:
            return redirect("volunteers:group", pk=group.pk)
    return _table_page(request, community, form)


@login_required
def group_detail(request, pk):
    """A group's rules, its members (leaders first) and the approved volunteers who may join it."""
    group = _group(request, pk)
    form = GroupForm(request.POST or None, initial=_group_initial(group))
    if request.method == "POST" and form.is_valid():
        try:
            groups.group_save(community=group.community, group=group, **form.cleaned_data)
        except ServiceError as error:
            show_on_form(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("volunteers:group", pk=group.pk)
    members = Membership.objects.filter(group=group).select_related("volunteer").order_by("-leader", "volunteer__name")
    candidates = _candidates(group)
    context = {
        "group": group,
        "form": form,
        "members": members,
        # The rules may have changed since they joined: staff see who no longer fits.
        "outside_rules": {membership.volunteer_id: groups.fits(group, membership.volunteer) for membership in members},
        "candidates": [(volunteer, groups.fits(group, volunteer)) for volunteer in candidates],
        "read_mobile": mobile_reader(request, group.community),
    }
    return render(request, "volunteers/group_detail.html", context)


def _group_initial(group):
    return {"name": group.name, "min_age": group.min_age, "max_age": group.max_age, "skills": group.skills}


def _candidates(group):
    approved = Volunteer.objects.filter(community=group.community, status=Volunteer.Status.APPROVED)
    return approved.exclude(memberships__group=group).order_by("name", "id")


@login_required
@require_POST
def members_add(request, pk):
    group = _group(request, pk)
    form = MembersForm(request.POST, candidates=_candidates(group))
    if not form.is_valid():
        messages.error(request, errors_text(form))
    else:
        try:
            added = groups.members_add(group, form.cleaned_data["volunteers"])
        except ServiceError as error:
            show_as_message(request, error)
        else:
            messages.success(request, _("%(count)s added to the group.") % {"count": added})
    return redirect("volunteers:group", pk=group.pk)


@login_required
@require_POST
def member_change(request, pk, volunteer_pk):
    """Make a member a leader, no longer a leader, or take them out of the group."""
    group = _group(request, pk)
    volunteer = get_object_or_404(Volunteer, pk=volunteer_pk, community=group.community)
    action = request.POST.get("action")
    try:
        if action == "remove":
            groups.member_remove(group, volunteer)
        elif action in ("lead", "unlead"):
            groups.member_lead(group, volunteer, action == "lead")
        else:
            raise ServiceError(_("Choose what to do with the member."))
    except ServiceError as error:
        show_as_message(request, error)
    return redirect("volunteers:group", pk=group.pk)


@login_required
def coverage_page(request, pk):
    community = _community(request, pk)
    buildings = group_table.coverage(community)
    context = {
        "community": community,
        "buildings": buildings,
        "uncovered": [row for row in buildings if row.uncovered],
        "pair_count": sum(len(row.pairs) for row in buildings),
        "volunteers": _approved(community).order_by("name", "id"),
    }
    return render(request, "volunteers/coverage.html", context)


def _approved(community):
    return Volunteer.objects.filter(community=community, status=Volunteer.Status.APPROVED, user__isnull=False)


def _building(request, pk):
    return staff_row(request, Building.objects.select_related("community__street"), pk)


@login_required
@require_POST
def cover_add(request, pk):
    """A volunteer covers one more building."""
    community = _community(request, pk)
    buildings = Building.objects.filter(community=community)
    form = CoverForm(request.POST, volunteers=_approved(community), buildings=buildings)
    if not form.is_valid():
        messages.error(request, errors_text(form))
        return redirect("volunteers:coverage", pk=community.pk)
    building = form.cleaned_data["building"]
    try:
        coverage.cover_add(form.cleaned_data["volunteer"], building)
    except ServiceError as error:
        show_as_message(request, error)
    return redirect(f"{_coverage_url(building)}#building-{building.pk}")


@login_required
@require_POST
def cover_remove(request, pk, volunteer_pk):
    """The volunteer no longer covers the building."""
    building = _building(request, pk)
    volunteer = get_object_or_404(_approved(building.community), pk=volunteer_pk)
    try:
        coverage.cover_remove(volunteer, building)
    except ServiceError as error:
        show_as_message(request, error)
    return redirect(f"{_coverage_url(building)}#building-{building.pk}")


def _coverage_url(building):
    return reverse("volunteers:coverage", args=[building.community_id])


@login_required
@require_POST
def pair_create(request, pk):
    building = _building(request, pk)
    leading = RoleAssignment.objects.filter(role=Role.BUILDING_LEADER, building=building).values("user_id")
    leaders = get_user_model().objects.filter(pk__in=leading)
    form = PairForm(request.POST, volunteers=_approved(building.community), leaders=leaders)
    if not form.is_valid():
        messages.error(request, errors_text(form))
    else:
        try:
            groups.pair_make(building=building, **form.cleaned_data)
        except ServiceError as error:
            show_as_message(request, error)
    return redirect(f"{_coverage_url(building)}#building-{building.pk}")


@login_required
@require_POST
def pair_delete(request, pk):
    pair = staff_row(
        request, BuildingPair.objects.select_related("building__community__street"), pk, lambda p: p.building.community
    )
    groups.pair_end(pair)
    return redirect(f"{_coverage_url(pair.building)}#building-{pair.building_id}")
