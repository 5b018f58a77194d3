"""Browser fixtures: one headless Chromium per session, a fresh context and page per test.

The pages are served by pytest-django's `live_server`, a thread of this process; its data lives in
a transactional database, so tests build what they need with the factories and the server sees it.
"""

import datetime
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from households.models import Tag
from lockdown.core import sms
from tests.conftest import require
from tests.households.factories import (
    HouseholdFactory,
    ResidentFactory,
    ResidentTagFactory,
    valid_id_number,
)
from tests.volunteers.joining import own_cache  # noqa: F401 (autouse: codes sent, registrations counted per test)

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM calls
# from the test (factories, assertions) as "async-unsafe". Nothing here is truly concurrent.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "pw-for-tests-123"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE_WIDTH = 360
MIN_TAP_HEIGHT = 44  # a gloved finger
DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": PHONE_WIDTH, "height": 740}, "is_mobile": True, "has_touch": True},
}


@pytest.fixture(autouse=True)
def _chinese_by_default(settings):
    """The product opens in Chinese; the suite-wide fixture switches other tests to English."""
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture(scope="session")
def browser():
    require(CHROMIUM.exists(), "needs Debian chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, live_server):
    """open_page("desktop" | "phone") -> a page on the live server in a fresh context (no cookies).

    After the test, any JavaScript error, server error (5xx) or Content-Security-Policy violation
    seen by a page fails the test."""
    contexts, problems = [], []

    def open_page(device):
        context = browser.new_context(**DEVICES[device], base_url=live_server.url, locale="zh-CN")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
        page.on("response", lambda response: note_server_error(response, problems))
        page.on("console", lambda message: note_policy_violation(message, problems))
        page.on("dialog", lambda dialog: answer(page, dialog))
        page.asked, page.say_no = [], False
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert problems == []


def answer(page, dialog):
    """A button that asks first (data-confirm): the person says yes, unless the test set
    `page.say_no` for the next question; `page.asked` keeps what was asked."""
    page.asked.append(dialog.message)
    if page.say_no:
        page.say_no = False
        dialog.dismiss()
    else:
        dialog.accept()


def note_policy_violation(message, problems):
    # Chromium reports what the policy blocked on the console ("Refused to execute inline script
    # because it violates the following Content Security Policy directive ...").
    if "Content Security Policy" in message.text:
        problems.append(f"CSP violation: {message.text}")


def note_server_error(response, problems):
    if response.status >= 500:
        problems.append(f"{response.status} {response.request.method} {response.url}")


@pytest.fixture
def screenshot():
    """screenshot(page, "name.png"): a full-page picture for the README, only with LOCKDOWN_SCREENSHOTS=1."""

    def take(page, name):
        if os.environ.get("LOCKDOWN_SCREENSHOTS") != "1":
            return
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        # A full-page capture keeps the sticky bottom bar where the first screen ends, over the
        # content; a viewport as tall as the page puts it at the bottom, where a person sees it.
        viewport = page.viewport_size
        height = page.evaluate("document.documentElement.scrollHeight")
        page.set_viewport_size({"width": viewport["width"], "height": max(height, viewport["height"])})
        try:
            page.screenshot(path=SCREENSHOTS / name, full_page=True, animations="disabled")
        finally:
            page.set_viewport_size(viewport)

    return take


@pytest.fixture
def memory_sms(settings):
    """Texts kept in memory, as the gateway sent them (memory_sms.sent: reference, number, text)."""
    settings.SMS_BACKEND = "memory"
    sms.MemoryBackend.reset()
    yield sms.MemoryBackend
    sms.MemoryBackend.reset()


def log_in(page, username, password=PASSWORD):
    """Type the credentials into the login form on the current page, as a person does, and submit it."""
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()
    assert "/accounts/login/" not in page.url, "login failed"


def path_of(page):
    """The current path, without the host, the query or the fragment."""
    return urlsplit(page.url).path


# What a finger taps: links, buttons, form fields, the summaries that open a <details>.
INTERACTIVE = "a[href], button, input:not([type=hidden]), select, textarea, summary"


def small_tap_targets(page):
    """The visible interactive elements under MIN_TAP_HEIGHT, as "height: html" lines (a box or a
    radio button counts by the label around it, which is what a finger hits)."""
    small = page.evaluate(
        """([selector, minimum]) => [...document.querySelectorAll(selector)]
            .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden")
            .map((el) => {
              const boxed = el.matches("input[type=checkbox], input[type=radio]") && el.closest("label");
              const height = (boxed || el).getBoundingClientRect().height;
              return [el.outerHTML.replace(/\\s+/g, " ").slice(0, 120), Math.round(height * 10) / 10];
            })
            .filter(([, height]) => height < minimum)""",
        [INTERACTIVE, MIN_TAP_HEIGHT],
    )
    return [f"{height}px: {html}" for html, height in small]


def assert_no_small_tap_targets(offenders_by_path):
    """{path: offenders} with nothing in it, or a failure listing every offender page by page."""
    offenders_by_path = {path: found for path, found in offenders_by_path.items() if found}
    listing = "\n".join(f"{path}\n  " + "\n  ".join(found) for path, found in offenders_by_path.items())
    assert not offenders_by_path, f"tap targets under {MIN_TAP_HEIGHT}px:\n{listing}"


def assert_fits_the_phone(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{path_of(page)} is {width}px wide: {wider_than_the_screen(page)}"


def gap_between(upper, lower):
    """The pixels between the bottom of one locator's element and the top of the next one below."""
    return lower.bounding_box()["y"] - (upper.bounding_box()["y"] + upper.bounding_box()["height"])


def wider_than_the_screen(page):
    """The elements whose right edge passes the viewport: what to fix when a page scrolls sideways."""
    return page.evaluate(
        """(width) => [...document.querySelectorAll("body *")]
            .filter((el) => el.getBoundingClientRect().right > width)
            .slice(0, 10)
            .map((el) => `${el.tagName.toLowerCase()}.${el.className} right=${el.getBoundingClientRect().right}`)""",
        PHONE_WIDTH,
    )


@pytest.fixture
def world(transactional_db, world):
    """The shared world (tests/conftest.py), committed for the live server, with two neighbours in
    building 12 so that the screenshots show something: three households and three residents."""
    neighbour = ResidentFactory(
        household=HouseholdFactory(building=world.building, unit="3", room="502"),
        name="赵桂英",
        id_number=valid_id_number(7, birth=datetime.date(1938, 3, 2), sex="F"),
    )
    ResidentTagFactory(resident=neighbour, tag=Tag.AGED_80)
    ResidentTagFactory(resident=neighbour, tag=Tag.ALONE, note="女儿住浦东")
    ResidentFactory(household=HouseholdFactory(building=world.building, unit="1", room="101"), name="钱立民")
    world.resident.relation = "head"
    world.resident.save(update_fields=["relation"])
    return world


@pytest.fixture
def tasks(request, settings, tmp_path):
    """A real worker when Redis is configured, else the embedded in-process tasks."""
    if settings.REDIS_URL:
        return request.getfixturevalue("celery_worker")
    settings.MEDIA_ROOT = tmp_path / "media"
    return None
