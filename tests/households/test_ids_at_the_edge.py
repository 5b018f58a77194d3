"""Every id a page reads from its query string or a form is checked as the API checks it (1 to
2**63 - 1): a 400 that says what is wrong, or the form's error, never a 500, and nothing written."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from households.models import Campaign, ExportJob, ImportJob, Presence, Role
from tests.households.factories import CampaignFactory

pytestmark = pytest.mark.django_db

NOT_IDS = ["9223372036854775808", "99999999999999999999999", "-1", "0", "1.5", "abc", "１.５"]


@pytest.fixture
def campaign(world):
    return CampaignFactory(community=world.community, created_by=world.users[Role.COMMITTEE_STAFF])


QUERY_IDS = {
    "key population, zone": (lambda world, campaign: reverse("households:key_population"), "zone"),
    "key population, building": (lambda world, campaign: reverse("households:key_population"), "building"),
    "campaign progress, recipients": (
        lambda world, campaign: reverse("campaigns:progress", args=[campaign.pk]),
        "recipients",
    ),
}


@pytest.mark.parametrize("value", NOT_IDS)
@pytest.mark.parametrize("page", QUERY_IDS)
def test_a_query_string_id_that_cannot_exist_answers_400_with_a_message(client, world, campaign, page, value):
    url, name = QUERY_IDS[page]
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    response = client.get(url(world, campaign), {name: value})

    assert response.status_code == 400
    assert "Go back and choose from the list on the page." in response.content.decode()


def test_a_leader_is_told_on_the_phone_layout(client, world):
    client.force_login(world.users[Role.BUILDING_LEADER])

    response = client.get(reverse("households:key_population"), {"building": "abc"})

    assert response.status_code == 400
    assert '<body class="mobile">' in response.content.decode()


def test_a_400_django_raises_says_nothing_of_the_configuration(client, world, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    response = client.get(reverse("home"), HTTP_HOST="lockdown.internal.example")

    assert response.status_code == 400
    assert "lockdown.internal.example" not in response.content.decode()
    assert "ALLOWED_HOSTS" not in response.content.decode()
    assert "This request cannot be answered as it is." in response.content.decode()


@pytest.mark.parametrize("page", QUERY_IDS)
def test_an_empty_or_real_id_in_the_query_string_is_answered(client, world, campaign, page):
    url, name = QUERY_IDS[page]
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    assert client.get(url(world, campaign), {name: ""}).status_code == 200
    assert client.get(url(world, campaign), {name: str(world.building.pk)}).status_code == 200


def test_the_key_population_page_reads_a_full_width_building_id(client, world):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    full_width = str(world.building.pk).translate({ord(d): chr(ord(d) + 0xFEE0) for d in "0123456789"})

    response = client.get(reverse("households:key_population"), {"building": full_width})

    assert response.context["building_id"] == world.building.pk


def campaign_data(world, campaign):
    deadline = timezone.localtime() + datetime.timedelta(days=1)
    return {
        "community": world.community.pk,
        "title": "召回在外居民",
        "template": campaign.template_id,
        "deadline": f"{deadline:%Y-%m-%dT%H:%M}",
        "contact_phone": "021-58001234",
        "presence": Presence.AWAY,
    }


# (page, its form's fields without the id, the id's field, what must stay as it was)
FORM_IDS = {
    "export, building": (
        lambda world, campaign: reverse("spreadsheets:export_start"),
        lambda world, campaign: {"kind": "households", "fmt": "csv"},
        "building",
        ExportJob,
    ),
    "campaign, community": (
        lambda world, campaign: reverse("campaigns:create"),
        campaign_data,
        "community",
        Campaign,
    ),
    "campaign, template": (
        lambda world, campaign: reverse("campaigns:create"),
        campaign_data,
        "template",
        Campaign,
    ),
    "campaign, compounds": (
        lambda world, campaign: reverse("campaigns:create"),
        campaign_data,
        "compounds",
        Campaign,
    ),
    "campaign, buildings": (
        lambda world, campaign: reverse("campaigns:create"),
        campaign_data,
        "buildings",
        Campaign,
    ),
    "import, community": (
        lambda world, campaign: reverse("spreadsheets:imports"),
        lambda world, campaign: {"community": world.community.pk},
        "community",
        ImportJob,
    ),
    "import, compound": (
        lambda world, campaign: reverse("spreadsheets:imports"),
        lambda world, campaign: {"community": world.community.pk},
        "compound",
        ImportJob,
    ),
}


@pytest.mark.parametrize("value", NOT_IDS)
@pytest.mark.parametrize("form", FORM_IDS)
def test_a_form_id_that_cannot_exist_is_a_form_error_and_writes_nothing(client, world, campaign, form, value):
    url, data, name, model = FORM_IDS[form]
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    before = model.objects.count()

    response = client.post(url(world, campaign), data(world, campaign) | {name: value}, follow=True)

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert model.objects.count() == before
