from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from lockdown.core.identity import normalise_mobile


def account_named(login):
    """The account a login names, or None: the mobile number in any spelling (`139 0000 0013`,
    `+86139…`) first, then the username as typed."""
    User = get_user_model()
    try:
        return User.objects.get(mobile=normalise_mobile(login))
    except (ValueError, User.DoesNotExist):
        return User.objects.filter(username=login).first()


def lockout_name(request, credentials=None):
    """What django-axes counts failed logins under (AXES_USERNAME_CALLABLE): the account's username,
    so that every spelling of its username or mobile number shares one counter; a name that is no
    account counts under its normalised spelling. Success (axes passes the account's username)
    resets the same counter."""
    login = (credentials or {}).get("username")
    if login is None:
        login = getattr(request, "data", request.POST).get("username")
    if not login:
        return login
    account = account_named(login)
    if account is not None:
        return account.get_username()
    try:
        return normalise_mobile(login)
    except ValueError:
        return login.strip()


class UsernameOrMobileBackend(ModelBackend):
    """Log in with the username or the mobile number, and the password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        user = account_named(username)
        if user is None:
            get_user_model()().set_password(password)  # same cost as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
