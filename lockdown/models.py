from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """An account; its areas come from its role assignments (households.RoleAssignment)."""

    mobile = models.CharField(_("mobile number"), max_length=11, unique=True, null=True, blank=True)
    display_name = models.CharField(_("display name"), max_length=50, blank=True)

    def __str__(self):
        return self.display_name or self.username
