import pytest
from django.core.management import CommandError, call_command

from lockdown.management.commands import messages


def test_every_interface_string_is_translated_and_compiled():
    call_command("messages", check=True)


def test_a_string_nobody_translated_fails_the_check(tmp_path, monkeypatch):
    (tmp_path / "new.py").write_text('from django.utils.translation import gettext as _\n_("Nobody translated me")\n')
    monkeypatch.setitem(messages.SOURCES, str(tmp_path), "python")

    with pytest.raises(CommandError, match="untranslated: 'Nobody translated me'"):
        call_command("messages", check=True)


def test_a_translation_changed_but_not_compiled_fails_the_check(tmp_path, monkeypatch):
    catalogue = tmp_path / "django"
    po = messages.CATALOGUE.with_suffix(".po").read_text()
    assert 'msgstr "指挥中心"' in po
    catalogue.with_suffix(".po").write_text(po.replace('msgstr "指挥中心"', 'msgstr "指挥部"'))
    catalogue.with_suffix(".mo").write_bytes(messages.CATALOGUE.with_suffix(".mo").read_bytes())
    monkeypatch.setattr(messages, "CATALOGUE", catalogue)

    with pytest.raises(CommandError, match="not compiled"):
        call_command("messages", check=True)
