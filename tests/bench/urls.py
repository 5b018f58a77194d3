"""The project's URLs plus one bare view, the floor under every page figure (`trivial_view`)."""

from django.http import HttpResponse
from django.urls import path

from lockdown.urls import urlpatterns as project_urlpatterns

TRIVIAL_PATH = "/bench/trivial/"


def trivial(request):
    """No template, no query: what a request costs through the middleware and the test client alone."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path(TRIVIAL_PATH.strip("/") + "/", trivial), *project_urlpatterns]
