"""Logging in on a phone without a password: a six-digit code sent by SMS to the account's mobile
number, typed back within ten minutes.

- The code is kept in the cache as a keyed hash, never as it was sent; it is used once, and five
  wrong tries end it.
- One code per number a minute and CODES_PER_DAY a day, and CODE_REQUESTS_PER_ADDRESS_HOUR from
  one address, whether or not the number has an account: the answer is the same either way, so the
  page tells nobody which numbers belong to volunteers. Only an active account of the phone's
  roles gets a code: a volunteer or a building leader, holding no role beyond those. Staff and
  admins, who can see and change far more, log in with their password (and its lockout).
- The code is checked by LoginCodeBackend through django.contrib.auth.authenticate, after
  django-axes' backend: a wrong code is a failed login that axes counts and locks out like a wrong
  password, under the account's name and the address.
"""

import hmac
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from households.models import Role, RoleAssignment
from lockdown.core import sms, throttle
from lockdown.core.errors import ServiceError
from lockdown.core.identity import normalise_mobile

PHONE_ROLES = (Role.VOLUNTEER, Role.BUILDING_LEADER)
CODE_SECONDS = 10 * 60
RESEND_SECONDS = 60
CODES_PER_DAY = 10  # the providers' own cap on verification codes to one number is about this
CODE_REQUESTS_PER_ADDRESS_HOUR = 30
WRONG_TRIES = 5


def code_send(*, mobile: str, address) -> None:
    """Send a login code to `mobile` (11 digits) if it is an active account's of the phone's roles; refused,
    with a message that says when to try again, when asked too often (for any number alike), or
    when the gateway could not send it."""
    if not throttle.take("login-code-address", str(address), limit=CODE_REQUESTS_PER_ADDRESS_HOUR, seconds=3600):
        raise ServiceError(_("Too many codes were asked for from this network. Wait an hour, then try again."))
    if not throttle.once_per("login-code-wait", mobile, seconds=RESEND_SECONDS):
        raise ServiceError(_("A code was sent to this number less than a minute ago: wait a minute, then ask again."))
    today = timezone.localdate().isoformat()
    if not throttle.take("login-code-day", f"{mobile}:{today}", limit=CODES_PER_DAY, seconds=24 * 3600):
        raise ServiceError(_("This number has been sent as many codes as it may be today. Try again tomorrow."))
    account = _account(mobile)
    if account is None:
        return
    code = f"{secrets.randbelow(10**6):06d}"
    cache.set(_key(mobile), {"hash": _hash(mobile, code), "account": account.pk}, timeout=CODE_SECONDS)
    cache.set(_tries_key(mobile), 0, timeout=CODE_SECONDS)
    reference = f"login-{account.pk}-{secrets.token_hex(4)}"
    message = sms.Outgoing(reference, mobile, {"code": code})
    try:
        results = sms.get_backend().send(sms.site_template("login_code"), [message], request_ref=reference)
        sent = bool(results) and results[0].outcome == sms.Outcome.ACCEPTED
    except sms.GatewayError:
        sent = False
    if not sent:
        cache.delete_many([_key(mobile), _tries_key(mobile)])
        throttle.forget("login-code-wait", mobile)  # nothing went out: asking again at once is fine
        raise ServiceError(
            _("The text message could not be sent just now. Try again in a few minutes, or call the committee.")
        )


def code_check(*, mobile: str, code: str):
    """The account whose code for `mobile` is `code`, using the code up; None for a wrong, used,
    expired or ended code (the fifth wrong try ends it)."""
    kept = cache.get(_key(mobile))
    if kept is None:
        return None
    if not hmac.compare_digest(kept["hash"], _hash(mobile, code)):
        try:
            tries = cache.incr(_tries_key(mobile))
        except ValueError:  # the code's time ran out meanwhile
            tries = WRONG_TRIES
        if tries >= WRONG_TRIES:
            cache.delete(_key(mobile))
        return None
    if not cache.delete(_key(mobile)):  # another request used it a moment ago
        return None
    cache.delete(_tries_key(mobile))
    account = _account(mobile)
    return account if account is not None and account.pk == kept["account"] else None


class LoginCodeBackend(ModelBackend):
    """authenticate(request, username=<mobile number in any spelling>, login_code=<the code>)."""

    def authenticate(self, request, username=None, login_code=None, **kwargs):
        if not username or not login_code:
            return None
        try:
            mobile = normalise_mobile(username)
        except ValueError:
            return None
        account = code_check(mobile=mobile, code=login_code)
        return account if account is not None and self.user_can_authenticate(account) else None


def _account(mobile):
    """The active account of `mobile` that holds a role, all of them PHONE_ROLES; else None."""
    account = get_user_model().objects.filter(mobile=mobile, is_active=True).first()
    if account is None:
        return None
    roles = set(RoleAssignment.objects.filter(user=account).values_list("role", flat=True))
    return account if roles and roles <= set(PHONE_ROLES) else None


def _hash(mobile, code):
    return salted_hmac("volunteers.phone_login", f"{mobile}:{code}", algorithm="sha256").hexdigest()


def _key(mobile):
    return f"login-code:{mobile}"


def _tries_key(mobile):
    return f"login-code-tries:{mobile}"
