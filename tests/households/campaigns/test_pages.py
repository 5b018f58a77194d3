"""The campaign pages and the receipt endpoint: thin views over the services, scoped, with clear errors."""

import datetime
import io
import os
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from households import services
from households.campaigns import exports as campaign_exports
from households.campaigns import selectors as campaign_selectors
from households.campaigns import services as campaigns
from households.campaigns.tasks import export_campaign_task
from households.models import AuditEvent, Campaign, ExportJob, Message, Presence, Recipient, Role, RoleAssignment
from households.scoping import AreaScope
from households.spreadsheets import exports as export_jobs
from lockdown.celery import app
from lockdown.core import sms
from lockdown.core.errors import ServiceError
from lockdown.core.identity import mask_phone
from tests.fakes.providers import AliyunFake
from tests.households.factories import (
    BuildingFactory,
    CampaignFactory,
    HouseholdFactory,
    ResidentFactory,
    SmsTemplateFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def memory_sms(settings):
    settings.SMS_BACKEND = "memory"
    sms.MemoryBackend.reset()
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield sms.MemoryBackend
    app.conf.task_always_eager = eager
    sms.MemoryBackend.reset()


@pytest.fixture
def export_of(client, django_capture_on_commit_callbacks, settings, tmp_path):
    """A campaign's export as a person gets it: asked for at its address, written by the task, then
    downloaded from their own exports."""
    settings.MEDIA_ROOT = tmp_path / "media"

    def export(campaign, **request):
        with django_capture_on_commit_callbacks(execute=True):
            started = client.get(reverse("campaigns:export", args=[campaign.pk]), **request)
        assert started.url == reverse("spreadsheets:exports")
        job = ExportJob.objects.filter(campaign=campaign, created_by=started.wsgi_request.user).latest("pk")
        return client.get(reverse("spreadsheets:export_download", args=[job.pk]))

    return export


def away_residents(building, count, start=0):
    household = HouseholdFactory(building=building, room=str(900 + start))
    return ResidentFactory.create_batch(count, household=household, presence=Presence.AWAY)


@pytest.fixture
def sent(world, django_capture_on_commit_callbacks):
    """A campaign sent to three away residents: two in the first building, one in the other."""
    away_residents(world.building, 2)
    away_residents(world.other_building, 1)
    campaign = CampaignFactory(community=world.community, created_by=world.users[Role.COMMITTEE_STAFF])
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_send(actor=world.users[Role.COMMITTEE_STAFF], campaign=campaign)
    return campaign


def form_data(template, **changes):
    deadline = timezone.localtime() + datetime.timedelta(days=1)
    data = {
        "title": "召回在外居民",
        "template": template.pk,
        "deadline": f"{deadline:%Y-%m-%dT%H:%M}",
        "contact_phone": "021-58001234",
        "presence": Presence.AWAY,
    }
    return data | changes


def test_staff_create_a_campaign_and_see_the_preview_before_sending(client, world):
    away_residents(world.building, 2)
    template = SmsTemplateFactory()
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    response = client.post(reverse("campaigns:create"), form_data(template, community=world.community.pk))

    campaign = Campaign.objects.get()
    assert response.url == reverse("campaigns:detail", args=[campaign.pk])
    preview = client.get(response.url).context["preview"]
    assert (preview.residents, preview.messages) == (2, 2)
    assert preview.samples[0].text.startswith("【居委会】张")
    assert Message.objects.count() == 0


def test_a_past_deadline_is_refused_with_a_message_and_nothing_is_created(client, world):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    data = form_data(SmsTemplateFactory(), community=world.community.pk, deadline="2020-01-01T08:00")

    response = client.post(reverse("campaigns:create"), data)

    assert response.status_code == 200
    assert "The deadline has passed" in " ".join(response.context["form"].errors["deadline"])
    assert not Campaign.objects.exists()


def test_leaders_may_not_create_campaigns(client, world):
    client.force_login(world.users[Role.BUILDING_LEADER])

    assert client.get(reverse("campaigns:create")).status_code == 404


def test_sending_from_the_page_sends_and_a_second_click_is_told(
    client, world, memory_sms, django_capture_on_commit_callbacks
):
    away_residents(world.building, 2)
    campaign = CampaignFactory(community=world.community)
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    url = reverse("campaigns:send", args=[campaign.pk])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    second = client.post(url, follow=True)

    assert len(memory_sms.sent) == 2
    assert "This campaign is already going out" in second.content.decode()


def test_another_community_s_campaign_is_not_found(client, world, sent):
    far = CampaignFactory(community=world.other_community)
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    assert client.get(reverse("campaigns:detail", args=[far.pk])).status_code == 404
    assert client.get(reverse("campaigns:detail", args=[sent.pk])).status_code == 200


def test_progress_counts_by_building_within_the_account_s_buildings(client, world, sent):
    client.force_login(world.users[Role.BUILDING_LEADER])

    counts = client.get(reverse("campaigns:progress", args=[sent.pk])).json()["counts"]

    assert counts["total.residents"] == 2  # the leader's building only
    assert counts[f"{world.building.pk}.sent"] == 2
    assert f"{world.other_building.pk}.sent" not in counts


def test_progress_keeps_the_listed_rows_live_within_the_account_s_buildings(client, world, sent):
    mine = Recipient.objects.filter(building=world.building).first()
    theirs = Recipient.objects.filter(building=world.other_building).first()
    Message.objects.filter(pk=mine.message_id).update(state=Message.State.FAILED)
    Recipient.objects.filter(pk=mine.pk).update(call_reason=Recipient.CallReason.UNDELIVERED)
    client.force_login(world.users[Role.BUILDING_LEADER])
    url = reverse("campaigns:progress", args=[sent.pk])

    rows = client.get(url, {"recipients": f"{mine.pk},{theirs.pk},"}).json()["recipients"]

    assert rows == {str(mine.pk): {"state": "failed", "label": "Failed", "call": "Not delivered"}}


def test_a_recipient_who_moves_leaves_the_old_building_s_call_list_for_the_new_one(client, world, sent):
    recipient = Recipient.objects.filter(building=world.building).first()
    services.resident_move(
        actor=world.users[Role.COMMITTEE_STAFF], resident=recipient.resident, to_household=world.other_household
    )
    client.force_login(world.users[Role.BUILDING_LEADER])  # of the first building

    page = client.get(reverse("campaigns:calls", args=[sent.pk]))

    assert recipient.pk not in [r.pk for r in page.context["page"]]
    assert Recipient.objects.get(pk=recipient.pk).building == world.other_building


def test_a_volunteer_sees_the_call_list_without_buttons_that_would_fail(client, world, sent):
    client.force_login(world.users[Role.VOLUNTEER])

    page = client.get(reverse("campaigns:calls", args=[sent.pk]))

    html = page.content.decode()
    assert len(page.context["page"]) == 2  # their building's residents
    assert "outcome-form" not in html
    assert "data-tel" not in html
    client.force_login(world.users[Role.BUILDING_LEADER])
    html = client.get(reverse("campaigns:calls", args=[sent.pk])).content.decode()
    assert html.count('class="outcome-form"') == 2
    assert html.count("data-tel") == 2


@pytest.mark.parametrize(("role", "reads_numbers"), [(Role.VOLUNTEER, False), (Role.BUILDING_LEADER, True)])
def test_only_roles_that_read_numbers_see_them_on_the_campaign_pages_and_in_its_export(
    client, world, sent, role, reads_numbers, export_of
):
    mine = list(Recipient.objects.filter(building=world.building).select_related("resident"))
    client.force_login(world.users[role])

    pages = {
        "campaign": client.get(reverse("campaigns:detail", args=[sent.pk]), {"show": "all"}),
        "call list": client.get(reverse("campaigns:calls", args=[sent.pk])),
    }
    export = export_of(sent)

    for name, page in pages.items():
        html = page.content.decode()
        assert len(page.context["page"]) == 2, name
        assert [r.resident.phone in html for r in mine] == [False, False], name
        assert [mask_phone(r.resident.phone) in html for r in mine] == [reads_numbers] * 2, name
    assert ("<th>Mobile</th>" in pages["campaign"].content.decode()) == reads_numbers
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    header, *rows = sheet.iter_rows(min_row=2, values_only=True)
    phones = {row[header.index("手机")] for row in rows}
    assert phones == ({r.resident.phone for r in mine} if reads_numbers else {None})


def test_an_account_the_provider_refuses_keeps_the_messages_waiting_and_says_why(
    client, world, settings, django_capture_on_commit_callbacks
):
    fake = AliyunFake().start()
    settings.SMS_BACKEND = "aliyun"
    settings.SMS_OPTIONS = {"aliyun": fake.options() | {"access_key_secret": "wrong"}}
    away_residents(world.building, 2)
    campaign = CampaignFactory(community=world.community)
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_send(actor=world.users[Role.COMMITTEE_STAFF], campaign=campaign)
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    page = client.get(reverse("campaigns:detail", args=[campaign.pk]))
    progress = client.get(reverse("campaigns:progress", args=[campaign.pk])).json()

    fake.stop()
    assert set(Message.objects.values_list("state", "error_code")) == {(Message.State.QUEUED, "SignatureDoesNotMatch")}
    assert not Recipient.objects.exclude(call_reason="").exists()
    assert "SignatureDoesNotMatch" in page.context["provider_error"]
    assert progress["provider_error"] == page.context["provider_error"]
    assert fake.sent == []


def test_a_leader_records_returned_on_the_call_list(client, world, sent):
    recipient = Recipient.objects.filter(building=world.building).first()
    client.force_login(world.users[Role.BUILDING_LEADER])
    calls = reverse("campaigns:calls", args=[sent.pk])

    page = client.get(calls)
    response = client.post(reverse("campaigns:outcome", args=[recipient.pk]), {"outcome": "returned", "next": calls})

    assert [r.pk for r in page.context["page"]] == list(
        Recipient.objects.filter(building=world.building)
        .order_by("resident__household_id", "id")
        .values_list("pk", flat=True)
    )
    assert response.url == calls
    recipient.resident.refresh_from_db()
    assert recipient.resident.presence == Presence.HOME
    assert recipient.pk not in [r.pk for r in client.get(calls).context["page"]]


def test_confirming_without_a_time_says_what_is_missing(client, world, sent):
    recipient = Recipient.objects.filter(building=world.building).first()
    client.force_login(world.users[Role.BUILDING_LEADER])

    response = client.post(reverse("campaigns:outcome", args=[recipient.pk]), {"outcome": "confirmed"}, follow=True)

    assert "Say when the resident expects to be back." in response.content.decode()
    recipient.refresh_from_db()
    assert recipient.outcome == ""


def test_a_leader_cannot_record_outside_their_buildings(client, world, sent):
    outside = Recipient.objects.get(building=world.other_building)
    client.force_login(world.users[Role.BUILDING_LEADER])

    response = client.post(reverse("campaigns:outcome", args=[outside.pk]), {"outcome": "returned"})

    assert response.status_code == 404
    outside.refresh_from_db()
    assert outside.outcome == ""


def test_the_export_lists_the_residents_with_their_numbers_for_staff_and_is_recorded(client, world, sent, export_of):
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    response = export_of(sent, REMOTE_ADDR="10.1.2.3")

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, *rows = sheet.iter_rows(min_row=2, values_only=True)
    phones = {r.resident.phone for r in Recipient.objects.select_related("resident")}
    assert {row[header.index("手机")] for row in rows} == phones
    assert {row[header.index("短信")] for row in rows} == {"已发送"}
    audit = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, detail__campaign=sent.pk)
    assert (audit.actor, audit.ip_address) == (world.users[Role.COMMITTEE_STAFF], "10.1.2.3")


def test_receipts_with_a_wrong_token_change_nothing(client, world, sent, settings):
    settings.SMS_RECEIPT_TOKEN = "right"
    message = Message.objects.first()
    body = [{"phone_number": message.phone, "success": True, "biz_id": message.provider_id, "out_id": ""}]

    response = client.post("/sms/receipts/memory/wrong/", body, content_type="application/json")

    assert response.status_code == 404
    assert Message.objects.filter(state=Message.State.DELIVERED).count() == 0


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", [Role.COMMITTEE_STAFF, Role.BUILDING_LEADER])
def test_campaign_pages_issue_as_many_queries_for_60_recipients_as_for_6(
    client, world, role, django_capture_on_commit_callbacks
):
    for start in range(3):
        away_residents(world.building, 2, start)
    campaign = CampaignFactory(community=world.community)
    small_campaign = CampaignFactory(community=world.community)
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_send(actor=world.users[Role.COMMITTEE_STAFF], campaign=small_campaign)
    for start in range(3, 30):
        away_residents(world.building, 2, start)
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_send(actor=world.users[Role.COMMITTEE_STAFF], campaign=campaign)
    client.force_login(world.users[role])

    def urls(campaign):
        listed = ",".join(str(pk) for pk in campaign.recipients.values_list("pk", flat=True))
        pages = [reverse(f"campaigns:{name}", args=[campaign.pk]) for name in ["detail", "calls"]]
        return [*pages, reverse("campaigns:progress", args=[campaign.pk]) + f"?recipients={listed}"]

    small = [count_queries(client, url) for url in urls(small_campaign)]
    large = [count_queries(client, url) for url in urls(campaign)]

    assert campaign.recipients.count() == 60
    assert large == small


def test_a_draft_is_for_staff_only_its_preview_names_every_building(client, world):
    away_residents(world.other_building, 1)
    draft = CampaignFactory(community=world.community)
    client.force_login(world.users[Role.BUILDING_LEADER])

    assert client.get(reverse("campaigns:detail", args=[draft.pk])).status_code == 404
    assert draft not in client.get(reverse("campaigns:list")).context["campaigns"]


def test_the_campaign_pages_and_export_write_each_room_with_its_compound_where_there_are_several(
    client, two_compounds, django_capture_on_commit_callbacks, export_of
):
    world = two_compounds
    for resident in (world.resident, world.second_resident):
        resident.presence = Presence.AWAY
        resident.save()
    campaign = CampaignFactory(community=world.community)
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_send(actor=world.users[Role.COMMITTEE_STAFF], campaign=campaign)
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    page = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    calls = client.get(reverse("campaigns:calls", args=[campaign.pk])).content.decode()
    progress = client.get(reverse("campaigns:detail", args=[campaign.pk])).context["buildings"]
    export = export_of(campaign)

    for html in (page, calls):
        assert ("金杨新村 12-3-501" in html, "金杨二村 12-3-501" in html) == (True, True)
    assert {row.label for row in progress} == {"金杨新村 Building 12", "金杨二村 Building 12"}
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    header, *rows = sheet.iter_rows(min_row=2, values_only=True)
    assert {(row[header.index("房号")], row[header.index("姓名")]) for row in rows} == {
        ("金杨新村 12-3-501", "张三"),
        ("金杨二村 12-3-501", "张小明"),
    }


def test_a_campaign_in_a_community_of_one_compound_writes_rooms_without_it(client, world, sent, export_of):
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    page = client.get(reverse("campaigns:detail", args=[sent.pk]), {"show": "all"})
    export = export_of(sent)

    assert {row.label for row in page.context["buildings"]} == {"Building 12", "Building 13"}
    assert "金杨新村" not in page.content.decode().split("<h2>")[-1]  # the resident list
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    header, *rows = sheet.iter_rows(min_row=2, values_only=True)
    assert {row[header.index("房号")] for row in rows} == {"12-1-900", "13-1-900"}


def test_campaign_pages_issue_as_many_queries_in_a_community_of_two_compounds(
    client, two_compounds, django_capture_on_commit_callbacks
):
    world = two_compounds
    counts = []
    for size in (2, 20):
        for start in range(size):
            away_residents(world.building, 1, start + size * 100)
            away_residents(world.second_building, 1, start + size * 100)
        campaign = CampaignFactory(community=world.community)
        with django_capture_on_commit_callbacks(execute=True):
            campaigns.campaign_send(actor=world.users[Role.COMMITTEE_STAFF], campaign=campaign)
        client.force_login(world.users[Role.COMMITTEE_STAFF])
        urls = [reverse(f"campaigns:{name}", args=[campaign.pk]) for name in ["detail", "calls"]]
        counts.append([count_queries(client, url) for url in urls])

    assert counts[0] == counts[1]


@pytest.fixture
def large(world, django_capture_on_commit_callbacks):
    """A campaign sent to 120 away residents of the first building, in households of four."""
    for start in range(30):
        away_residents(world.building, 4, start)
    campaign = CampaignFactory(community=world.community, created_by=world.users[Role.COMMITTEE_STAFF])
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_send(actor=world.users[Role.COMMITTEE_STAFF], campaign=campaign)
    return campaign


def listed(response):
    return [recipient.pk for recipient in response.context["page"]]


def test_the_campaign_page_lists_50_residents_a_page_with_a_link_to_each_page(client, world, large):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    url = reverse("campaigns:detail", args=[large.pk])

    first, third = client.get(url), client.get(url, {"page": 3})

    everyone = [r.pk for r in campaign_selectors.campaign_recipients(scope_of_user(world, Role.COMMITTEE_STAFF), large)]
    assert len(everyone) == 120
    assert listed(first) == everyone[:50]
    assert listed(third) == everyone[100:]
    html = first.content.decode()
    assert html.count('class="outcome-form"') == 50
    assert 'href="?page=2"' in html
    assert 'href="?page=3"' in html
    assert 'aria-current="page"' in html


def scope_of_user(world, role):
    return AreaScope.for_user(world.users[role])


@pytest.mark.parametrize("role", [Role.COMMITTEE_STAFF, Role.BUILDING_LEADER])
def test_every_page_of_a_long_list_issues_as_many_queries_as_a_short_list(
    client, world, role, large, django_capture_on_commit_callbacks
):
    # Three residents of the same building, in quarantine: the short list of a campaign of its own
    household = HouseholdFactory(building=world.building, room="990")
    ResidentFactory.create_batch(3, household=household, presence=Presence.QUARANTINE)
    small = CampaignFactory(community=world.community, presence=Presence.QUARANTINE)
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_send(actor=world.users[Role.COMMITTEE_STAFF], campaign=small)
    client.force_login(world.users[role])
    short = {name: reverse(f"campaigns:{name}", args=[small.pk]) for name in ["detail", "calls"]}
    long = {name: reverse(f"campaigns:{name}", args=[large.pk]) for name in ["detail", "calls"]}

    counts = {name: count_queries(client, url) for name, url in short.items()}

    for name, url in long.items():
        for page in (1, 2, 3):
            assert count_queries(client, f"{url}?page={page}") == counts[name], f"{name} page {page}"


def test_an_outcome_brings_the_person_back_to_the_same_page_and_row(client, world, large):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    url = reverse("campaigns:detail", args=[large.pk])
    page = client.get(url, {"page": 2})
    rows = listed(page)
    target = rows[10]

    form = outcome_form_of(page, target)
    response = client.post(form["action"], form["fields"] | {"outcome": "replied"})

    assert form["fields"]["next"] == f"{url}?page=2#recipient-{target}"
    assert response.url == f"{url}?page=2#recipient-{target}"
    assert listed(client.get(response.url)) == rows  # the same page, the row still on it


def test_an_outcome_that_takes_the_row_off_the_list_brings_the_person_to_the_row_after_it(client, world, large):
    client.force_login(world.users[Role.BUILDING_LEADER])
    url = reverse("campaigns:calls", args=[large.pk])
    page = client.get(url, {"page": 2})
    rows = listed(page)

    middle = outcome_form_of(page, rows[5])
    last = outcome_form_of(page, rows[-1])
    to_middle = client.post(middle["action"], middle["fields"] | {"outcome": "returned"})
    to_last = client.post(last["action"], last["fields"] | {"outcome": "will_not_return"})

    assert to_middle.url == f"{url}?page=2#recipient-{rows[6]}"
    assert to_last.url == f"{url}?page=2#recipient-{rows[-2]}"  # the last row: the one above it
    assert Recipient.objects.get(pk=rows[5]).outcome == "returned"


def test_on_the_list_of_everyone_a_settled_row_stays_where_it_was(client, world, large):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    url = reverse("campaigns:detail", args=[large.pk])
    page = client.get(url, {"show": "all", "page": 2})
    target = listed(page)[3]

    form = outcome_form_of(page, target)
    response = client.post(form["action"], form["fields"] | {"outcome": "returned"})

    assert response.url == f"{url}?show=all&page=2#recipient-{target}"
    assert target in listed(client.get(response.url))


def outcome_form_of(page, recipient_pk):
    """The action and hidden fields of one recipient's outcome form, as the page renders them."""
    html = page.content.decode()
    action = reverse("campaigns:outcome", args=[recipient_pk])
    form = re.search(rf'<form method="post" action="{re.escape(action)}" class="outcome-form">(.*?)</form>', html, re.S)
    assert form, f"no outcome form for recipient {recipient_pk}"
    fields = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.group(1))
    return {"action": action, "fields": {name: unescape(value) for name, value in fields}}


def test_the_new_recall_form_has_boxes_to_tick_under_their_label_buildings_grouped_by_compound(client, world):
    BuildingFactory(zone=world.zone, number="14")
    SmsTemplateFactory()
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    html = client.get(reverse("campaigns:create")).content.decode()

    assert '<select name="compounds"' not in html
    assert '<select name="buildings"' not in html
    for name, label in [("compounds", "compounds"), ("buildings", "buildings"), ("tags", "key population")]:
        legend = re.search(rf'<fieldset class="field choices">\s*<legend>{label}</legend>\s*<div id="id_{name}"', html)
        assert legend, f"{name}: no legend above its boxes"
    compound = world.building.compound
    buildings = re.search(r'<div id="id_buildings">(.*?)</fieldset>', html, re.S).group(1)
    assert re.findall(r"<label>([^<]+)</label>", buildings) == [str(compound)]  # one heading per compound
    boxes = re.findall(r'<input type="checkbox" name="buildings" value="(\d+)"[^>]*>\s*([^<]+?)\s*</label>', buildings)
    assert [label for _, label in boxes] == ["Building 12", "Building 13", "Building 14"]
    assert 'type="checkbox" name="compounds"' in html


def test_ticked_buildings_choose_the_recipients(client, world):
    away_residents(world.building, 2)
    away_residents(world.other_building, 1)
    template = SmsTemplateFactory()
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    data = form_data(template, community=world.community.pk, buildings=[world.other_building.pk])

    response = client.post(reverse("campaigns:create"), data)

    preview = client.get(response.url).context["preview"]
    assert preview.residents == 1


def test_the_only_sms_template_is_chosen_already(client, world):
    only = SmsTemplateFactory()
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    url = reverse("campaigns:create")

    one = client.get(url).context["form"]
    SmsTemplateFactory(name="核酸通知")
    two = client.get(url).context["form"]

    assert one["template"].value() == only.pk
    assert f'<option value="{only.pk}" selected>' in str(one["template"])
    assert two["template"].value() is None


def test_the_campaign_page_starts_its_export_in_the_background_and_writes_nothing_in_the_request(
    client, world, sent, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    staff = world.users[Role.COMMITTEE_STAFF]
    client.force_login(staff)

    page = client.get(reverse("campaigns:detail", args=[sent.pk])).content.decode()
    response = client.post(reverse("campaigns:export", args=[sent.pk]), REMOTE_ADDR="10.1.2.3")

    assert f'<form method="post" action="{reverse("campaigns:export", args=[sent.pk])}"' in page
    assert response.status_code == 302
    assert response.url == reverse("spreadsheets:exports")
    job = ExportJob.objects.get()
    assert (job.kind, job.fmt, job.campaign, job.created_by) == ("campaign", "xlsx", sent, staff)
    assert (job.status, job.ip_address, job.file.name) == (ExportJob.Status.QUEUED, "10.1.2.3", "")
    assert job.file_name.startswith(f"{sent.title}-")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_the_campaign_export_job_shows_its_progress_and_records_the_requesters_address(
    client, world, sent, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    staff = world.users[Role.COMMITTEE_STAFF]
    client.force_login(staff)
    client.post(reverse("campaigns:export", args=[sent.pk]), REMOTE_ADDR="10.1.2.3")
    job = ExportJob.objects.get()
    progress = reverse("spreadsheets:export_progress", args=[job.pk])

    waiting = client.get(reverse("spreadsheets:exports")).content.decode()
    queued = client.get(progress).json()
    with django_capture_on_commit_callbacks(execute=True):
        export_campaign_task.delay(job.pk)
    done = client.get(progress).json()
    listed = client.get(reverse("spreadsheets:exports")).content.decode()

    assert f'data-progress-url="{progress}"' in waiting
    assert f"Campaign {sent.title} .xlsx" in waiting
    assert (queued["status"], queued["running"], queued["percent"]) == ("queued", True, 0)
    assert (done["status"], done["running"], done["done"], done["total"], done["percent"]) == ("done", False, 3, 3, 100)
    assert reverse("spreadsheets:export_download", args=[job.pk]) in listed
    audit = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (audit.actor, audit.ip_address, audit.detail) == (
        staff,
        "10.1.2.3",
        {"kind": "campaign", "campaign": sent.pk, "rows": 3},
    )


def test_a_bookmarked_export_address_starts_the_export_once_and_leads_to_the_exports_page(
    client, world, sent, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    url = reverse("campaigns:export", args=[sent.pk])

    first = client.get(url)
    again = client.get(url, follow=True)

    assert first.url == again.redirect_chain[0][0] == reverse("spreadsheets:exports")
    assert ExportJob.objects.filter(campaign=sent).count() == 1
    assert "One of your exports is still being written" in again.content.decode()


def test_a_draft_has_no_export(client, world):
    draft = CampaignFactory(community=world.community)
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    response = client.post(reverse("campaigns:export", args=[draft.pk]))

    assert response.status_code == 404
    with pytest.raises(ServiceError, match="A draft has nothing to export"):
        campaign_exports.campaign_export_create(actor=world.users[Role.COMMITTEE_STAFF], campaign=draft)
    assert not ExportJob.objects.exists()


def test_a_campaign_export_the_account_may_no_longer_see_fails_and_writes_nothing(world, sent, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    leader = world.users[Role.BUILDING_LEADER]
    sent.refresh_from_db()
    job = campaign_exports.campaign_export_create(actor=leader, campaign=sent)

    RoleAssignment.objects.filter(user=leader).delete()
    export_jobs.export_job_run(job.pk, write=campaign_exports.campaign_job_write)

    job.refresh_from_db()
    assert (job.status, job.file.name) == (ExportJob.Status.FAILED, "")
    assert job.message == "This campaign is not in your areas."
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_a_campaign_export_is_deleted_after_the_keeping_time_as_every_export_is(world, sent, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    sent.refresh_from_db()
    job = campaign_exports.campaign_export_create(actor=world.users[Role.COMMITTEE_STAFF], campaign=sent)
    export_jobs.export_job_run(job.pk, write=campaign_exports.campaign_job_write)
    path = ExportJob.objects.get().file.path
    long_ago = timezone.now() - datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS + 1)
    ExportJob.objects.filter(pk=job.pk).update(finished_at=long_ago)

    assert export_jobs.export_jobs_tidy() == 1

    job.refresh_from_db()
    assert (job.status, job.file.name) == (ExportJob.Status.EXPIRED, "")
    assert not os.path.exists(path)


def test_the_campaign_export_job_issues_as_many_queries_for_60_recipients_as_for_6(
    world, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    staff = world.users[Role.COMMITTEE_STAFF]
    small, large = CampaignFactory(community=world.community), CampaignFactory(community=world.community)
    for start in range(3):
        away_residents(world.building, 2, start)
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_send(actor=staff, campaign=small)
    for start in range(3, 30):
        away_residents(world.other_building, 2, start)
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_send(actor=staff, campaign=large)
    small.refresh_from_db()
    large.refresh_from_db()

    def queries(campaign):
        job = campaign_exports.campaign_export_create(actor=staff, campaign=campaign)
        with CaptureQueriesContext(connection) as captured:
            export_jobs.export_job_run(job.pk, write=campaign_exports.campaign_job_write)
        assert ExportJob.objects.get(pk=job.pk).rows_written == campaign.recipients.count()
        return len(captured)

    assert (small.recipients.count(), large.recipients.count()) == (6, 60)
    assert queries(large) == queries(small)


def test_an_account_outside_the_campaign_s_community_cannot_open_its_export(client, world, sent):
    outsider = UserFactory()
    sent.refresh_from_db()
    client.force_login(outsider)

    response = client.get(reverse("campaigns:export", args=[sent.pk]))

    assert response.status_code == 404
    with pytest.raises(ServiceError, match="This campaign is not in your areas."):
        campaign_exports.campaign_export_create(actor=outsider, campaign=sent)
    assert not ExportJob.objects.exists()
