"""Reads of the welfare checks: staff's banner and their page of the day, a volunteer's page of one
check. Each a fixed number of queries, scoped."""

import datetime

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.utils import timezone

from households.models import Role, RoleAssignment, compound_shown
from households.scoping import AreaScope

from .models import WelfareCheck
from .welfare import ALERTS, Outcome

EVENING = datetime.time(18)  # checks not done by now are listed for staff as such
ALERT = Q(outcome__in=ALERTS)
UNHANDLED = ALERT & Q(handled_at__isnull=True)


def covered():
    """Whether a volunteer covers the check's building: in one nobody covers, the check is offered to
    nobody, and staff must send someone."""
    return Exists(RoleAssignment.objects.filter(role=Role.VOLUNTEER, building_id=OuterRef("building_id")))


class Section:
    """The parts of staff's page of the day, in their order."""

    ALERTS, NOT_DONE, DONE = 0, 1, 2


def staff_scope(scope: AreaScope) -> AreaScope:
    """The areas where the account is staff (committee staff, street admin): the ones it is alerted for."""
    return AreaScope(street_ids=scope.street_ids, community_ids=scope.community_ids, is_global=scope.is_global)


def alert_count(scope: AreaScope) -> int:
    """How many checks, of any day, needed something or had no answer and are not handled yet, in
    the areas where the account is staff. One query; none for an account that is nobody's staff."""
    staff = staff_scope(scope)
    if staff.is_empty:
        return 0
    return staff.filter(WelfareCheck.objects.filter(UNHANDLED)).count()


def checks_of_day(scope: AreaScope, *, date: datetime.date):
    """The checks of `date`, and alerts of earlier days not handled yet, for staff's page: alerts
    first (not handled first, no answer before needs something), then the checks not done, then the
    ones done; each in room order. A queryset to paginate, each row with its `section` and whether a
    volunteer `covered` its building."""
    checks = scope.filter(WelfareCheck.objects.filter(Q(date=date) | UNHANDLED))
    section = Case(
        When(ALERT, then=Value(Section.ALERTS)),
        When(outcome="", then=Value(Section.NOT_DONE)),
        default=Value(Section.DONE),
        output_field=IntegerField(),
    )
    no_answer_first = Case(
        When(outcome=Outcome.NO_ANSWER, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        checks.annotate(
            section=section, alert_order=no_answer_first, compound_shown=compound_shown(), covered=covered()
        )
        .select_related("resident__household", "building__community", "checked_by", "handled_by", "task__claimed_by")
        .order_by(
            "section",
            F("handled_at").asc(nulls_first=True),
            "alert_order",
            "date",
            "building__sort_key",
            "building__number",
            "resident__household__unit",
            "resident__household__room",
            "id",
        )
    )


def day_counts(scope: AreaScope, *, date: datetime.date) -> dict:
    """The numbers at the top of staff's page: alerts not handled (any day), and the day's checks
    by how they went, with those not done in buildings nobody covers. One query."""
    checks = scope.filter(WelfareCheck.objects.filter(Q(date=date) | UNHANDLED))
    of_day = Q(date=date)
    return checks.aggregate(
        alerts=Count("pk", filter=UNHANDLED),
        total=Count("pk", filter=of_day),
        not_done=Count("pk", filter=of_day & Q(outcome="")),
        uncovered=Count("pk", filter=of_day & Q(outcome="") & ~covered()),
        no_answer=Count("pk", filter=of_day & Q(outcome=Outcome.NO_ANSWER)),
        needs=Count("pk", filter=of_day & Q(outcome=Outcome.NEEDS)),
        well=Count("pk", filter=of_day & Q(outcome=Outcome.WELL)),
    )


def is_evening(date: datetime.date, now: datetime.datetime) -> bool:
    """Whether the checks of `date` still not done are late: the day is past, or it is 18:00 now."""
    local = timezone.localtime(now)
    return date < local.date() or (date == local.date() and local.time() >= EVENING)


def check_for_phone(scope: AreaScope, pk):
    """One check as its phone page shows it: the resident, their room and tags, the task and who has it
    (None outside the account's buildings)."""
    checks = scope.filter(WelfareCheck.objects.filter(pk=pk))
    checks = checks.select_related("resident__household", "building__community", "task__claimed_by", "checked_by")
    return checks.annotate(compound_shown=compound_shown()).prefetch_related("resident__tags").first()
