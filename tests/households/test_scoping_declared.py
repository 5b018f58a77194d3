"""Scoping by declaration: a model of another app says how it reaches its area, and area scoping
filters it (listed inside the scope, 404 outside) with no line of households written for it; a path
that leads nowhere fails the system check; a model that declares none is an error in development
and finds nothing in production, never a 500."""

import logging

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.test.utils import isolate_apps
from django.urls import include, path

from households import services
from households.models import AreaPath, Building, Community, Recipient, Resident, Role
from households.scoping import AreaScope, area_path_errors, scope_of

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

# The test app's models, made by the `outside` fixture, for the views below.
OUTSIDE = {}


def parcel_page(request, pk):
    parcel = get_object_or_404(scope_of(request).filter(OUTSIDE["parcel"].objects.all()), pk=pk)
    return HttpResponse(parcel.label)


def leaflets(request):
    rows = scope_of(request).filter(OUTSIDE["leaflet"].objects.all())
    return JsonResponse({"leaflets": list(rows.values_list("label", flat=True))})


# The project's own too: its 404 page links to them.
urlpatterns = [path("parcels/<int:pk>/", parcel_page), path("leaflets/", leaflets), path("", include("lockdown.urls"))]


def create_table(model):
    """The test model's table, in the test's transaction (which takes it away again). SQLite's schema
    editor refuses to run inside a transaction: there its CREATE TABLE (foreign keys inline) is run."""
    if connection.vendor != "sqlite":
        with connection.schema_editor() as editor:
            editor.create_model(model)
        return
    sql, params = connection.schema_editor().table_sql(model)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def outside(world):
    """An app that is not households ("tests"): a parcel for a resident, carried to their building;
    a community's notice; a leaflet that forgot to declare its area."""
    with isolate_apps("tests"):

        class Parcel(models.Model):
            resident = models.ForeignKey(Resident, models.CASCADE, null=True, related_name="+")
            building = models.ForeignKey(Building, models.CASCADE, related_name="+")
            label = models.CharField(max_length=20)

            area_path = AreaPath(building="building")

            class Meta:
                app_label = "tests"

        class Notice(models.Model):
            community = models.ForeignKey(Community, models.CASCADE, related_name="+")
            label = models.CharField(max_length=20)

            area_path = AreaPath(community="community")

            class Meta:
                app_label = "tests"

        class Leaflet(models.Model):
            building = models.ForeignKey(Building, models.CASCADE, related_name="+")
            label = models.CharField(max_length=20)

            class Meta:
                app_label = "tests"

        for model in (Parcel, Notice, Leaflet):
            create_table(model)
        OUTSIDE.update(parcel=Parcel, notice=Notice, leaflet=Leaflet)
        yield OUTSIDE
        OUTSIDE.clear()


def scope(world, role):
    return AreaScope.for_user(world.users[role])


# Which of the world's buildings each role sees, and its communities (see conftest.World).
BUILDINGS = {
    Role.STREET_ADMIN: {"building", "other_building", "far_building"},
    Role.COMMITTEE_STAFF: {"building", "other_building"},
    Role.ZONE_LEADER: {"building"},
    Role.BUILDING_LEADER: {"building"},
    Role.VOLUNTEER: {"building"},
}
COMMUNITIES = {
    Role.STREET_ADMIN: {"community", "other_community"},
    Role.COMMITTEE_STAFF: {"community"},
    Role.ZONE_LEADER: set(),  # a community's own record: its committee and street only
    Role.BUILDING_LEADER: set(),
    Role.VOLUNTEER: set(),
}


@pytest.mark.parametrize("role", list(BUILDINGS))
def test_a_model_of_another_app_is_listed_by_the_building_it_declares(world, outside, role):
    Parcel = outside["parcel"]
    for name in BUILDINGS[Role.STREET_ADMIN]:
        Parcel.objects.create(building=getattr(world, name), label=name)

    listed = scope(world, role).filter(Parcel.objects.all())

    assert set(listed.values_list("label", flat=True)) == BUILDINGS[role]


@pytest.mark.parametrize("role", list(COMMUNITIES))
def test_a_model_that_stops_at_the_community_is_seen_by_its_committee_and_street(world, outside, role):
    Notice = outside["notice"]
    for name in COMMUNITIES[Role.STREET_ADMIN]:
        Notice.objects.create(community=getattr(world, name), label=name)

    listed = scope(world, role).filter(Notice.objects.all())

    assert set(listed.values_list("label", flat=True)) == COMMUNITIES[role]


def test_a_page_of_another_app_answers_404_outside_the_scope(client, world, outside):
    Parcel = outside["parcel"]
    mine = Parcel.objects.create(building=world.building, label="mine")
    theirs = Parcel.objects.create(building=world.far_building, label="theirs")
    client.force_login(world.users[Role.BUILDING_LEADER])

    assert client.get(f"/parcels/{mine.pk}/").content == b"mine"
    assert client.get(f"/parcels/{theirs.pk}/").status_code == 404


def test_a_part_s_rows_follow_a_resident_who_moves_through_the_hook_it_registers(world, outside, monkeypatch):
    # The parcels' app hooks in as the campaigns do from their AppConfig.ready: no signal, no line of households.
    Parcel = outside["parcel"]
    monkeypatch.setattr(services, "_MOVE_FOLLOWERS", list(services._MOVE_FOLLOWERS))
    services.follow_resident_moves(lambda r: Parcel.objects.filter(resident=r).update(building_id=r.building_id))
    parcel = Parcel.objects.create(resident=world.resident, building=world.building, label="medicine")

    services.resident_move(
        actor=world.users[Role.COMMITTEE_STAFF], resident=world.resident, to_household=world.other_household
    )

    assert Parcel.objects.get(pk=parcel.pk).building == world.other_building
    assert not scope(world, Role.BUILDING_LEADER).filter(Parcel.objects.all()).exists()  # the old building's


def test_the_campaigns_hook_into_moves_from_their_app_config():
    from households.campaigns.services import recipients_follow_resident

    assert recipients_follow_resident in services._MOVE_FOLLOWERS


def test_a_model_without_an_area_path_is_an_error_in_development(world, outside, settings):
    settings.DEBUG = True

    with pytest.raises(ImproperlyConfigured, match=r"tests\.Leaflet .* add `area_path = AreaPath\(building="):
        scope(world, Role.BUILDING_LEADER).filter(outside["leaflet"].objects.all())
    with pytest.raises(ImproperlyConfigured, match=r"tests\.Leaflet"):
        AreaScope(is_global=True).filter(outside["leaflet"].objects.all())  # not only for some accounts


def test_a_model_without_an_area_path_finds_nothing_in_production_and_is_logged(client, world, outside, caplog):
    outside["leaflet"].objects.create(building=world.building, label="mine")
    client.force_login(world.users[Role.BUILDING_LEADER])

    with caplog.at_level(logging.ERROR, logger="households.scoping"):
        page = client.get("/leaflets/")

    assert page.status_code == 200
    assert page.json() == {"leaflets": []}  # never a row, inside the scope or out
    assert "tests.Leaflet is filtered by area scope but declares no area path" in caplog.text
    assert not AreaScope(is_global=True).filter(outside["leaflet"].objects.all()).exists()


def test_the_system_check_refuses_a_path_that_leads_nowhere(outside):
    with isolate_apps("tests"):

        class Broken(models.Model):
            community = models.ForeignKey(Community, models.CASCADE, related_name="+")
            resident = models.ForeignKey(Resident, models.CASCADE, related_name="+")
            label = models.CharField(max_length=20)

            class Meta:
                app_label = "tests"

        def errors(**declared):
            Broken.area_path = AreaPath(**declared)
            return [(e.id, e.msg) for e in area_path_errors(Broken)]

        assert errors(building="resident__building") == []
        assert errors(building="resident__flat") == [
            (
                "households.E001",
                "tests.Broken.area_path: building='resident__flat' does not lead to households.Building "
                "(households.Resident has no field 'flat').",
            )
        ]
        assert errors(building="community") == [
            (
                "households.E001",
                "tests.Broken.area_path: building='community' does not lead to households.Building "
                "(it leads to households.Community).",
            )
        ]
        assert errors(building="label") == [
            (
                "households.E001",
                "tests.Broken.area_path: building='label' does not lead to households.Building "
                "(tests.Broken.label is not a foreign key).",
            )
        ]
        assert errors(community="resident__building") == [
            (
                "households.E001",
                "tests.Broken.area_path: community='resident__building' does not lead to households.Community "
                "(it leads to households.Building).",
            )
        ]
        assert errors(building=AreaPath.SELF) == [
            (
                "households.E001",
                "tests.Broken.area_path: building='self' does not lead to households.Building "
                "(only a building is its own).",
            )
        ]
        assert errors() == [("households.E002", "tests.Broken.area_path names neither a building nor a community.")]
    assert area_path_errors(outside["leaflet"]) == []  # declaring none is AreaScope.filter's to tell


def test_start_up_fails_when_a_registered_model_declares_a_bad_path(monkeypatch):
    assert [e for e in checks.run_checks(tags=[checks.Tags.models]) if e.id.startswith("households.")] == []
    monkeypatch.setattr(Recipient, "area_path", AreaPath(building="resident__flat"))

    errors = [e for e in checks.run_checks(tags=[checks.Tags.models]) if e.id.startswith("households.")]

    assert [(e.id, e.obj, e.is_serious()) for e in errors] == [("households.E001", Recipient, True)]
