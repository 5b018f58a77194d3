"""Distributions and donations: a community's distributions and the start of one; a distribution's
page (per building delivered and missing, the households missing, the shares kept for making up);
a building's shares on the volunteer's phone; the donations and their thank-you list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from households.models import Building, Community, building_label
from households.scoping import scope_of
from lockdown.core.errors import ServiceError, show_as_message, show_on_form
from lockdown.core.inputs import as_id
from supplies import distribution_selectors, distributions
from supplies.forms import DistributionForm, DonationForm
from supplies.models import Distribution, Share
from volunteers.desk import staff_row


def _community(request, pk):
    return staff_row(request, Community.objects.all(), pk, community=lambda row: row)


@login_required
def distribution_list(request, pk):
    community = _community(request, pk)
    context = {
        "community": community,
        "distributions": distribution_selectors.distributions_of(community),
        "compounds": community.compounds.order_by("name"),
        "form": DistributionForm(),
    }
    return render(request, "supplies/distribution_list.html", context)


@login_required
@require_POST
def distribution_create(request, pk):
    community = _community(request, pk)
    compound = get_object_or_404(community.compounds, pk=as_id(request.POST.get("compound", "")) or 0)
    form = DistributionForm(request.POST)
    if form.is_valid():
        try:
            distribution = distributions.distribution_create(actor=request.user, compound=compound, **form.cleaned_data)
        except ServiceError as error:
            show_on_form(form, error)
        else:
            return redirect(reverse("supplies:distribution", args=[distribution.pk]))
    context = {
        "community": community,
        "distributions": distribution_selectors.distributions_of(community),
        "compounds": community.compounds.order_by("name"),
        "form": form,
    }
    return render(request, "supplies/distribution_list.html", context)


@login_required
def distribution_detail(request, pk):
    distribution = staff_row(request, Distribution.objects.select_related("compound", "community"), pk)
    missing = distribution_selectors.missing(distribution)
    context = {
        "distribution": distribution,
        "buildings": distribution_selectors.by_building(distribution),
        "missing": missing,
        "missing_count": sum(len(shares) for _building, shares in missing),
        "kept": distribution_selectors.kept_for_making_up(distribution),
        "building_label": building_label,
    }
    return render(request, "supplies/distribution_detail.html", context)


def _run(request, pk, building_pk):
    building = get_object_or_404(scope_of(request).filter(Building.objects.select_related("community")), pk=building_pk)
    distribution = get_object_or_404(Distribution.objects.filter(compound_id=building.compound_id), pk=pk)
    return distribution, building


def share_run_url(pk, building_pk):
    return reverse("supplies:share_run", args=[pk, building_pk])


@login_required
def share_run(request, pk, building_pk):
    distribution, building = _run(request, pk, building_pk)
    shares = distribution_selectors.building_shares(distribution, building)
    context = {
        "distribution": distribution,
        "building": building,
        "title": building_label(building.number),
        "shares": shares,
        "to_deliver": sum(1 for share in shares if share.state == Share.State.TO_DELIVER),
        "states": dict(Share.State.choices),
    }
    return render(request, "supplies/share_run.html", context)


@login_required
@require_POST
def shares_deliver(request, pk, building_pk):
    distribution, building = _run(request, pk, building_pk)
    one = request.POST.get("share")
    ids = None
    if one is not None:
        if as_id(one) is None:
            raise Http404
        ids = [as_id(one)]
    try:
        count = distributions.shares_deliver(actor=request.user, distribution=distribution, building=building, ids=ids)
    except ServiceError as error:
        show_as_message(request, error)
    else:
        messages.success(
            request, ngettext("%(count)s share delivered.", "%(count)s shares delivered.", count) % {"count": count}
        )
    return redirect(share_run_url(distribution.pk, building.pk))  # the next share to deliver is at the top


def _share(request, pk):
    """One share of a building in the account's areas, with what its messages and services read."""
    shares = Share.objects.select_related("distribution", "building", "household__building")
    return get_object_or_404(scope_of(request).filter(shares), pk=pk)


@login_required
@require_POST
def share_keep(request, pk):
    share = _share(request, pk)
    try:
        distributions.share_keep(actor=request.user, share=share)
    except ServiceError as error:
        show_as_message(request, error)
    else:
        messages.success(request, _("The share of %(room)s is kept for making up.") % {"room": share.household.label})
    return redirect(share_run_url(share.distribution_id, share.building_id))


@login_required
@require_POST
def share_make_up(request, pk):
    share = _share(request, pk)
    try:
        distributions.share_make_up(actor=request.user, share=share)
    except ServiceError as error:
        show_as_message(request, error)
    else:
        messages.success(request, _("The share of %(room)s is made up.") % {"room": share.household.label})
    if request.POST.get("back") == "page":  # from staff's page of the distribution
        return redirect(reverse("supplies:distribution", args=[share.distribution_id]))
    return redirect(share_run_url(share.distribution_id, share.building_id))


@login_required
def donations(request, pk):
    community = _community(request, pk)
    form = DonationForm(
        request.POST or None, community=community, initial={"received_on": timezone.localdate(), "kind": "goods"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            distributions.donation_record(actor=request.user, community=community, **form.cleaned_data)
        except ServiceError as error:
            show_on_form(form, error)
        else:
            messages.success(request, _("The donation is recorded, with thanks."))
            return redirect(reverse("supplies:donations", args=[community.pk]))
    context = {"community": community, "form": form, "donations": distribution_selectors.donations_of(community)}
    return render(request, "supplies/donations.html", context)


@login_required
def thank_you(request, pk):
    """The thank-you list, printable and as a text for the chat groups: names, what, how much, for what."""
    community = _community(request, pk)
    context = {"community": community, **distribution_selectors.thank_you(community)}
    return render(request, "supplies/thank_you.html", context)
