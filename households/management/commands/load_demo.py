from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from households.demo import build_street
from households.models import Building, Role, RoleAssignment, Street

DEMO_PASSWORD = "lockdown-demo"


class Command(BaseCommand):
    help = "Load the demo street (one community, ~1,100 households) and one account per role."

    def handle(self, *args, **options):
        if Street.objects.filter(name="新华路街道").exists():
            self.stdout.write("The demo data is already loaded.")
        else:
            with transaction.atomic():
                street = build_street()
                _create_accounts(street)
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


def _create_accounts(street):
    User = get_user_model()
    community = street.communities.first()
    compound = community.compounds.first()
    zone = compound.zones.first()
    first, second = Building.objects.filter(compound=compound).order_by("sort_key")[:2]
    areas = {
        "street": (Role.STREET_ADMIN, {"street": street}),
        "staff": (Role.COMMITTEE_STAFF, {"community": community}),
        "zone": (Role.ZONE_LEADER, {"zone": zone}),
        "leader": (Role.BUILDING_LEADER, {"building": first}),
        "volunteer": (Role.VOLUNTEER, {"building": second}),
    }
    names = {"street": "街道 王主任", "staff": "居委 李书记", "zone": "块长 张师傅", "leader": "楼组长 陈阿姨"}
    for i, (username, (role, area)) in enumerate(areas.items()):
        user = User.objects.create_user(
            username=username,
            password=DEMO_PASSWORD,
            display_name=names.get(username, "志愿者 小刘"),
            mobile=f"1380000000{i}",
        )
        RoleAssignment.objects.create(user=user, role=role, **area)
    zone.leader = User.objects.get(username="zone")
    zone.save(update_fields=["leader"])
