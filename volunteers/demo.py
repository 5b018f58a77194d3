"""The demo community's volunteers, as a committee would have them on the second day: registered by
the compound's link, most approved (their accounts covering buildings), some still waiting; six
groups of work with their leaders; a building pair; today's welfare checks and tomorrow's roster.
Everything goes through the services a committee's staff use."""

import datetime
import random

from django.utils import timezone

from households.models import Building, Community, Household, Presence, Role, RoleAssignment
from lockdown.core.errors import ServiceError

from . import approval, attendance, coverage, groups, registration, rosters, signups, welfare
from .choices import DayPart, Skill, Source
from .models import Group, Roster, Signup

GROUPS = [  # name, youngest, oldest, skills needed
    ("核酸检测", None, 60, []),
    ("物资配送", None, 50, []),
    ("医疗应急", None, None, [Skill.MEDICAL]),
    ("消杀", None, 55, [Skill.SUIT_TRAINED]),
    ("信息统计", None, None, [Skill.COMPUTER]),
    ("楼道值守", None, None, []),
]
OUTSIDERS = [  # party members reporting to the community, cadres sent down: name, age, source, office, skills
    ("周建国", 46, Source.PARTY_MEMBER, "区卫健委党支部", [Skill.MEDICAL, Skill.SUIT_TRAINED]),
    ("吴晓燕", 38, Source.PARTY_MEMBER, "新华路小学党支部", [Skill.COMPUTER]),
    ("郑海波", 41, Source.CADRE, "区税务局", [Skill.DRIVER]),
    ("冯丽", 29, Source.CADRE, "区图书馆", [Skill.COMPUTER]),
    ("陈志强", 52, Source.CADRE, "区建管委", [Skill.DRIVER, Skill.SUIT_TRAINED]),
    ("蒋文", 33, Source.PARTY_MEMBER, "街道社区服务中心党支部", [Skill.SUIT_TRAINED]),
]
# A day as the committees ran it: rubbish first, the morning parcels, the test round, the afternoon
# parcels, the stairwells all day. Group, shift, from, until, places.
SHIFTS = [
    ("消杀", "垃圾清运与消杀", datetime.time(6, 30), datetime.time(8, 30), 3),
    ("物资配送", "上午物资配送", datetime.time(7), datetime.time(11), 6),
    ("核酸检测", "核酸检测秩序维护", datetime.time(8), datetime.time(11, 30), 6),
    ("物资配送", "下午物资配送", datetime.time(14), datetime.time(18), 6),
    ("楼道值守", "楼道值守", datetime.time(8), datetime.time(20), 4),
    ("医疗应急", "医疗应急待命", datetime.time(8), datetime.time(20), 1),
]
RESIDENT_VOLUNTEERS = 28
WAITING = 5  # the last registered wait for approval
DEMO_VOLUNTEER_MOBILE = "13800000004"  # the demo's `volunteer` account


def load_volunteers(community: Community, staff) -> int:
    """The demo's volunteers, groups, pairs and checks; returns how many volunteers registered."""
    if Group.objects.filter(community=community).exists():
        return 0
    rng = random.Random(2022)
    compound = community.compounds.order_by("name").first()
    place = registration.join_settings(compound)
    buildings = list(Building.objects.filter(compound=compound).order_by("sort_key"))
    volunteers = [_register(place, n, entry) for n, entry in enumerate(_residents(buildings, rng) + _outsiders(rng))]
    approved = [
        approval.volunteer_approve(actor=staff, volunteer=volunteer, buildings=_to_cover(n, volunteer, buildings))
        for n, volunteer in enumerate(volunteers[:-WAITING])
    ]
    _groups(community, approved)
    _pair(buildings[0], approved)
    _shifts(community, compound, approved, rng)
    welfare.welfare_checks_offer(date=timezone.localdate(), communities=Community.objects.filter(pk=community.pk))
    return len(volunteers)


def _to_cover(n, volunteer, buildings):
    """A resident covers their own building (and the demo's `volunteer` the second building too, as
    the README says); one from outside, a building in turn."""
    if n == 0:
        return [buildings[1], volunteer.building]
    return [] if volunteer.building_id else [buildings[n % len(buildings)]]


def _residents(buildings, rng):
    """Residents of the register at home, 18 to 65, who volunteer from their own room; the demo's
    `volunteer` account is the first of them."""
    today = timezone.localdate()
    entries = []
    households = Household.objects.filter(building__in=buildings).prefetch_related("residents").order_by("pk")
    for household in households:
        for resident in household.residents.all():
            age = resident.birth_date and today.year - resident.birth_date.year
            if resident.presence == Presence.HOME and age and 18 <= age <= 65 and rng.random() < 0.1:
                skills = rng.sample([Skill.SUIT_TRAINED, Skill.DRIVER, Skill.COMPUTER], k=rng.randint(0, 2))
                entries.append((resident.name, age, Source.RESIDENT, "", skills, household))
                break
        if len(entries) == RESIDENT_VOLUNTEERS:
            break
    return entries


def _outsiders(rng):
    return [(name, age, source, office, skills, None) for name, age, source, office, skills in OUTSIDERS]


def _register(place, n, entry):
    name, age, source, office, skills, household = entry
    mobile = DEMO_VOLUNTEER_MOBILE if n == 0 else f"1390000{n:04d}"
    room = "-".join(part for part in (household.unit, household.room) if part) if household else ""
    typed = registration.Registration(
        name=name,
        mobile=mobile,
        age=age,
        source=source,
        organisation=office,
        skills=tuple(skills),
        availability=(DayPart.MORNING, DayPart.AFTERNOON),
        building=household.building if household else None,
        room=room,
    )
    volunteer, _new = registration.volunteer_register(place=place, registration=typed, address=f"10.0.{n // 200}.{n}")
    return volunteer


def _groups(community, volunteers):
    """Each group takes the volunteers who fit it, up to eight; the first of them leads it."""
    for name, youngest, oldest, skills in GROUPS:
        group = groups.group_save(community=community, name=name, min_age=youngest, max_age=oldest, skills=skills)
        members = [v for v in volunteers if not groups.fits(group, v)][:8]
        if members:
            groups.members_add(group, members)
            groups.member_lead(group, members[0], True)


def _pair(building, volunteers):
    """The first building's leader with the youngest volunteer who covers it (老带新)."""
    leader = RoleAssignment.objects.filter(role=Role.BUILDING_LEADER, building=building).first()
    covering = [v for v in volunteers if building.pk in coverage.covered_building_ids(v)]
    if leader and covering:
        groups.pair_make(building=building, leader=leader.user, volunteer=min(covering, key=lambda v: v.age))


def _shifts(community, compound, volunteers, rng):
    """The compound's shift templates; today's roster, signed up last evening, published, and the
    morning's check-in begun; tomorrow's roster filling up this evening."""
    by_name = {group.name: group for group in Group.objects.filter(community=community)}
    for group, name, starts, ends, places in SHIFTS:
        rosters.template_save(
            group=by_name[group],
            compound=compound,
            name=name,
            starts=starts,
            ends=ends,
            places=places,
            meeting_point="居委会门口",
        )
    today = timezone.localdate()
    for day, share in ((today, 1.0), (today + datetime.timedelta(days=1), 0.6)):
        roster, _new = rosters.roster_stamp(compound=compound, date=day)
        evening = timezone.make_aware(datetime.datetime.combine(day - datetime.timedelta(days=1), datetime.time(18)))
        _sign_up(roster, volunteers, share, evening, rng)
    today_roster = rosters.roster_publish(roster=Roster.objects.get(compound=compound, date=today), by=None)
    morning = timezone.make_aware(datetime.datetime.combine(today, datetime.time(7)))
    for signup in Signup.objects.filter(shift__roster=today_roster, state=Signup.State.HOLDING)[:6]:
        for mark in ("present", "trained", "suit"):
            attendance.attendance_mark(signup=signup, mark=mark, now=morning)


def _sign_up(roster, volunteers, share, evening, rng):
    """Volunteers sign up as the evening's 接龙 goes: each for up to two shifts their groups run."""
    shifts = list(roster.shifts.select_related("group"))
    for volunteer in rng.sample(volunteers, int(len(volunteers) * share)):
        mine = {m.group_id for m in volunteer.memberships.all()}
        taken = 0
        for shift in rng.sample(shifts, len(shifts)):
            if taken < 2 and shift.group_id in mine and not signups.limits_refusal(volunteer, shift):
                try:
                    signups.signup_create(volunteer=volunteer, shift=shift, now=evening)
                except ServiceError:  # an overlap: the volunteer tries another
                    continue
                taken += 1
