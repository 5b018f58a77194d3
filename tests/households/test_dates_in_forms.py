"""A date is shown in a date input as the browser takes it, in Chinese too: an edit that changes
something else keeps the resident's birth date and due date."""

import datetime
import re
from html.parser import HTMLParser

from django.conf import settings
from django.urls import reverse

from households.models import DocumentType, Resident, Role, Tag

from .factories import ResidentFactory, ResidentTagFactory

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class FormFields(HTMLParser):
    """What a browser would post from the page's form: a date input whose value it cannot read as
    yyyy-mm-dd is sent empty, as Chromium and Firefox do."""

    def __init__(self):
        super().__init__()
        self.data, self.date_values = {}, {}
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "select":
            self.select = name
        elif tag == "option" and self.select and ("selected" in attrs or self.select not in self.data):
            self.data[self.select] = attrs.get("value") or ""
        elif tag == "textarea":
            self.textarea = name
            self.data[name] = ""
        if tag != "input" or not name or attrs.get("type") in ("submit", "button"):
            return
        value = attrs.get("value") or ""
        if attrs.get("type") == "checkbox":
            if "checked" in attrs:
                self.data[name] = value or "on"
            return
        if attrs.get("type") == "date":
            self.date_values[name] = value
            value = value if ISO_DATE.match(value) else ""
        self.data[name] = value

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data.lstrip("\n") if not self.data[self.textarea] else data


def test_an_edit_in_chinese_keeps_a_passport_holders_birth_date_and_a_due_date(client, world):
    resident = ResidentFactory(
        household=world.household,
        name="吴英",
        document_type=DocumentType.PASSPORT,
        id_number="E12345678",
        birth_date=datetime.date(1985, 6, 25),
        sex="F",
    )
    ResidentTagFactory(resident=resident, tag=Tag.PREGNANT, due_date=datetime.date(2027, 3, 1))
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    url = reverse("households:resident_edit", args=[resident.pk])

    page = FormFields()
    page.feed(client.get(url).content.decode())

    assert page.date_values == {"birth_date": "1985-06-25", "pregnant_due_date": "2027-03-01"}
    saved = client.post(url, page.data | {"notes": "腿脚不便"})

    assert saved.status_code == 302
    resident = Resident.objects.get(pk=resident.pk)
    assert (resident.notes, resident.birth_date) == ("腿脚不便", datetime.date(1985, 6, 25))
    assert resident.tags.get(tag=Tag.PREGNANT).due_date == datetime.date(2027, 3, 1)
