"""Campaign pages: create and preview, send, follow progress by building, record outcomes (on the
desk or on a phone's call list), export for the night-time check; and the providers' receipts."""

import hmac

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from households.models import Community, Recipient
from households.scoping import scope_of
from lockdown.core import sms
from lockdown.core.errors import ServiceError, about, errors_text, show_as_message, show_on_form
from lockdown.core.inputs import query_ids

from . import exports, outbox, selectors, services
from .forms import CampaignForm, OutcomeForm
from .tasks import export_campaign_task

PAGE_SIZE = 50
OUTCOMES = Recipient.Outcome.choices
CALL_PAGE_SIZE = 30


def _campaign_in_scope(request, pk):
    return get_object_or_404(selectors.visible_campaigns(scope_of(request)), pk=pk)


@login_required
def campaign_list(request):
    scope = scope_of(request)
    context = {
        "campaigns": selectors.visible_campaigns(scope).select_related("created_by")[:50],
        "can_create": scope.editable_communities(Community.objects.all()).exists(),
    }
    return render(request, "campaigns/campaign_list.html", context)


@login_required
def campaign_create(request):
    communities = scope_of(request).editable_communities(Community.objects.all())
    if not communities.exists():
        raise Http404
    form = CampaignForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(
                actor=request.user, community=form.cleaned_data["community"], data=form.to_input()
            )
        except ServiceError as error:
            show_on_form(form, error)
        else:
            return redirect("campaigns:detail", pk=campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form})


@login_required
def campaign_detail(request, pk):
    scope = scope_of(request)
    campaign = _campaign_in_scope(request, pk)
    context = {"campaign": campaign, "can_send": scope.may_edit_community(campaign.community)}
    if campaign.is_draft:
        context["preview"] = services.campaign_preview(campaign)
        return render(request, "campaigns/campaign_detail.html", context)
    show = request.GET.get("show") if request.GET.get("show") in selectors.SHOW else "missing"
    recipients = selectors.with_outcome_history(selectors.campaign_recipients(scope, campaign, show=show))
    page = Paginator(recipients, PAGE_SIZE).get_page(request.GET.get("page"))
    buildings, total = selectors.campaign_progress(scope, campaign)
    context |= {"buildings": buildings, "total": total, "page": page, "show": show, "outcomes": OUTCOMES}
    context["permissions"] = selectors.recipient_permissions(scope, page)
    context["reads"] = scope.reads
    context["provider_error"] = selectors.campaign_provider_error(campaign)
    return render(request, "campaigns/campaign_detail.html", context)


@login_required
@require_POST
def campaign_send(request, pk):
    campaign = _campaign_in_scope(request, pk)
    try:
        services.campaign_send(actor=request.user, campaign=campaign)
    except ServiceError as error:
        show_as_message(request, error)
    else:
        messages.success(request, _("Sending. The numbers below follow it live."))
    return redirect("campaigns:detail", pk=campaign.pk)


@login_required
def campaign_progress(request, pk):
    """The live numbers of the campaign page: totals and each building's, by [data-count] key; and
    the SMS state and call reason of the recipients listed in ?recipients=1,2,3 (the page's rows)."""
    scope = scope_of(request)
    campaign = _campaign_in_scope(request, pk)
    buildings, total = selectors.campaign_progress(scope, campaign)
    counts = {f"total.{name}": value for name, value in total.items()}
    for row in buildings:
        counts |= {f"{row.building_id}.{name}": value for name, value in row.progress.items()}
    listed = query_ids(request.GET, "recipients")[:PAGE_SIZE]
    recipients = selectors.recipient_states(scope, campaign, listed)
    provider_error = selectors.campaign_provider_error(campaign)
    return JsonResponse(
        {"running": total["waiting"] > 0, "counts": counts, "recipients": recipients, "provider_error": provider_error}
    )


@login_required
def campaign_export(request, pk):
    """Start the campaign's export in the background and go to the exports page, where its progress
    shows and its file downloads. The campaign page's button posts; a GET (an old bookmark of
    export.xlsx, which always meant "the sheet as it is now") starts it too, as it always wrote it."""
    campaign = _campaign_in_scope(request, pk)
    if campaign.is_draft:
        raise Http404
    try:
        job = exports.campaign_export_create(
            actor=request.user, campaign=campaign, ip_address=request.META.get("REMOTE_ADDR")
        )
    except ServiceError as error:
        show_as_message(request, error)
    else:
        export_campaign_task.delay_on_commit(job.pk)
        messages.success(request, _("The campaign's table is being written: it appears below when ready."))
    return redirect("spreadsheets:exports")


@login_required
def call_list(request, pk):
    """The phone page of a leader: the residents still to reach in their buildings, the call list first."""
    scope = scope_of(request)
    campaign = _campaign_in_scope(request, pk)
    if campaign.is_draft:
        raise Http404
    recipients = selectors.recipients_to_call_first(scope, campaign)
    page = Paginator(recipients, CALL_PAGE_SIZE).get_page(request.GET.get("page"))
    _buildings, total = selectors.campaign_progress(scope, campaign)
    context = {"campaign": campaign, "page": page, "total": total, "outcomes": OUTCOMES}
    context["permissions"] = selectors.recipient_permissions(scope, page)
    return render(request, "campaigns/call_list.html", context)


@login_required
@require_POST
def recipient_outcome(request, pk):
    recipient = get_object_or_404(
        scope_of(request).filter(Recipient.objects.select_related("resident__household__building")), pk=pk
    )
    form = OutcomeForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(errors_text(form))
        services.recipient_record_outcome(
            actor=request.user,
            recipient=recipient,
            outcome=form.cleaned_data["outcome"],
            expected_at=form.cleaned_data["expected_at"],
            seen=form.cleaned_data["seen"],
            note=form.cleaned_data["note"],
        )
    except ServiceError as error:
        messages.error(request, about(recipient.resident.name, error.message))
    else:
        label = Recipient.Outcome(recipient.outcome).label
        messages.success(request, _("%(name)s: %(outcome)s") % {"name": recipient.resident.name, "outcome": label})
    # Back to the row, on the page it was on; to its neighbour when settling it took it off the list.
    settled = recipient.outcome in selectors.DONE and request.POST.get("next_if_settled")
    back = request.POST.get("next_if_settled" if settled else "next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect(reverse("campaigns:detail", args=[recipient.campaign_id]) + f"#recipient-{recipient.pk}")


@csrf_exempt
@require_POST
def sms_receipts(request, backend, token):
    """Delivery reports pushed by the provider, at a URL holding the shared token."""
    expected = settings.SMS_RECEIPT_TOKEN
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()) or backend != settings.SMS_BACKEND:
        raise Http404
    gateway = sms.get_backend()
    try:
        receipts = gateway.parse_receipts(request.body)
    except (ValueError, TypeError, AttributeError):
        return JsonResponse({"error": "unreadable receipts"}, status=400)
    outbox.receipts_apply(receipts)
    return JsonResponse(gateway.receipt_reply)
