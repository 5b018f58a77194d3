"""Recipients' outcomes: of two recorded at once one wins and the other is told who recorded what
and when; none is overwritten unseen; every one is kept and shown on the campaign page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from households.campaigns import services as campaigns
from households.models import Change, Presence, Recipient, RecipientOutcomeEvent, Role
from lockdown.core import sms
from lockdown.core.transitions import TransitionLost
from tests.concurrency import at_once
from tests.households.factories import CampaignFactory, user_with_role

from .test_pages import away_residents, count_queries, outcome_form_of

Outcome = Recipient.Outcome


@pytest.fixture(autouse=True)
def memory_sms(settings):
    settings.SMS_BACKEND = "memory"
    sms.MemoryBackend.reset()
    yield sms.MemoryBackend
    sms.MemoryBackend.reset()


@pytest.fixture
def sent(world):
    """A campaign sent to two away residents of the first building."""
    away_residents(world.building, 2)
    campaign = CampaignFactory(community=world.community, created_by=world.users[Role.COMMITTEE_STAFF])
    campaigns.campaign_send(actor=world.users[Role.COMMITTEE_STAFF], campaign=campaign)
    return campaign


@pytest.fixture
def colleague(world):
    return user_with_role(Role.BUILDING_LEADER, world.building, username="colleague")


def when(at):
    return timezone.localtime(at).strftime("%m-%d %H:%M:%S")


@pytest.mark.django_db
def test_an_outcome_chosen_on_a_page_read_before_a_colleague_s_is_refused_naming_who_what_and_when(
    world, sent, colleague
):
    recipient = Recipient.objects.filter(campaign=sent).first()
    leader = world.users[Role.BUILDING_LEADER]
    campaigns.recipient_record_outcome(
        actor=colleague, recipient=Recipient.objects.get(pk=recipient.pk), outcome=Outcome.RETURNED
    )

    with pytest.raises(TransitionLost) as lost:
        campaigns.recipient_record_outcome(actor=leader, recipient=recipient, outcome=Outcome.UNREACHABLE, seen="")

    recorded = Recipient.objects.get(pk=recipient.pk)
    assert lost.value.message == (
        f"colleague recorded “Returned” at {when(recorded.outcome_at)}, before you: nothing of yours was saved. "
        "Look again."
    )
    assert (recorded.outcome, recorded.outcome_by) == (Outcome.RETURNED, colleague)
    assert list(RecipientOutcomeEvent.objects.values_list("actor", "to_state")) == [(colleague.pk, "returned")]
    recipient.resident.refresh_from_db()
    assert recipient.resident.presence == Presence.HOME  # the colleague's, not undone


@pytest.mark.django_db
def test_every_outcome_is_kept_with_who_when_from_and_to_and_the_note(world, sent):
    recipient = Recipient.objects.filter(campaign=sent).first()
    leader, staff = world.users[Role.BUILDING_LEADER], world.users[Role.COMMITTEE_STAFF]
    back = timezone.now() + datetime.timedelta(days=1)

    campaigns.recipient_record_outcome(actor=leader, recipient=recipient, outcome=Outcome.REPLIED, note="回了短信")
    campaigns.recipient_record_outcome(actor=staff, recipient=recipient, outcome=Outcome.CONFIRMED, expected_at=back)
    campaigns.recipient_record_outcome(actor=leader, recipient=recipient, outcome=Outcome.RETURNED, seen="confirmed")

    events = RecipientOutcomeEvent.objects.filter(recipient=recipient)
    assert list(events.values_list("from_state", "to_state", "actor", "why", "expected_at")) == [
        ("", "replied", leader.pk, "回了短信", None),
        ("replied", "confirmed", staff.pk, "", back),
        ("confirmed", "returned", leader.pk, "", None),
    ]
    recipient.refresh_from_db()
    last = events.last()
    assert (recipient.outcome, recipient.outcome_by, recipient.outcome_at) == ("returned", leader, last.at)


@pytest.mark.django_db(transaction=True)
def test_two_leaders_recording_at_once_on_postgresql_one_wins_and_the_other_is_told(on_postgres, world, colleague):
    away_residents(world.building, 1)
    campaign = CampaignFactory(community=world.community, created_by=world.users[Role.COMMITTEE_STAFF])
    campaigns.campaign_send(actor=world.users[Role.COMMITTEE_STAFF], campaign=campaign)
    pk = Recipient.objects.get(campaign=campaign).pk
    leader = world.users[Role.BUILDING_LEADER]

    def recording(actor, outcome):
        # Each as its request would: the recipient read fresh, the outcome seen on the page
        return lambda: campaigns.recipient_record_outcome(
            actor=actor, recipient=Recipient.objects.get(pk=pk), outcome=outcome, seen=""
        )

    writers = at_once(recording(leader, Outcome.RETURNED), recording(colleague, Outcome.WILL_NOT_RETURN))

    winner = next(w for w in writers if w.error is None)
    loser = next(w for w in writers if w.error is not None)
    assert isinstance(loser.error, TransitionLost), repr(loser.error)
    recorded = Recipient.objects.get(pk=pk)
    assert recorded.outcome == winner.result.outcome
    assert recorded.outcome_by == winner.result.outcome_by
    label = Outcome(recorded.outcome).label
    assert loser.error.message.startswith(f"{recorded.outcome_by} recorded “{label}” at {when(recorded.outcome_at)}")
    assert RecipientOutcomeEvent.objects.filter(recipient_id=pk).count() == 1
    moves = Change.objects.filter(resident=recorded.resident, action=Change.Action.PRESENCE)
    assert moves.count() == (1 if recorded.outcome == Outcome.RETURNED else 0)


@pytest.mark.django_db
def test_a_page_read_before_a_colleague_recorded_is_told_who_did_and_changes_nothing(client, world, sent, colleague):
    recipient = Recipient.objects.filter(campaign=sent).first()
    client.force_login(world.users[Role.BUILDING_LEADER])
    page = client.get(reverse("campaigns:calls", args=[sent.pk]))
    form = outcome_form_of(page, recipient.pk)
    campaigns.recipient_record_outcome(actor=colleague, recipient=recipient, outcome=Outcome.UNREACHABLE)

    response = client.post(form["action"], form["fields"] | {"outcome": "returned"}, follow=True)

    assert form["fields"]["seen"] == ""
    html = response.content.decode()
    assert f"{recipient.resident.name}: colleague recorded “Unreachable” at" in html
    recipient.refresh_from_db()
    assert (recipient.outcome, recipient.outcome_by) == (Outcome.UNREACHABLE, colleague)
    assert RecipientOutcomeEvent.objects.count() == 1


@pytest.mark.django_db
def test_the_campaign_page_shows_each_listed_recipient_s_history_of_outcomes(client, world, sent, colleague):
    first, second = Recipient.objects.filter(campaign=sent).order_by("id")
    staff = world.users[Role.COMMITTEE_STAFF]
    campaigns.recipient_record_outcome(actor=colleague, recipient=first, outcome=Outcome.UNREACHABLE, note="关机")
    campaigns.recipient_record_outcome(actor=staff, recipient=first, outcome=Outcome.REPLIED)
    client.force_login(staff)

    html = client.get(reverse("campaigns:detail", args=[sent.pk])).content.decode()

    events = list(RecipientOutcomeEvent.objects.order_by("id"))
    row = html[html.index(f'id="recipient-{first.pk}"') : html.index(f'id="recipient-{second.pk}"')]
    assert "History (2)" in row
    assert f"{timezone.localtime(events[0].at):%m-%d %H:%M} colleague" in row
    assert "colleague：— → Unreachable（关机）" in row
    assert "staff：Unreachable → Replied" in row
    assert "History" not in html[html.index(f'id="recipient-{second.pk}"') :]


@pytest.mark.django_db
def test_the_pages_issue_as_many_queries_with_a_long_history_as_with_none(client, world, sent, colleague):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    urls = [reverse(f"campaigns:{name}", args=[sent.pk]) for name in ["detail", "calls"]]
    before = [count_queries(client, url) for url in urls]
    for recipient in Recipient.objects.filter(campaign=sent):
        for outcome in [Outcome.UNREACHABLE, Outcome.REPLIED, Outcome.CONFIRMED]:
            expected_at = timezone.now() + datetime.timedelta(days=1)
            campaigns.recipient_record_outcome(
                actor=colleague, recipient=recipient, outcome=outcome, expected_at=expected_at
            )

    after = [count_queries(client, url) for url in urls]

    assert RecipientOutcomeEvent.objects.count() == 6
    assert after == before


@pytest.mark.django_db
def test_a_volunteer_sees_the_outcome_but_not_its_history_of_notes(client, world, sent, colleague):
    recipient = Recipient.objects.filter(campaign=sent).first()
    campaigns.recipient_record_outcome(actor=colleague, recipient=recipient, outcome=Outcome.UNREACHABLE, note="住院")
    url = reverse("campaigns:detail", args=[sent.pk])

    pages = {}
    for role in (Role.VOLUNTEER, Role.BUILDING_LEADER):
        client.force_login(world.users[role])
        pages[role] = client.get(url, {"show": "all"}).content.decode()

    assert "Unreachable" in pages[Role.VOLUNTEER]
    assert "住院" not in pages[Role.VOLUNTEER]
    assert "outcome-history" not in pages[Role.VOLUNTEER]
    assert "colleague：— → Unreachable（住院）" in pages[Role.BUILDING_LEADER]
