import contextlib
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.template.backends import jinja2 as jinja2_backend
from django.test.signals import template_rendered
from django.utils import translation

from households.models import Role
from tests.households.factories import (
    BuildingFactory,
    CommunityFactory,
    HouseholdFactory,
    ResidentFactory,
    ZoneFactory,
    user_with_role,
)

REQUIRE_SERVICES = os.environ.get("LOCKDOWN_REQUIRE_SERVICES") == "1"


def require(condition, reason):
    """Skip a test whose service is missing on a laptop; in CI (LOCKDOWN_REQUIRE_SERVICES=1) fail it."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture
def on_postgres():
    require(settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), "needs DATABASE_URL=postgres://...")


@pytest.fixture
def memory_sms(settings):
    """Text messages kept in memory (the gateway's MemoryBackend), none at the start or the end."""
    from lockdown.core import sms

    settings.SMS_BACKEND = "memory"
    sms.MemoryBackend.reset()
    yield sms.MemoryBackend
    sms.MemoryBackend.reset()


def eventually(condition, timeout=60.0):
    """Whether `condition()` holds within `timeout` seconds (a worker's writes, seen from the test)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def redis_url():
    require(bool(settings.REDIS_URL), "needs REDIS_URL=redis://...")
    return settings.REDIS_URL


ROOT = Path(__file__).resolve().parent.parent


def database_url():
    """The URL of the database the tests run on, for another process (a Celery worker) to use."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("postgresql"):
        return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    require(db["NAME"] != ":memory:" and "memory" not in str(db["NAME"]), "needs a file database for a worker")
    return f"sqlite:///{db['NAME']}"


def start_worker(queue, env=None, concurrency=1):
    """Start a real Celery worker process on `queue`, in a process group of its own (so that a test
    can kill it and its pool at once), with the test's database and `env` added."""
    # Warnings and errors only: the worker's level is the web process's setting (lockdown/celery.py).
    quiet = {"DJANGO_LOG_LEVEL": "WARNING"}
    env = os.environ | {"DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL} | quiet | (env or {})
    pool = ["--pool", "solo"] if concurrency == 1 else ["--pool", "prefork", "-c", str(concurrency)]
    command = [sys.executable, "-m", "celery", "-A", "lockdown", "worker", "-Q", queue, *pool]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


@contextlib.contextmanager
def tasks_on_queue(queue):
    """Send the tasks this process starts to `queue`."""
    from lockdown.celery import app

    default_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        yield queue
    finally:
        app.conf.task_default_queue = default_queue


def worker_queue(tmp_path):
    return f"test-{os.getpid()}-{id(tmp_path)}"


@pytest.fixture
def celery_worker(redis_url, settings, tmp_path):
    """A real Celery worker process on the real broker, serving a queue of its own for this test.

    Tasks sent by the test (and by the live server's thread) go to that queue; the worker writes
    to the test's database and reads uploads from the test's media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    queue = worker_queue(tmp_path)
    worker = start_worker(queue, {"DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT)})
    try:
        with tasks_on_queue(queue):
            yield queue
    finally:
        worker.terminate()
        worker.wait(timeout=30)


@pytest.fixture(autouse=True, scope="session")
def _jinja2_context_in_responses():
    """Let tests read `response.context` of Jinja2 pages, as Django's test setup does for its own engine."""
    original = jinja2_backend.Template.render

    def render(self, context=None, request=None):
        html = original(self, context, request)
        template_rendered.send(sender=self, template=self, context=context)
        return html

    jinja2_backend.Template.render = render
    yield
    jinja2_backend.Template.render = original


@pytest.fixture(autouse=True)
def _plain_settings(settings, tmp_path):
    # Tests read in English; tests of the Chinese interface switch to it themselves.
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")
    # Tests log in often; the lock-out has its own test.
    settings.AXES_ENABLED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Uploads (photos, documents) land in the test's own folder, not the checkout's.
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class World:
    """Two communities of one street; the first has two zones with a building each.

    Real-looking names, so that the browser tests' screenshots read like a committee's data."""

    street: object
    community: object
    other_community: object
    zone: object
    other_zone: object
    building: object
    other_building: object
    far_building: object
    household: object
    other_household: object
    far_household: object
    resident: object
    other_resident: object
    far_resident: object
    users: dict


@pytest.fixture
def world(db):
    community = CommunityFactory(street__name="华阳路街道", name="金杨居民区")
    zone = ZoneFactory(compound__community=community, compound__name="金杨新村", name="一块区")
    other_zone = ZoneFactory(compound=zone.compound, name="二块区")
    building = BuildingFactory(zone=zone, number="12")
    other_building = BuildingFactory(zone=other_zone, number="13")
    far_community = CommunityFactory(street=community.street, name="长宁居民区")
    far_building = BuildingFactory(
        zone__compound__community=far_community, zone__compound__name="长宁小区", zone__name="一块区", number="12"
    )
    household = HouseholdFactory(building=building, unit="3", room="501")
    other_household = HouseholdFactory(building=other_building, unit="1", room="101")
    far_household = HouseholdFactory(building=far_building, unit="3", room="501")
    users = {
        Role.STREET_ADMIN: user_with_role(Role.STREET_ADMIN, community.street, username="street"),
        Role.COMMITTEE_STAFF: user_with_role(Role.COMMITTEE_STAFF, community, username="staff"),
        Role.ZONE_LEADER: user_with_role(Role.ZONE_LEADER, zone, username="zone"),
        Role.BUILDING_LEADER: user_with_role(Role.BUILDING_LEADER, building, username="leader"),
        Role.VOLUNTEER: user_with_role(Role.VOLUNTEER, building, username="volunteer"),
    }
    return World(
        street=community.street,
        community=community,
        other_community=far_community,
        zone=zone,
        other_zone=other_zone,
        building=building,
        other_building=other_building,
        far_building=far_building,
        household=household,
        other_household=other_household,
        far_household=far_household,
        resident=ResidentFactory(household=household, name="张三"),
        other_resident=ResidentFactory(household=other_household, name="李四"),
        far_resident=ResidentFactory(household=far_household, name="王五"),
        users=users,
    )


@pytest.fixture
def two_compounds(world):
    """The world's community with a second compound, 金杨二村, whose building 12 has a 3-501 too."""
    building = BuildingFactory(
        zone__compound__community=world.community, zone__compound__name="金杨二村", zone__name="一块区", number="12"
    )
    world.second_building = building
    world.second_household = HouseholdFactory(building=building, unit="3", room="501")
    world.second_resident = ResidentFactory(household=world.second_household, name="张小明")
    return world
