"""The project's URLs plus two bare views, the floors under every page figure:

- `trivial_view`: no template, no query, no session: the middleware and the test client alone;
- `logged_in_floor`: what every page of the register pays before its own work: the session, the
  account, its scope and the empty layout (the desk's, or the phone's at MOBILE_FLOOR_PATH).
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from households.scoping import scope_of
from lockdown.urls import urlpatterns as project_urlpatterns

TRIVIAL_PATH = "/bench/trivial/"
FLOOR_PATH = "/bench/floor/"
MOBILE_FLOOR_PATH = "/bench/floor/mobile/"


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def logged_in_floor(request):
    scope_of(request).roles  # noqa: B018 (read the scope, as every register page does)
    return render(request, "layouts/staff.html")


@login_required
def logged_in_mobile_floor(request):
    scope_of(request).roles  # noqa: B018
    return render(request, "layouts/mobile.html")


urlpatterns = [
    path(TRIVIAL_PATH.strip("/") + "/", trivial),
    path(FLOOR_PATH.strip("/") + "/", logged_in_floor),
    path(MOBILE_FLOOR_PATH.strip("/") + "/", logged_in_mobile_floor),
    *project_urlpatterns,
]
