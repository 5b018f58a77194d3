from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _


class LoginForm(auth_forms.AuthenticationForm):
    error_messages = {
        "invalid_login": _("The username, mobile number or password is wrong. Passwords are case-sensitive."),
        "inactive": _("This account is disabled. Ask the committee to enable it."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username or mobile number")
        self.fields["username"].widget.attrs.update(autocomplete="username", autocapitalize="none")


def weak_password_message(error):
    """What a password validator of AUTH_PASSWORD_VALIDATORS refused, in the product's words (and in
    its catalogue: Django 5.2's own Chinese lacks the 'too short' one); another validator's as it is."""
    params = error.params or {}
    if error.code == "password_too_short":
        return ngettext(
            "The new password is too short: use at least %(min_length)d character.",
            "The new password is too short: use at least %(min_length)d characters.",
            params["min_length"],
        ) % {"min_length": params["min_length"]}
    if error.code == "password_too_common":
        return gettext("The new password is one of the commonest, which are guessed first: choose another.")
    if error.code == "password_entirely_numeric":
        return gettext("The new password is only digits: add letters or signs.")
    if error.code == "password_too_similar":
        return gettext("The new password is too like your %(what)s.") % {"what": params["verbose_name"]}
    return error


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """The current password, then the new one twice; the validators of AUTH_PASSWORD_VALIDATORS
    refuse a new password too weak."""

    error_messages = {
        "password_incorrect": _("The current password is wrong. Type it again; passwords are case-sensitive."),
        "password_mismatch": _("The two new passwords are not the same. Type the same new password twice."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Current password")
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password2"].label = _("New password again")
        # The validators' rules as one line of text, not Django's HTML list.
        self.fields["new_password1"].help_text = " ".join(password_validation.password_validators_help_texts())
        self.fields["new_password2"].help_text = ""

    def validate_password_for_user(self, user, password_field_name="new_password2"):
        password = self.cleaned_data.get(password_field_name)
        if not password:
            return
        try:
            password_validation.validate_password(password, user)
        except ValidationError as refused:
            self.add_error(password_field_name, [weak_password_message(error) for error in refused.error_list])
