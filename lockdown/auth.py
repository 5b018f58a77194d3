from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from lockdown.core.identity import normalise_mobile


class UsernameOrMobileBackend(ModelBackend):
    """Log in with the username or the mobile number, and the password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        User = get_user_model()
        try:
            user = User.objects.get(mobile=normalise_mobile(username))
        except (ValueError, User.DoesNotExist):
            try:
                user = User.objects.get(username=username)
            except User.DoesNotExist:
                User().set_password(password)  # same cost as a real check: no timing oracle
                return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
