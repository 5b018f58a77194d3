"""What the tests of registration, approval and the login by code share: a cache and an SMS gateway
of each test's own, the form as a person fills it in, and volunteers made directly."""

import itertools
import uuid

import factory
import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from lockdown.core import sms
from volunteers import registration
from volunteers.choices import Source
from volunteers.models import Volunteer


@pytest.fixture(autouse=True)
def own_cache(settings):
    """Keys of this test's own in the cache: what one test counts (registrations from an address,
    codes sent to a number) never reaches another, though the Redis cache outlives a test."""
    settings.CACHES = {"default": {**django_settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}


@pytest.fixture(autouse=True)
def memory_gateway(settings):
    """Texts kept in memory (sms.MemoryBackend.sent), none from another test."""
    settings.SMS_BACKEND = "memory"
    sms.MemoryBackend.reset()
    yield
    sms.MemoryBackend.reset()


_addresses = itertools.count(1)


def an_address():
    """A client address no other request of the run has used."""
    n = next(_addresses)
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def place_of(world):
    """The settings (and the link) of the world's compound, 金杨新村."""
    return registration.join_settings(world.building.compound)


def join_url(place):
    return reverse("volunteers:join", args=[place.join_token])


def filled_in(world, **changes):
    """The form as 张三 of 12-3-501 fills it in."""
    data = {
        "name": "张三",
        "mobile": "139 1234 5678",
        "age": "35",
        "source": Source.RESIDENT,
        "organisation": "",
        "building": str(world.building.pk),
        "room": "3-501",
        "skills": ["driver"],
        "availability": ["morning", "evening"],
    }
    return data | changes


def register(client, world, address=None, **changes):
    """Post the form at the world's compound's link, from `address` (a fresh one by default)."""
    place = place_of(world)
    return client.post(join_url(place), filled_in(world, **changes), REMOTE_ADDR=address or an_address())


class VolunteerFactory(factory.django.DjangoModelFactory):
    """A volunteer of the world's building 12 (pass `building`), waiting for approval."""

    class Meta:
        model = Volunteer

    building = None
    compound = factory.LazyAttribute(lambda v: v.building.compound)
    community = factory.LazyAttribute(lambda v: v.building.community)
    name = factory.Sequence(lambda n: f"志愿者{n}")
    mobile = factory.Sequence(lambda n: f"137{n:08d}")
    age = 30
    source = Source.RESIDENT
    room = "3-501"
