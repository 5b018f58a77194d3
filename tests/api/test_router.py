"""One API router for the project, which each app's api module registers its viewsets with."""

from django.urls import resolve

from households.api import HouseholdViewSet, ResidentViewSet
from lockdown.api import router


def test_the_register_serves_its_viewsets_through_the_project_router():
    registered = {prefix: viewset for prefix, viewset, _ in router.registry}

    assert registered["households"] is HouseholdViewSet
    assert registered["residents"] is ResidentViewSet
    assert resolve("/api/households/").func.cls is HouseholdViewSet
    assert resolve("/api/").url_name == "api-root"
