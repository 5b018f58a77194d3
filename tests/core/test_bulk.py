"""insert_rows: many rows in one COPY on PostgreSQL (bulk_create elsewhere), all of them or none."""

import datetime

import pytest
from django.db import DataError, transaction
from django.utils import timezone

from households.campaigns.services import BLANK_MESSAGE_COLUMNS
from households.models import Message
from lockdown.core.bulk import insert_rows
from tests.households.factories import CampaignFactory

COLUMNS = ["campaign_id", "batch", "phone", "params", "state", "attempts", "created_at", *BLANK_MESSAGE_COLUMNS]


def rows(campaign, phones, params=None):
    now, blank = timezone.now(), [""] * len(BLANK_MESSAGE_COLUMNS)
    return [
        (campaign.pk, 0, phone, params or {"name": f"居民{i}"}, "queued", 0, now, *blank)
        for i, phone in enumerate(phones)
    ]


@pytest.mark.django_db
def test_rows_land_in_order_with_the_ids_returned_across_several_reads(monkeypatch):
    monkeypatch.setattr("lockdown.core.bulk.ROWS_PER_READ", 2)
    campaign = CampaignFactory()
    phones = [f"1380000000{i}" for i in range(5)]

    ids = insert_rows(Message, COLUMNS, rows(campaign, phones))

    written = Message.objects.in_bulk(ids)
    assert [written[pk].phone for pk in ids] == phones
    assert [written[pk].params for pk in ids] == [{"name": f"居民{i}"} for i in range(5)]


@pytest.mark.django_db
def test_rows_whose_ids_nobody_reads_take_the_tables_own():
    campaign = CampaignFactory()

    assert insert_rows(Message, COLUMNS, rows(campaign, ["13800000001", "13800000002"]), ids=False) == []

    assert sorted(Message.objects.values_list("phone", flat=True)) == ["13800000001", "13800000002"]


@pytest.mark.django_db
def test_a_bad_row_late_in_the_copy_writes_nothing_and_leaves_the_transaction_usable(on_postgres, monkeypatch):
    monkeypatch.setattr("lockdown.core.bulk.ROWS_PER_READ", 2)
    campaign = CampaignFactory()
    phones = [f"1380000000{i}" for i in range(5)] + ["138000000001234"]  # too long for its column

    with transaction.atomic():
        with pytest.raises(DataError):
            insert_rows(Message, COLUMNS, rows(campaign, phones))
        assert not Message.objects.exists()


@pytest.mark.django_db
def test_a_value_that_cannot_be_written_raises_its_own_error_and_writes_nothing():
    campaign = CampaignFactory()

    with pytest.raises(TypeError, match="not JSON serializable"):
        insert_rows(Message, COLUMNS, rows(campaign, ["13800000001"], params={"on": datetime.date(2022, 4, 1)}))

    assert not Message.objects.exists()
