"""`make demo` has a gate at work: a wave delivered, one being sorted, parcels on hold and new ones."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from supplies.demo import earlier_today
from supplies.models import Distribution, Donation, GroupBuy, Parcel, Share, Wave
from volunteers.models import Notice

pytestmark = pytest.mark.django_db
State = Parcel.State


def test_the_demo_gate_has_parcels_at_each_step(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - output is not under test
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - twice adds nothing

    counts = dict(Parcel.objects.values_list("state").annotate(n=Count("pk")))
    assert counts[State.RETURNED] == 1
    assert counts[State.DELIVERED] + counts[State.ON_SHELF] == 39
    assert counts[State.READY] == 30
    assert counts[State.DISINFECTED] == 12
    assert counts[State.RECEIVED] == 5
    assert list(Wave.objects.order_by("starts_at").values_list("name", "state")) == [
        ("上午", Wave.State.DONE),
        ("下午", Wave.State.PLANNED),
    ]
    assert Notice.objects.filter(kind=Notice.Kind.PARCEL_SHELF).exists()
    buy = GroupBuy.objects.get()
    assert (buy.state, buy.orders.count()) == (GroupBuy.State.APPROVED, 24)
    for document in buy.documents.all():  # whole PDFs a viewer opens: the cross-reference where it says
        pdf = document.file.read()
        assert pdf[int(pdf.split(b"startxref\n")[1].split()[0]) :].startswith(b"xref")
    handout = Distribution.objects.get()
    assert handout.shares.filter(state=Share.State.DELIVERED).exists()
    assert handout.shares.filter(state=Share.State.TO_DELIVER).exists()
    assert Donation.objects.filter(kind=Donation.Kind.MONEY).get().amount == Decimal("30000.00")


def test_the_demo_s_morning_wave_stays_today_when_the_demo_is_loaded_just_after_midnight():
    """CI once loaded the demo at 00:06 and its wave of "three hours ago" was refused as yesterday's."""
    zone = timezone.get_current_timezone()
    just_after_midnight = datetime.datetime(2026, 12, 4, 0, 6, tzinfo=zone)
    assert earlier_today(just_after_midnight, hours=3) == datetime.datetime(2026, 12, 4, tzinfo=zone)
    midday = datetime.datetime(2026, 12, 4, 12, 0, tzinfo=zone)
    assert earlier_today(midday, hours=3) == datetime.datetime(2026, 12, 4, 9, 0, tzinfo=zone)
