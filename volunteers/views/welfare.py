"""Staff's pages of the welfare checks: the day's checks with the alerts first, the button that offers
today's checks, and marking an alert handled. For committee staff and street admins only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from households.models import Community
from households.scoping import scope_of
from lockdown.core.errors import ServiceError, show_as_message
from volunteers import welfare, welfare_selectors
from volunteers.forms.welfare import DayForm
from volunteers.models import WelfareCheck

PAGE_SIZE = 100
Section = welfare_selectors.Section


def _staff_scope(request):
    staff = welfare_selectors.staff_scope(scope_of(request))
    if staff.is_empty:
        raise Http404
    return staff


@login_required
def welfare_day(request):
    """The day's checks (today unless ?date=): alerts first, with who marked them handled, then those
    not done (after 18:00, "not done by evening"), then those done."""
    staff = _staff_scope(request)
    form = DayForm(request.GET)
    date = (form.cleaned_data["date"] if form.is_valid() else None) or timezone.localdate()
    checks = welfare_selectors.checks_of_day(staff, date=date)
    page = Paginator(checks, PAGE_SIZE).get_page(request.GET.get("page"))
    permissions = {
        check.building_id: staff.permissions_of(
            check.building_id, check.building.community_id, check.building.community.street_id, check.building.zone_id
        )
        for check in page
    }
    context = {
        "form": form,
        "date": date,
        "page": page,
        "counts": welfare_selectors.day_counts(staff, date=date),
        "evening": welfare_selectors.is_evening(date, timezone.now()),
        "permissions": permissions,
        "Section": Section,
        "alerts": welfare.ALERTS,
        "is_today": date == timezone.localdate(),
    }
    return render(request, "volunteers/welfare_day.html", context)


@login_required
@require_POST
def welfare_offer(request):
    """Staff's button: today's checks offered now (the beat task does it each morning)."""
    communities = scope_of(request).editable_communities(Community.objects.all())
    if not communities.exists():
        raise Http404
    offered = welfare.welfare_checks_offer(date=timezone.localdate(), communities=communities)
    if offered:
        said = ngettext(
            "%(count)d welfare check offered to the volunteers.",
            "%(count)d welfare checks offered to the volunteers.",
            offered,
        )
        messages.success(request, said % {"count": offered})
    else:
        messages.success(request, _("Today's welfare checks were all offered already."))
    return redirect("volunteers:welfare_day")


@login_required
@require_POST
def welfare_handle(request, pk):
    staff = _staff_scope(request)
    check = get_object_or_404(staff.filter(WelfareCheck.objects.select_related("community", "resident")), pk=pk)
    try:
        welfare.welfare_check_handle(actor=request.user, check=check)
    except ServiceError as error:
        show_as_message(request, error)
    else:
        messages.success(request, _("%(name)s: handled.") % {"name": check.resident.name})
    # Back to the day the page showed, at the row.
    day = DayForm(request.POST)
    query = f"?date={day.cleaned_data['date']}" if day.is_valid() and day.cleaned_data["date"] else ""
    return redirect(f"{reverse('volunteers:welfare_day')}{query}#check-{check.pk}")
