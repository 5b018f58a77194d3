"""Simultaneous writes on the embedded SQLite database, run in a process of its own by
test_versions.py: `DATABASE_URL=sqlite:///FILE python -m tests.households.sqlite_writers`.

Builds a small register in FILE, then has two threads (two connections) write at the same moment,
round after round: both edit one resident, both mark another's presence, both press "send"
on one campaign, and both record an outcome for its recipient. Prints one JSON object: the errors
met, what each send was told, and what the outcomes were told and kept."""

import json
import os
import threading

ROUNDS = 20


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lockdown.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import translation

    call_command("migrate", verbosity=0)
    translation.activate("en")  # each thread reads what it is told in English, as the tests do
    errors, told, outcomes = run()
    print(json.dumps({"errors": errors, "sends": told, "outcomes": outcomes}, ensure_ascii=False))


def run():
    from django.db import connection
    from django.utils import translation

    from households import services
    from households.campaigns import services as campaigns
    from households.models import Presence, Recipient, RecipientOutcomeEvent, Role
    from households.services import ResidentInput
    from lockdown.core.errors import ServiceError
    from tests.households.factories import (
        CampaignFactory,
        HouseholdFactory,
        ResidentFactory,
        ZoneFactory,
        user_with_role,
    )

    zone = ZoneFactory()
    household = HouseholdFactory(building__zone=zone)
    resident, neighbour = ResidentFactory(household=household), ResidentFactory(household=household)
    ResidentFactory(household=household, presence=Presence.AWAY)
    staff = user_with_role(Role.COMMITTEE_STAFF, zone.compound.community)
    errors, told = [], []
    barrier = threading.Barrier(2)

    def at_once(write):
        def writer(n):
            translation.activate("en")
            try:
                barrier.wait()
                write(n)
            except ServiceError as error:
                told.append(error.message)
            except Exception as error:  # noqa: BLE001 - what a page would answer with a 500
                errors.append(f"{type(error).__name__}: {error}")
            finally:
                connection.close()

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def edit(n):
        data = ResidentInput(name=f"{resident.name}{n}", id_number=resident.id_number, notes=f"writer {n}")
        services.resident_update(actor=staff, resident=resident, data=data)

    def mark(n):
        presence = [Presence.AWAY, Presence.HOME][n]
        services.resident_set_presence(actor=staff, resident=neighbour, presence=presence)

    for _round in range(ROUNDS):
        at_once(edit)
        at_once(mark)
    told.clear()
    campaign = CampaignFactory(community=zone.compound.community, created_by=staff)
    at_once(lambda n: campaigns.campaign_send(actor=staff, campaign=campaign))
    sent = campaign.__class__.objects.get(pk=campaign.pk).sent_at is not None
    sends = {"told": list(told), "sent": sent}
    told.clear()
    pk = Recipient.objects.filter(campaign=campaign).order_by("pk").first().pk
    choices = [Recipient.Outcome.RETURNED, Recipient.Outcome.UNREACHABLE]
    at_once(
        lambda n: campaigns.recipient_record_outcome(
            actor=staff, recipient=Recipient.objects.get(pk=pk), outcome=choices[n], seen=""
        )
    )
    kept = list(RecipientOutcomeEvent.objects.filter(recipient_id=pk).values_list("to_state", flat=True))
    return errors, sends, {"told": told, "kept": kept, "outcome": Recipient.objects.get(pk=pk).outcome}


if __name__ == "__main__":
    main()
