"""Logging in on a phone with a code by SMS: the number first, then the code."""

from django.contrib.auth import authenticate, login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lockdown.core.addresses import client_address
from lockdown.core.errors import ServiceError, show_on_form
from lockdown.core.identity import mask_phone

from .. import phone_login
from ..forms.registration import CodeForm, PhoneForm

SESSION_KEY = "login_code_mobile"  # the number the code was asked for, between the two pages


def phone_login_start(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        mobile = form.cleaned_data["mobile"]
        try:
            phone_login.code_send(mobile=mobile, address=client_address(request))
        except ServiceError as error:
            show_on_form(form, error)
        else:
            request.session[SESSION_KEY] = mobile
            return redirect("volunteers:phone_login_code")
    # Back on this page with a code already asked for (and too soon to ask again): a way forward.
    context = {"form": form, "asked": SESSION_KEY in request.session}
    return render(request, "volunteers/phone_login.html", context)


def phone_login_code(request):
    if request.user.is_authenticated:
        return redirect("home")
    mobile = request.session.get(SESSION_KEY)
    if not mobile:
        return redirect("volunteers:phone_login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Through authenticate, after django-axes' backend: a wrong code counts as a failed login.
        account = authenticate(request, username=mobile, login_code=form.cleaned_data["code"])
        if account is not None:
            login(request, account)
            request.session.pop(SESSION_KEY, None)
            return redirect("home")
        form.add_error("code", _("This code is wrong, used or expired. Type it again, or ask for a new code."))
    return render(request, "volunteers/phone_login_code.html", {"form": form, "mobile": mask_phone(mobile)})
