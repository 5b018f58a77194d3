from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from households.demo import DEMO_SHEET
from households.models import Building, Community, ImportJob, Role, RoleAssignment, SmsTemplate, Street, Zone
from households.spreadsheets.imports import import_job_commit, import_job_confirm, import_job_create, import_job_preview
from supplies.demo import load_parcels
from volunteers.demo import load_volunteers

DEMO_PASSWORD = "lockdown-demo"
STREET, COMMUNITY = "新华路街道", "新华路第1居民区"
ZONES_PER_COMPOUND = 3


class Command(BaseCommand):
    help = "Load the demo community by importing its spreadsheet, and create one account per role."

    def handle(self, *args, **options):
        if Street.objects.filter(name=STREET).exists():
            self.stdout.write("The demo data is already loaded.")
        else:
            job = _import_demo()
            self.stdout.write(
                f"Imported {job.file_name}: {job.created} residents; on purpose, {job.rejected} rejected and "
                f"{len(job.findings.get('kept', []))} kept in the notes (see import #{job.pk} on the Import page)."
            )
        _sms_template()
        community = Community.objects.get(street__name=STREET, name=COMMUNITY)
        staff = get_user_model().objects.get(username="staff")
        registered = load_volunteers(community, staff)
        if registered:
            self.stdout.write(f"Registered {registered} volunteers by the first compound's link, most approved.")
        parcels = load_parcels(community, staff)
        if parcels:
            self.stdout.write(f"Recorded {parcels} parcels at the first compound's gate: a morning wave delivered.")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for username, label in ACCOUNTS:
            self.stdout.write(f"  {username:<10} {label}")


ACCOUNTS = [
    ("street", "street admin (街道管理员)"),
    ("staff", "committee staff (居委干部)"),
    ("zone", "zone leader (块长) of the first zone"),
    ("leader", "building leader (楼组长) of building 1, mobile 13800000003"),
    ("volunteer", "volunteer (志愿者) for building 2"),
]
NAMES = {"street": "街道 王主任", "staff": "居委 李书记", "zone": "块长 张师傅", "leader": "楼组长 陈阿姨"}


def _import_demo():
    """The street and community by hand, then the register through the same import an admin uses."""
    street = Street.objects.create(name=STREET)
    community = Community.objects.create(street=street, name=COMMUNITY, phone="021-62800000")
    staff = _account("staff", 1, Role.COMMITTEE_STAFF, community=community)
    with DEMO_SHEET.open("rb") as file:
        job = import_job_create(actor=staff, community=community, compound=None, upload=File(file, DEMO_SHEET.name))
    import_job_preview(job)
    job.refresh_from_db()
    if job.status != ImportJob.Status.PREVIEW:
        raise CommandError(f"the demo spreadsheet did not read: {job.status} {job.problems} {job.message}")
    import_job_confirm(actor=staff, job=job)
    import_job_commit(job)
    job.refresh_from_db()
    with transaction.atomic():
        _zones_and_accounts(street, community)
    return job


def _sms_template():
    """A recall text as a provider would approve it; the demo sends to the console (var/sms)."""
    SmsTemplate.objects.get_or_create(
        code="SMS_DEMO_0001",
        defaults={
            "name": "返回通知（示例）",
            "body": "${name}您好：${compound}将于${deadline}起实行封闭管理，请尽快返回，到家后请联系居委会${phone}。",
            "params": "name,compound,deadline,phone",
        },
    )


def _zones_and_accounts(street, community):
    for compound in community.compounds.all():
        buildings = list(Building.objects.filter(compound=compound).order_by("sort_key"))
        zones = [Zone.objects.create(compound=compound, name=f"第{z + 1}块区") for z in range(ZONES_PER_COMPOUND)]
        for b, building in enumerate(buildings):
            building.zone = zones[b * len(zones) // len(buildings)]
        Building.objects.bulk_update(buildings, ["zone"])
    compound = community.compounds.order_by("name").first()
    zone = compound.zones.order_by("name").first()
    first, second = Building.objects.filter(compound=compound).order_by("sort_key")[:2]
    _account("street", 0, Role.STREET_ADMIN, street=street)
    zone.leader = _account("zone", 2, Role.ZONE_LEADER, zone=zone)
    zone.save(update_fields=["leader"])
    _account("leader", 3, Role.BUILDING_LEADER, building=first)
    _account("volunteer", 4, Role.VOLUNTEER, building=second)


def _account(username, number, role, **area):
    user = get_user_model().objects.create_user(
        username=username,
        password=DEMO_PASSWORD,
        display_name=NAMES.get(username, "志愿者 小刘"),
        mobile=f"1380000000{number}",
    )
    RoleAssignment.objects.create(user=user, role=role, **area)
    return user
