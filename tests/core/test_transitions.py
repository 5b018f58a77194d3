"""transition(): one conditional UPDATE decides; the winner's event is written, the losers are told
who won and when. Tried on recipients' outcomes, the first table to use it."""

import threading

import pytest
from django.db import transaction
from django.utils import timezone, translation

from households.models import Recipient, RecipientOutcomeEvent, Role
from lockdown.core.errors import ServiceError
from lockdown.core.transitions import TransitionLost, latest_event, transition
from tests.concurrency import Writer, at_once, wait_until_blocked
from tests.households.factories import CampaignFactory, user_with_role

Outcome = Recipient.Outcome


@pytest.fixture
def recipient(world):
    campaign = CampaignFactory(community=world.community)
    return Recipient.objects.create(campaign=campaign, resident=world.resident, building=world.building)


def record(recipient, to_state, by, from_states="", **options):
    return transition(
        Recipient.objects,
        recipient.pk,
        field="outcome",
        from_states=from_states,
        to_state=to_state,
        by=by,
        event=RecipientOutcomeEvent,
        **options,
    )


def when(event):
    return timezone.localtime(event.at).strftime("%m-%d %H:%M:%S")


@pytest.mark.django_db
def test_the_winner_moves_the_row_sets_its_other_columns_and_records_the_event(world, recipient):
    leader = world.users[Role.BUILDING_LEADER]
    at = timezone.now()

    event = record(recipient, Outcome.REPLIED, leader, why="回电话了", at=at, also={"outcome_by": leader})

    recipient.refresh_from_db()
    assert (recipient.outcome, recipient.outcome_by) == (Outcome.REPLIED, leader)
    stored = RecipientOutcomeEvent.objects.get()
    assert stored == event
    assert (stored.recipient_id, stored.from_state, stored.to_state) == (recipient.pk, "", Outcome.REPLIED)
    assert (stored.actor, stored.at, stored.why) == (leader, at, "回电话了")


@pytest.mark.django_db
def test_the_loser_is_told_who_won_what_and_when_and_nothing_of_theirs_is_written(world, recipient):
    leader, staff = world.users[Role.BUILDING_LEADER], world.users[Role.COMMITTEE_STAFF]
    won = record(recipient, Outcome.RETURNED, leader)

    with pytest.raises(TransitionLost) as lost:
        record(recipient, Outcome.UNREACHABLE, staff, also={"outcome_by": staff})

    assert isinstance(lost.value, ServiceError)
    assert lost.value.message == (
        f"leader recorded “Returned” at {when(won)}, before you: nothing of yours was saved. Look again."
    )
    assert (lost.value.event, lost.value.state) == (won, Outcome.RETURNED)
    recipient.refresh_from_db()
    assert (recipient.outcome, recipient.outcome_by) == (Outcome.RETURNED, None)
    assert list(RecipientOutcomeEvent.objects.all()) == [won]


@pytest.mark.django_db
def test_from_one_of_several_states_the_event_says_which(world, recipient):
    leader = world.users[Role.BUILDING_LEADER]
    record(recipient, Outcome.CONFIRMED, leader)

    event = record(recipient, Outcome.RETURNED, leader, from_states=[Outcome.REPLIED, Outcome.CONFIRMED])

    assert (event.from_state, event.to_state) == (Outcome.CONFIRMED, Outcome.RETURNED)
    assert latest_event(RecipientOutcomeEvent, recipient.pk) == event


@pytest.mark.django_db
def test_a_row_changed_without_a_transition_names_nobody(world, recipient):
    Recipient.objects.filter(pk=recipient.pk).update(outcome=Outcome.WILL_NOT_RETURN)

    with pytest.raises(TransitionLost, match="Someone else changed this to “Will not return” first") as lost:
        record(recipient, Outcome.RETURNED, world.users[Role.BUILDING_LEADER])

    assert (lost.value.event, lost.value.state) == (None, Outcome.WILL_NOT_RETURN)
    assert not RecipientOutcomeEvent.objects.exists()


@pytest.mark.django_db
def test_a_row_gone_or_outside_the_queryset_is_no_longer_there(world, recipient):
    elsewhere = Recipient.objects.exclude(pk=recipient.pk)

    with pytest.raises(TransitionLost, match="This is no longer there"):
        transition(
            elsewhere,
            recipient.pk,
            field="outcome",
            from_states="",
            to_state=Outcome.RETURNED,
            by=None,
            event=RecipientOutcomeEvent,
        )

    assert Recipient.objects.get(pk=recipient.pk).outcome == ""
    assert not RecipientOutcomeEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_of_many_callers_at_once_on_postgresql_exactly_one_wins_and_the_others_are_told_who(on_postgres, world):
    campaign = CampaignFactory(community=world.community)
    recipient = Recipient.objects.create(campaign=campaign, resident=world.resident, building=world.building)
    leaders = [user_with_role(Role.BUILDING_LEADER, world.building, username=f"leader{n}") for n in range(6)]
    choices = list(Outcome)

    writers = at_once(
        *(lambda n=n: record(recipient, choices[n % len(choices)], leaders[n]) for n in range(len(leaders)))
    )

    winners = [w for w in writers if w.error is None]
    losers = [w for w in writers if w.error is not None]
    assert len(winners) == 1
    assert all(isinstance(w.error, TransitionLost) for w in losers), [repr(w.error) for w in losers]
    won = winners[0].result
    assert list(RecipientOutcomeEvent.objects.values_list("pk", flat=True)) == [won.pk]
    expected = f"{won.actor} recorded “{Outcome(won.to_state).label}” at {when(won)}, before you"
    assert all(w.error.message.startswith(expected) for w in losers)
    assert Recipient.objects.get(pk=recipient.pk).outcome == won.to_state


@pytest.mark.django_db(transaction=True)
def test_a_caller_waiting_for_the_winner_s_transaction_loses_once_it_commits(on_postgres, world):
    campaign = CampaignFactory(community=world.community)
    recipient = Recipient.objects.create(campaign=campaign, resident=world.resident, building=world.building)
    leader, staff = world.users[Role.BUILDING_LEADER], world.users[Role.COMMITTEE_STAFF]
    holding, release = threading.Event(), threading.Event()

    def first():
        with transaction.atomic():
            event = record(recipient, Outcome.RETURNED, leader)
            holding.set()
            release.wait(10)  # the transaction stays open: its row lock with it
        return event

    winner = Writer(first)
    winner.start()
    assert holding.wait(10)
    second = Writer(lambda: record(recipient, Outcome.UNREACHABLE, staff))
    second.start()
    blocked = wait_until_blocked(second)
    release.set()
    winner.join(10)
    second.join(10)

    assert blocked, "the second UPDATE did not wait for the first transaction"
    assert winner.error is None
    assert isinstance(second.error, TransitionLost)
    assert second.error.message.startswith(f"leader recorded “Returned” at {when(winner.result)}")
    assert list(RecipientOutcomeEvent.objects.values_list("actor__username", "to_state")) == [("leader", "returned")]


@pytest.mark.django_db
def test_the_loser_reads_who_won_in_chinese_in_the_chinese_interface(world, recipient):
    won = record(recipient, Outcome.RETURNED, world.users[Role.BUILDING_LEADER])

    with translation.override("zh-hans"), pytest.raises(TransitionLost) as lost:
        record(recipient, Outcome.UNREACHABLE, world.users[Role.COMMITTEE_STAFF])

    assert lost.value.message == f"leader 已于 {when(won)} 先记为“已返回”：您的记录没有保存。请看一下再操作。"
