"""The project's one error type for a refused write, and how a page shows it.

A service raises ServiceError; a page shows it on the form that was posted (show_on_form) or, when
it answers with a redirect instead of the form, as a message on the next page (show_as_message);
the API's exception handler (lockdown.api) turns it into a 400 or a 403.
"""

from django.contrib import messages
from django.utils.translation import pgettext


class ServiceError(Exception):
    """A write refused for a reason a person can read; views show it, never a 500.

    `field` names the form field the message belongs to, when there is one.
    """

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotPermitted(ServiceError):
    """A write the actor's role or areas do not allow: the API answers 403, as the pages do."""


def show_on_form(form, error):
    """The error on the form: beside its field when the form has that field, else above the form."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


def show_as_message(request, error):
    """The error as a message on the page the view redirects to."""
    messages.error(request, error.message)


def errors_text(form):
    """A form's errors as one sentence, for a page that answers with a message instead of the form."""
    return " ".join(error for errors in form.errors.values() for error in errors)


def about(subject, text) -> str:
    """A message or a value that belongs to one thing: "12-3-501: …", "12-3-501：…" in Chinese,
    whose colon is full-width and takes no space."""
    return pgettext("one thing and what is said of it", "%(subject)s: %(text)s") % {"subject": subject, "text": text}
