"""Limits counted in the cache (lockdown/core/throttle.py) and the client's address behind proxies
(lockdown/core/addresses.py)."""

import uuid

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory

from lockdown.core import throttle
from lockdown.core.addresses import client_address


@pytest.fixture(autouse=True)
def own_cache(settings):
    settings.CACHES = {"default": {**django_settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}


def test_uses_past_the_limit_are_refused_for_that_client_only():
    uses = [throttle.take("thing", "a", limit=2, seconds=60) for _ in range(3)]

    assert uses == [True, True, False]
    assert throttle.take("thing", "b", limit=2, seconds=60)
    assert throttle.take("other", "a", limit=2, seconds=60)


def test_once_per_lets_the_first_through_until_forgotten():
    assert throttle.once_per("wait", "a", seconds=60)
    assert not throttle.once_per("wait", "a", seconds=60)
    throttle.forget("wait", "a")
    assert throttle.once_per("wait", "a", seconds=60)


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.2"),  # no proxy of ours: the header is the client's own words
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        (1, "", "10.0.0.2"),  # a request that came round the proxy
    ],
)
def test_the_client_s_address_is_the_one_our_nearest_proxies_saw(settings, hops, forwarded, expected):
    settings.PROXY_HOPS = hops
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_address(request) == expected
