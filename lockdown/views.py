from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, PasswordChangeView
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views import defaults
from rest_framework.exceptions import NotFound

from households.campaigns.selectors import visible_campaigns
from households.models import Building, Community, Role
from households.scoping import scope_of
from volunteers.today import volunteer_of

from .core.inputs import BadQuery
from .forms import LoginForm, PasswordChangeForm


class Login(LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


class PasswordChange(PasswordChangeView):
    """Any account changes its own password; this session stays logged in, the account's other
    sessions end (Django keys them to the password). The done page says so."""

    form_class = PasswordChangeForm


@login_required
def home(request):
    """Staff land on their community's overview; volunteers on their day's page (shifts, buildings,
    tasks); leaders on their buildings."""
    scope = scope_of(request)
    if set(scope.roles) <= {Role.VOLUNTEER} and volunteer_of(request.user):  # a leader who volunteers keeps theirs
        return redirect("volunteers:today")
    if scope.is_empty:
        return render(request, "no_areas.html")
    if scope.prefers_mobile:
        buildings = scope.filter(Building.objects.select_related("compound", "zone"))
        recalls = visible_campaigns(scope).filter(sent_at__isnull=False)[:3]
        return render(request, "my_buildings.html", {"buildings": buildings, "recalls": recalls})
    communities = list(scope.filter(Community.objects.all())[:2])
    if len(communities) == 1:
        return redirect("households:community", pk=communities[0].pk)
    return redirect("households:areas")


def bad_request(request, exception):
    """400: the page's address or form held what no page can answer, and says what where the project
    refused it (BadQuery); anything else Django refuses gets the page's general words."""
    message = exception.args[0] if isinstance(exception, BadQuery) and exception.args else ""
    return render(request, "400.html", {"message": message}, status=400)


def page_not_found(request, exception):
    """An address under /api/ that names nothing (`/api/residents/1.5/`) answers as the API does,
    in JSON; any other, with the site's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)
