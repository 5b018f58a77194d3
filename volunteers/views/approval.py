"""Staff's pages of the volunteers who registered: the list to approve or decline from, one
volunteer's page, and the masked mobile number shown on purpose."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from households.models import Community, Compound
from households.scoping import scope_of
from lockdown.core.addresses import client_address
from lockdown.core.errors import ServiceError, errors_text, show_as_message, show_on_form
from lockdown.core.inputs import query_id

from .. import approval, coverage, today
from ..forms.registration import ApproveForm, DecisionForm, DeclineForm
from ..models import Volunteer

PAGE_SIZE = 50
Status = Volunteer.Status


def _staff_communities(request):
    """The communities whose volunteers the account decides on (committee staff, street admins):
    anyone else finds no such page."""
    communities = list(scope_of(request).editable_communities(Community.objects.all()))
    if not communities:
        raise Http404
    return communities


def _groups_context(groups):
    return {"groups": groups, "group_skills": approval.skills_needed(groups)}


@login_required
def volunteer_list(request):
    scope = scope_of(request)
    communities = _staff_communities(request)
    status = request.GET.get("status", "")
    status = status if status in Status.values else ""
    community_id = query_id(request.GET, "community")
    volunteers = approval.volunteer_list(scope, status=status, community_id=community_id)
    page = Paginator(volunteers, PAGE_SIZE).get_page(request.GET.get("page"))
    groups = approval.groups_of([community.pk for community in communities])
    context = {
        "page": page,
        "rows": approval.volunteer_rows(scope, page.object_list, groups),
        **_groups_context(groups),
        "status": status,
        "statuses": Status.choices,
        "counts": approval.status_counts(scope, community_id=community_id),
        "communities": communities,
        "community_id": community_id,
        "compounds": Compound.objects.filter(community__in=communities).select_related("community"),
        "form": DecisionForm(communities=communities, volunteers=Volunteer.objects.none()),
        "ticked": {int(pk) for pk in request.GET.getlist("ticked") if pk.isdigit()},
    }
    return render(request, "volunteers/volunteer_list.html", context)


@login_required
@require_POST
def volunteers_decide(request):
    scope = scope_of(request)
    communities = _staff_communities(request)
    form = DecisionForm(request.POST, communities=communities, volunteers=approval.volunteer_list(scope))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("volunteers:list")
    if not form.is_valid():
        messages.error(request, errors_text(form))
        return redirect(_ticked(back, request.POST.getlist("volunteers")))
    data = form.cleaned_data
    try:
        if data["decision"] == DecisionForm.APPROVE:
            decided = approval.volunteers_approve(
                actor=request.user, volunteers=data["volunteers"], buildings=data["buildings"]
            )
            done = ngettext("%(count)d volunteer approved.", "%(count)d volunteers approved.", len(decided.done))
        else:
            decided = approval.volunteers_decline(
                actor=request.user, volunteers=data["volunteers"], reason=data["reason"]
            )
            done = ngettext("%(count)d volunteer declined.", "%(count)d volunteers declined.", len(decided.done))
    except ServiceError as error:
        show_as_message(request, error)
        return redirect(_ticked(back, [volunteer.pk for volunteer in data["volunteers"]]))
    if decided.done:
        messages.success(request, done % {"count": len(decided.done)})
    for _volunteer, message in decided.refused:
        messages.error(request, message)
    return redirect(_ticked(back, [volunteer.pk for volunteer, _message in decided.refused]))


def _ticked(back, volunteer_ids):
    """The list again with the volunteers still to decide ticked (?ticked=), so that staff put right
    what was refused (a building for those without) rather than tick them all again."""
    parts = urlsplit(back)
    query = QueryDict(parts.query, mutable=True)
    query.setlist("ticked", [str(pk) for pk in volunteer_ids])
    return parts._replace(query=query.urlencode()).geturl()


def _volunteer_for_staff(request, pk):
    _staff_communities(request)
    return get_object_or_404(approval.volunteer_list(scope_of(request)), pk=pk)


def _detail(request, volunteer, *, approve_form=None, decline_form=None, status=200):
    scope = scope_of(request)
    communities = [volunteer.community]
    groups = approval.groups_of([volunteer.community_id])
    initial = {"buildings": [volunteer.building_id]} if volunteer.building_id else {}
    context = {
        "row": approval.volunteer_rows(scope, [volunteer], groups)[0],
        **_groups_context(groups),
        "covers": today.covered_buildings(coverage.covered_building_ids(volunteer)),
        "approve_form": approve_form or ApproveForm(communities=communities, initial=initial),
        "decline_form": decline_form or DeclineForm(),
    }
    return render(request, "volunteers/volunteer_detail.html", context, status=status)


@login_required
def volunteer_detail(request, pk):
    return _detail(request, _volunteer_for_staff(request, pk))


@login_required
@require_POST
def volunteer_approve(request, pk):
    volunteer = _volunteer_for_staff(request, pk)
    form = ApproveForm(request.POST, communities=[volunteer.community])

    def approve(data):
        approval.volunteer_approve(actor=request.user, volunteer=volunteer, buildings=data["buildings"])
        return _("%(name)s is approved.") % {"name": volunteer.name}

    return _decide_one(request, volunteer, form, approve, "approve_form")


@login_required
@require_POST
def volunteer_decline(request, pk):
    volunteer = _volunteer_for_staff(request, pk)

    def decline(data):
        approval.volunteer_decline(actor=request.user, volunteer=volunteer, reason=data["reason"])
        return _("%(name)s is declined.") % {"name": volunteer.name}

    return _decide_one(request, volunteer, DeclineForm(request.POST), decline, "decline_form")


def _decide_one(request, volunteer, form, decide, form_name):
    """The volunteer's page's decision: back to the list with what was done, or the page again
    with what was wrong beside the form's fields."""
    if form.is_valid():
        try:
            messages.success(request, decide(form.cleaned_data))
        except ServiceError as error:
            show_on_form(form, error)
        else:
            return redirect("volunteers:list")
    return _detail(request, _volunteer_for_staff(request, volunteer.pk), **{form_name: form})


@login_required
@require_POST
def volunteer_reveal(request, pk):
    volunteer = _volunteer_for_staff(request, pk)
    try:
        mobile = approval.volunteer_reveal_mobile(
            actor=request.user, volunteer=volunteer, ip_address=client_address(request)
        )
    except ServiceError as error:
        return JsonResponse({"error": error.message}, status=403)
    return JsonResponse({"value": mobile})
