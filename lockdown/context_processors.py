import functools

from django.template.backends.utils import csrf_input
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from households.models import Role
from households.scoping import EDITORS, scope_of
from volunteers.welfare_selectors import alert_count, staff_scope

LAYOUTS = ("staff", "mobile")


def layout(request):
    """Leaders and volunteers get the phone layout, staff the desk one; ?layout= switches it."""
    requested = request.GET.get("layout")
    if requested in LAYOUTS:
        request.session["layout"] = requested
    chosen = request.session.get("layout") if hasattr(request, "session") else None
    user = getattr(request, "user", None)
    scope = scope_of(request) if user and user.is_authenticated else None
    if chosen not in LAYOUTS:
        chosen = "mobile" if scope and scope.prefers_mobile else "staff"
    return {
        "layout_template": f"layouts/{chosen}.html",
        "is_mobile_layout": chosen == "mobile",
        "sees_id_conflicts": bool(scope and scope.sees_id_conflicts),  # the street admin's menu
        "decides_on_volunteers": bool(scope and set(scope.roles) & EDITORS),  # committee staff, street admins
        "volunteers_menu": bool(scope and scope.roles == [Role.VOLUNTEER]),  # today, tomorrow's sign-up
        # Nobody finds a resident by a number they may not read (AreaScope.reading): a volunteer's
        # search box offers names and rooms only.
        "search_placeholder": _("Name, initials, 12-501, last 4 digits")
        if not scope or scope.reads("phone")
        else _("Name, initials, 12-501"),
    }


def csrf_once(request):
    """`csrf_input` masked once a page, as Django's own engine does it: Jinja2's backend masks the
    token anew at every form, and a phone's list of 30 tasks with a form or two each spent a fifth
    of its time there. Still lazy: a page with no form sets no CSRF cookie."""
    return {"csrf_input": SimpleLazyObject(lambda: csrf_input(request))}


def welfare_alerts(request):
    """`welfare_alerts()`: how many welfare checks in the account's staff areas need something or had
    no answer and are not handled yet, for the banner on staff's pages. Counted (one query) when a
    page asks, once; zero with no query for an account that is nobody's staff, which has no link
    to the checks either (`sees_welfare_checks`)."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated) or staff_scope(scope_of(request)).is_empty:
        return {"welfare_alerts": lambda: 0, "sees_welfare_checks": False}
    return {"welfare_alerts": functools.cache(lambda: alert_count(scope_of(request))), "sees_welfare_checks": True}
