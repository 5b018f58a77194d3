"""The street admin's list of ID numbers typed or imported that are another register's
(households.id_conflicts): the staff who typed them were told only that the number cannot be saved."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from . import id_conflicts
from .scoping import scope_of

PAGE_SIZE = 50


@login_required
def id_conflict_list(request):
    scope = scope_of(request)
    if not scope.sees_id_conflicts:
        raise Http404
    page = Paginator(id_conflicts.id_conflicts_for(scope), PAGE_SIZE).get_page(request.GET.get("page"))
    # The register's side of each conflict is named only where it is in the admin's areas.
    visible = id_conflicts.holders_seen_by(request.user, [event.resident_id for event in page if event.resident_id])
    for event in page:
        event.holder_id_number = id_conflicts.holder_id_number(event)
    return render(request, "households/id_conflict_list.html", {"page": page, "visible": visible})
