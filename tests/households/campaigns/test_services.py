"""Recall campaigns: choosing recipients, the outbox, sending exactly once, receipts and outcomes."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from households.campaigns import outbox
from households.campaigns import services as campaigns
from households.campaigns.services import CampaignInput
from households.models import Change, Message, Presence, Recipient, Role, Tag
from lockdown.celery import app
from lockdown.core import sms
from lockdown.core.errors import ServiceError
from tests.fakes.providers import AliyunFake, TencentFake
from tests.households.factories import CampaignFactory, ResidentFactory, ResidentTagFactory, SmsTemplateFactory

State = Message.State
Reason = Recipient.CallReason


@pytest.fixture(autouse=True)
def memory_sms(settings):
    settings.SMS_BACKEND = "memory"
    settings.SMS_RETRY_BASE_SECONDS = 0
    sms.MemoryBackend.reset()
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield sms.MemoryBackend
    app.conf.task_always_eager = eager
    sms.MemoryBackend.reset()


@pytest.fixture
def away(world):
    """Three away residents of the first community (two share a number), one at home, one far away."""
    world.resident.presence = Presence.AWAY
    world.resident.save()
    world.other_resident.presence = Presence.AWAY
    world.other_resident.save()
    sharer = ResidentFactory(
        household=world.household, name="张小三", phone=world.resident.phone, presence=Presence.AWAY
    )
    ResidentFactory(household=world.household, name="在家的", presence=Presence.HOME)
    world.far_resident.presence = Presence.AWAY
    world.far_resident.save()
    return sharer


@pytest.fixture
def campaign(world):
    return CampaignFactory(community=world.community, created_by=world.users[Role.COMMITTEE_STAFF])


def staff(world):
    return world.users[Role.COMMITTEE_STAFF]


def send(world, campaign, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return campaigns.campaign_send(actor=staff(world), campaign=campaign)


def test_plan_sends_one_message_per_number_naming_everyone_who_shares_it(world, away, campaign):
    plan = campaigns.campaign_plan(campaign)

    assert sorted((m.phone, m.params["name"]) for m in plan.messages) == sorted(
        [(world.resident.phone, "张三、张小三"), (world.other_resident.phone, "李四")]
    )
    assert plan.calls == []
    assert plan.residents == 3  # not the one at home, not the far community's


def test_residents_without_a_valid_mobile_are_called_instead(world, away, campaign):
    world.other_resident.phone = ""
    world.other_resident.save()

    plan = campaigns.campaign_plan(campaign)

    assert plan.calls == [(world.other_resident.pk, world.other_building.pk, Reason.NO_MOBILE)]


def test_a_number_at_its_daily_cap_is_called_instead(world, away, campaign, settings):
    settings.SMS_DAILY_CAP_PER_PHONE = 1
    earlier = CampaignFactory(community=world.community)
    Message.objects.create(campaign=earlier, batch=0, phone=world.other_resident.phone, state=State.SENT)

    plan = campaigns.campaign_plan(campaign)

    assert plan.calls == [(world.other_resident.pk, world.other_building.pk, Reason.DAILY_CAP)]
    assert [m.phone for m in plan.messages] == [world.resident.phone]


def test_the_query_narrows_by_building_and_key_population(world, away, campaign):
    ResidentTagFactory(resident=world.other_resident, tag=Tag.CHRONIC)
    campaign.tags = [Tag.CHRONIC]
    assert [m.params["name"] for m in campaigns.campaign_plan(campaign).messages] == ["李四"]

    campaign.tags, campaign.building_ids = [], [world.building.pk]
    assert [m.params["name"] for m in campaigns.campaign_plan(campaign).messages] == ["张三、张小三"]


def test_preview_shows_the_rendered_text_and_its_segments(world, away, campaign, settings):
    settings.SMS_SIGN_NAME = "金杨居委"
    campaign.deadline = datetime.datetime(2030, 11, 23, 18, 0, tzinfo=datetime.UTC)

    preview = campaigns.campaign_preview(campaign)

    assert (preview.residents, preview.messages, preview.calls) == (3, 2, {})
    first = preview.samples[0]
    assert (
        first.text
        == "【金杨居委】张三、张小三您好：金杨新村将于11月24日02:00起封闭管理，请尽快返回并联系居委会021-58001234。"
    )
    assert first.segments == 1
    assert first.phone == world.resident.phone[:3] + "****" + world.resident.phone[-4:]


def test_campaign_create_checks_what_staff_typed(world):
    data = CampaignInput(
        title="召回",
        template=SmsTemplateFactory(),
        deadline=timezone.now() - datetime.timedelta(hours=1),
        contact_phone="021-58001234",
    )

    with pytest.raises(ServiceError) as error:
        campaigns.campaign_create(actor=staff(world), community=world.community, data=data)

    assert error.value.field == "deadline"
    assert not world.community.campaigns.exists()


def test_only_the_community_s_staff_may_create_a_campaign(world):
    data = CampaignInput(
        title="召回",
        template=SmsTemplateFactory(),
        deadline=timezone.now() + datetime.timedelta(days=1),
        contact_phone="12345",
    )

    with pytest.raises(ServiceError):
        campaigns.campaign_create(actor=world.users[Role.BUILDING_LEADER], community=world.community, data=data)

    assert not world.community.campaigns.exists()


def test_sending_writes_the_outbox_and_sends_each_message_once(
    world, away, campaign, memory_sms, django_capture_on_commit_callbacks
):
    send(world, campaign, django_capture_on_commit_callbacks)

    assert sorted(phone for _ref, phone, _text in memory_sms.sent) == sorted(
        [world.resident.phone, world.other_resident.phone]
    )
    assert set(Message.objects.values_list("state", "attempts")) == {(State.SENT, 1)}
    assert Recipient.objects.filter(campaign=campaign, message__state=State.SENT).count() == 3


def test_sending_twice_is_refused_and_sends_nothing_more(
    world, away, campaign, memory_sms, django_capture_on_commit_callbacks
):
    send(world, campaign, django_capture_on_commit_callbacks)

    with pytest.raises(ServiceError):
        send(world, campaign, django_capture_on_commit_callbacks)

    assert len(memory_sms.sent) == 2
    assert Message.objects.count() == 2


def test_a_batch_delivered_twice_is_sent_once(world, away, campaign, memory_sms, django_capture_on_commit_callbacks):
    send(world, campaign, django_capture_on_commit_callbacks)

    assert outbox.batch_send(campaign.pk, 0) is None

    assert len(memory_sms.sent) == 2


def test_an_unreachable_provider_is_retried_and_the_messages_go_when_it_is_back(world, away, campaign, memory_sms):
    campaigns.campaign_send(actor=staff(world), campaign=campaign)  # on_commit never runs: batches wait
    memory_sms.outage = True

    retry_in = outbox.batch_send(campaign.pk, 0)

    assert retry_in is not None
    assert set(Message.objects.values_list("state", "attempts", "error_code")) == {(State.QUEUED, 1, "outage")}
    memory_sms.outage = False
    assert outbox.batch_send(campaign.pk, 0) is None
    assert set(Message.objects.values_list("state", "attempts")) == {(State.SENT, 2)}
    assert len(memory_sms.sent) == 2


def test_after_the_last_attempt_the_residents_are_called(world, away, campaign, memory_sms, settings):
    settings.SMS_MAX_ATTEMPTS = 1
    campaigns.campaign_send(actor=staff(world), campaign=campaign)
    memory_sms.outage = True

    assert outbox.batch_send(campaign.pk, 0) is None

    assert set(Message.objects.values_list("state", flat=True)) == {State.FAILED}
    assert set(Recipient.objects.values_list("call_reason", flat=True)) == {Reason.NOT_SENT}


def test_a_refused_number_fails_at_once_and_its_residents_are_called(world, away, campaign, memory_sms):
    memory_sms.failures = {world.resident.phone: "isv.MOBILE_NUMBER_ILLEGAL"}
    campaigns.campaign_send(actor=staff(world), campaign=campaign)

    outbox.batch_send(campaign.pk, 0)

    refused = Message.objects.get(phone=world.resident.phone)
    assert (refused.state, refused.error_code, refused.attempts) == (State.FAILED, "isv.MOBILE_NUMBER_ILLEGAL", 1)
    called = Recipient.objects.filter(call_reason=Reason.REFUSED).values_list("resident__name", flat=True)
    assert sorted(called) == ["张三", "张小三"]
    assert Message.objects.get(phone=world.other_resident.phone).state == State.SENT


def test_a_message_stuck_in_sending_is_called_when_the_provider_cannot_be_asked(world, away, campaign, memory_sms):
    campaigns.campaign_send(actor=staff(world), campaign=campaign)
    Message.objects.update(state=State.SENDING, request_ref="lost", claimed_at=timezone.now())

    counts = outbox.outbox_reconcile(stuck_after=datetime.timedelta(0))

    assert counts["to_call"] == 2
    assert set(Recipient.objects.values_list("call_reason", flat=True)) == {Reason.UNCONFIRMED}
    assert memory_sms.sent == []


def test_a_message_stuck_in_sending_is_looked_up_and_never_sent_twice(world, away, campaign, settings):
    fake = AliyunFake().start()
    settings.SMS_BACKEND = "aliyun"
    settings.SMS_OPTIONS = {"aliyun": fake.options()}
    campaigns.campaign_send(actor=staff(world), campaign=campaign)
    # A worker claimed the batch and was killed after the provider took one of its two messages.
    Message.objects.update(state=State.SENDING, request_ref="lost-ref", claimed_at=timezone.now())
    backend = sms.get_backend()
    template = campaign.template.for_gateway()
    taken = Message.objects.get(phone=world.resident.phone)
    backend.send(template, [sms.Outgoing(str(taken.pk), taken.phone, taken.params)], request_ref="lost-ref")

    counts = outbox.outbox_reconcile(stuck_after=datetime.timedelta(0))

    fake.stop()
    assert (counts["found"], counts["requeued"]) == (1, 1)
    assert sorted(m.phone for m in fake.sent) == sorted([world.resident.phone, world.other_resident.phone])
    assert set(Message.objects.values_list("state", flat=True)) == {State.SENT}


def test_tencent_not_listing_a_stuck_message_is_no_proof_it_waits_then_is_called(world, away, campaign, settings):
    fake = TencentFake().start()
    settings.SMS_BACKEND = "tencent"
    settings.SMS_OPTIONS = {"tencent": fake.options()}
    campaigns.campaign_send(actor=staff(world), campaign=campaign)
    # Taken by the provider, but no delivery report yet: Tencent's look-up does not list it.
    Message.objects.update(state=State.SENDING, request_ref="lost-ref", claimed_at=timezone.now())

    first = outbox.outbox_reconcile(stuck_after=datetime.timedelta(0))
    waiting = set(Message.objects.values_list("state", flat=True))
    settings.SMS_UNCONFIRMED_AFTER_SECONDS = 0
    last = outbox.outbox_reconcile(stuck_after=datetime.timedelta(0))

    fake.stop()
    assert (first["requeued"], first["to_call"], waiting) == (0, 0, {State.SENDING})
    assert last["to_call"] == 2
    assert set(Recipient.objects.values_list("call_reason", flat=True)) == {Reason.UNCONFIRMED}
    assert fake.sent == []


def test_a_message_the_provider_never_received_and_out_of_tries_is_called(world, away, campaign, settings):
    fake = AliyunFake().start()
    settings.SMS_BACKEND = "aliyun"
    settings.SMS_OPTIONS = {"aliyun": fake.options()}
    settings.SMS_MAX_ATTEMPTS = 2
    campaigns.campaign_send(actor=staff(world), campaign=campaign)
    Message.objects.update(state=State.SENDING, request_ref="lost-ref", claimed_at=timezone.now(), attempts=2)

    counts = outbox.outbox_reconcile(stuck_after=datetime.timedelta(0))

    fake.stop()
    assert (counts["requeued"], counts["to_call"]) == (0, 2)
    assert set(Message.objects.values_list("state", "error_code")) == {(State.FAILED, "not_received")}
    assert set(Recipient.objects.values_list("call_reason", flat=True)) == {Reason.NOT_SENT}
    assert fake.sent == []


def test_a_look_up_that_keeps_failing_ends_on_the_call_list(world, away, campaign, settings):
    fake = AliyunFake().start()
    settings.SMS_BACKEND = "aliyun"
    settings.SMS_OPTIONS = {"aliyun": fake.options()}
    campaigns.campaign_send(actor=staff(world), campaign=campaign)
    Message.objects.update(state=State.SENDING, request_ref="lost-ref", claimed_at=timezone.now())
    fake.stop()  # the provider cannot be reached for the look-up

    first = outbox.outbox_reconcile(stuck_after=datetime.timedelta(0))
    settings.SMS_UNCONFIRMED_AFTER_SECONDS = 0
    last = outbox.outbox_reconcile(stuck_after=datetime.timedelta(0))

    assert (first["to_call"], last["to_call"]) == (0, 2)
    assert set(Message.objects.values_list("state", flat=True)) == {State.FAILED}


@pytest.fixture
def broker_out_of_reach():
    """The real publishing path, to a port where no broker listens."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "task_publish_retry")}
    app.conf.update(broker_url="redis://127.0.0.1:9/0", task_always_eager=False, task_publish_retry=False)
    app._pool = app.amqp._producer_pool = None  # built from the broker's address on first use
    yield
    app.conf.update(saved)
    app._pool = app.amqp._producer_pool = None


def test_a_broker_out_of_reach_at_send_loses_nothing(
    world, away, campaign, memory_sms, broker_out_of_reach, django_capture_on_commit_callbacks
):
    sent = send(world, campaign, django_capture_on_commit_callbacks)  # no error for staff: it is sent

    assert sent.sent_at is not None
    assert set(Message.objects.values_list("state", flat=True)) == {State.QUEUED}
    assert memory_sms.sent == []


def test_queued_batches_nobody_is_sending_are_handed_out_again(world, away, campaign, memory_sms):
    campaigns.campaign_send(actor=staff(world), campaign=campaign)

    counts = outbox.outbox_reconcile(stalled_after=datetime.timedelta(0))

    assert counts["batches"] == 1
    assert len(memory_sms.sent) == 2


def test_receipts_mark_messages_delivered_or_failed_and_failures_are_called(
    world, away, campaign, memory_sms, django_capture_on_commit_callbacks
):
    send(world, campaign, django_capture_on_commit_callbacks)
    first, second = Message.objects.order_by("phone")
    receipts = [
        sms.Receipt(phone=first.phone, delivered=True, provider_id=first.provider_id),
        sms.Receipt(phone=second.phone, delivered=False, provider_id=second.provider_id, error_code="MK:0001"),
        sms.Receipt(phone="13900000000", delivered=True, provider_id="unknown"),
    ]

    assert outbox.receipts_apply(receipts) == 2

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state, second.error_code) == (State.DELIVERED, State.FAILED, "MK:0001")
    assert set(Recipient.objects.filter(message=second).values_list("call_reason", flat=True)) == {Reason.UNDELIVERED}


def test_a_receipt_for_a_message_whose_sender_was_lost_settles_it_without_a_second_send(
    world, away, campaign, memory_sms
):
    campaigns.campaign_send(actor=staff(world), campaign=campaign)
    # The provider took the batch (reference "lost-ref") and the worker died before recording its answer.
    Message.objects.update(state=State.SENDING, request_ref="lost-ref", claimed_at=timezone.now())
    taken = Message.objects.get(phone=world.resident.phone)

    matched = outbox.receipts_apply(
        [sms.Receipt(phone=taken.phone, delivered=True, provider_id="biz-1", request_ref="lost-ref")]
    )
    counts = outbox.outbox_reconcile(stuck_after=datetime.timedelta(0))

    taken.refresh_from_db()
    assert matched == 1
    assert (taken.state, taken.sent_at is not None) == (State.DELIVERED, True)
    assert counts["to_call"] == 1  # the other one: the memory backend cannot be asked
    assert memory_sms.sent == []


def test_marking_returned_sets_the_resident_at_home_with_history(world, away, campaign):
    campaigns.campaign_send(actor=staff(world), campaign=campaign)
    recipient = Recipient.objects.get(resident=world.resident)

    campaigns.recipient_record_outcome(actor=world.users[Role.BUILDING_LEADER], recipient=recipient, outcome="returned")

    world.resident.refresh_from_db()
    assert world.resident.presence == Presence.HOME
    change = Change.objects.get(resident=world.resident, action=Change.Action.PRESENCE)
    assert change.changes == {"presence": [Presence.AWAY, Presence.HOME]}
    recipient.refresh_from_db()
    assert (recipient.outcome, recipient.outcome_by) == ("returned", world.users[Role.BUILDING_LEADER])


def test_a_mistaken_returned_put_right_sets_the_resident_away_again_with_history(world, away, campaign):
    campaigns.campaign_send(actor=staff(world), campaign=campaign)
    recipient = Recipient.objects.get(resident=world.resident)
    leader = world.users[Role.BUILDING_LEADER]
    campaigns.recipient_record_outcome(actor=leader, recipient=recipient, outcome=Recipient.Outcome.RETURNED)

    campaigns.recipient_record_outcome(actor=leader, recipient=recipient, outcome=Recipient.Outcome.UNREACHABLE)

    world.resident.refresh_from_db()
    assert world.resident.presence == Presence.AWAY
    moves = Change.objects.filter(resident=world.resident, action=Change.Action.PRESENCE).order_by("at", "id")
    assert [c.changes["presence"][1] for c in moves] == [Presence.HOME, Presence.AWAY]


def test_a_return_time_long_past_is_refused_with_a_message(world, away, campaign):
    campaigns.campaign_send(actor=staff(world), campaign=campaign)
    recipient = Recipient.objects.get(resident=world.resident)

    with pytest.raises(ServiceError, match="passed") as error:
        campaigns.recipient_record_outcome(
            actor=staff(world),
            recipient=recipient,
            outcome=Recipient.Outcome.CONFIRMED,
            expected_at=timezone.now() - datetime.timedelta(days=1),
        )

    assert error.value.field == "expected_at"
    assert Recipient.objects.get(pk=recipient.pk).outcome == ""


def test_confirmed_returning_needs_a_time(world, away, campaign):
    campaigns.campaign_send(actor=staff(world), campaign=campaign)
    recipient = Recipient.objects.get(resident=world.resident)

    with pytest.raises(ServiceError) as error:
        campaigns.recipient_record_outcome(actor=staff(world), recipient=recipient, outcome="confirmed")

    assert error.value.field == "expected_at"
    recipient.refresh_from_db()
    assert recipient.outcome == ""


def test_a_volunteer_may_not_record_outcomes(world, away, campaign):
    campaigns.campaign_send(actor=staff(world), campaign=campaign)
    recipient = Recipient.objects.get(resident=world.resident)

    with pytest.raises(ServiceError):
        campaigns.recipient_record_outcome(actor=world.users[Role.VOLUNTEER], recipient=recipient, outcome="returned")

    world.resident.refresh_from_db()
    assert world.resident.presence == Presence.AWAY


def test_a_template_must_list_every_parameter_its_text_uses():
    template = SmsTemplateFactory.build(body="${name}您好，${unknown}", params="name")

    with pytest.raises(ValidationError) as error:
        template.full_clean()

    assert "body" in error.value.message_dict


def test_a_template_names_only_parameters_the_campaign_can_fill():
    template = SmsTemplateFactory.build(body="${name}您好", params="name,weather")

    with pytest.raises(ValidationError) as error:
        template.full_clean()

    assert "params" in error.value.message_dict


def test_in_process_an_unreachable_provider_leaves_the_messages_queued_for_later(
    world, away, campaign, memory_sms, django_capture_on_commit_callbacks
):
    memory_sms.outage = True

    send(world, campaign, django_capture_on_commit_callbacks)

    assert set(Message.objects.values_list("state", "attempts")) == {(State.QUEUED, 1)}
    memory_sms.outage = False
    outbox.outbox_reconcile(stalled_after=datetime.timedelta(0))
    assert set(Message.objects.values_list("state", flat=True)) == {State.SENT}


def delete_behind_the_orm(campaign):
    """As a delete racing the send would leave its outbox: no database constraint stops it."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM households_campaign WHERE id = %s", [campaign.pk])


def test_a_batch_whose_campaign_is_gone_fails_and_sends_nothing(world, away, campaign, memory_sms):
    campaigns.campaign_send(actor=staff(world), campaign=campaign)
    delete_behind_the_orm(campaign)

    assert outbox.batch_send(campaign.pk, 0) is None

    assert set(Message.objects.values_list("state", "error_code")) == {(State.FAILED, outbox.CAMPAIGN_GONE)}
    assert memory_sms.sent == []


def test_a_stuck_message_whose_campaign_is_gone_does_not_stop_reconciliation(world, away, campaign, settings):
    fake = AliyunFake().start()
    settings.SMS_BACKEND = "aliyun"
    settings.SMS_OPTIONS = {"aliyun": fake.options()}
    gone = CampaignFactory(community=world.community, created_by=staff(world))
    campaigns.campaign_send(actor=staff(world), campaign=gone)
    Message.objects.update(state=State.SENDING, request_ref="lost", claimed_at=timezone.now())
    delete_behind_the_orm(gone)
    campaigns.campaign_send(actor=staff(world), campaign=campaign)

    counts = outbox.outbox_reconcile(stuck_after=datetime.timedelta(0), stalled_after=datetime.timedelta(0))

    fake.stop()
    assert (counts["to_call"], counts["batches"]) == (2, 1)
    assert set(Message.objects.filter(campaign_id=gone.pk).values_list("state", flat=True)) == {State.FAILED}
    assert set(Message.objects.filter(campaign=campaign).values_list("state", flat=True)) == {State.SENT}
    assert len(fake.sent) == 2
