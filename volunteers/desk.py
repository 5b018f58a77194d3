"""Who works the volunteers' staff pages: the committee of the row's community, and the street
admins above it. Anyone else finds no such page (404), as with a household outside their areas."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from households.scoping import scope_of

from .models import Volunteer


def staff_row(request, queryset, pk, community=lambda row: row.community):
    """The row of `queryset`, if the account runs its community (`community(row)`): else 404."""
    row = get_object_or_404(queryset, pk=pk)
    if not scope_of(request).may_edit_community(community(row)):
        raise Http404
    return row


def mobile_reader(request, community):
    """How the account reads the mobile numbers of the community's volunteers: masked for staff, as
    a resident's; in full with `unmasked` (the printed table, the .xlsx), where the role may."""
    permissions = scope_of(request).permissions_of(None, community.pk, community.street_id, None)
    return lambda number, unmasked=False: permissions.read("mobile", number, of=Volunteer, unmasked=unmasked)
