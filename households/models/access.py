"""Who holds which role over which area."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .areas import Building, Community, Street, Zone


class Role(models.TextChoices):
    STREET_ADMIN = "street_admin", _("Street admin")
    COMMITTEE_STAFF = "committee_staff", _("Committee staff")
    ZONE_LEADER = "zone_leader", _("Zone leader")
    BUILDING_LEADER = "building_leader", _("Building leader")
    VOLUNTEER = "volunteer", _("Volunteer")


class RoleAssignment(models.Model):
    """One role over one area; an account may hold several."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=20, choices=Role.choices)
    street = models.ForeignKey(Street, models.CASCADE, null=True, blank=True, related_name="+")
    community = models.ForeignKey(Community, models.CASCADE, null=True, blank=True, related_name="+")
    zone = models.ForeignKey(Zone, models.CASCADE, null=True, blank=True, related_name="+")
    building = models.ForeignKey(Building, models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role="street_admin", street__isnull=False, community=None, zone=None, building=None)
                    | Q(role="committee_staff", community__isnull=False, street=None, zone=None, building=None)
                    | Q(role="zone_leader", zone__isnull=False, street=None, community=None, building=None)
                    | Q(
                        role__in=["building_leader", "volunteer"],
                        building__isnull=False,
                        street=None,
                        community=None,
                        zone=None,
                    )
                ),
                name="role_assignment_matches_area",
            )
        ]

    def __str__(self):
        return f"{self.user} {self.get_role_display()}"
