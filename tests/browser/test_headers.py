"""Every page a person opens satisfies the site's Content-Security-Policy (the open_page fixture fails
a test on any violation the browser reports), and keeps nothing in the browser's cache once logged in."""

import pytest
from playwright.sync_api import expect

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_the_pages_and_the_api_docs_run_under_the_content_security_policy(world, open_page):
    page = open_page("desktop")
    login = page.goto("/")
    log_in(page, "staff")
    answers = {"login": login}
    for name, path in [
        ("household", f"/households/{world.household.pk}/"),
        ("browsable api", f"/api/residents/{world.resident.pk}/"),
        ("api docs", "/api/docs/"),
    ]:
        answers[name] = page.goto(path)
        page.wait_for_load_state("networkidle")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    page.goto(f"/households/{world.household.pk}/")
    page.locator("button[data-url$='/phone/']").first.click()
    expect(page.get_by_text(world.resident.phone)).to_be_visible()

    policies = {name: answer.headers.get("content-security-policy", "") for name, answer in answers.items()}
    assert all("script-src 'self'" in policy for policy in policies.values()), policies
    assert answers["household"].headers["cache-control"].count("no-store") == 1
