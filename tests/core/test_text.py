import sys
import unicodedata

import pytest

from lockdown.core.text import clean_cell, clean_code, clean_line, clean_paragraphs

INVISIBLE = {
    "zero-width space": "\u200b",
    "zero-width non-joiner": "\u200c",
    "zero-width joiner": "\u200d",
    "word joiner": "\u2060",
    "byte-order mark": "\ufeff",
    "soft hyphen": "\u00ad",
    "left-to-right mark": "\u200e",
    "right-to-left mark": "\u200f",
    "right-to-left override": "\u202e",
    "left-to-right embedding": "\u202a",
    "pop directional formatting": "\u202c",
    "right-to-left isolate": "\u2067",
    "pop directional isolate": "\u2069",
    "Arabic letter mark": "\u061c",
    "Hangul filler": "\u3164",
    "combining grapheme joiner": "\u034f",
    "NUL": "\x00",
    "escape": "\x1b",
    "delete": "\x7f",
    "C1 control": "\x9b",
    "lone surrogate": "\ud800",
    "tag character": "\U000e0041",
}


@pytest.mark.parametrize("clean", [clean_line, clean_paragraphs, clean_code])
@pytest.mark.parametrize("name", INVISIBLE)
def test_an_invisible_character_is_removed(clean, name):
    assert clean(f"1{INVISIBLE[name]}01") == "101"


@pytest.mark.parametrize("clean", [clean_line, clean_paragraphs])
def test_every_format_control_and_surrogate_character_of_this_python_s_unicode_is_removed(clean):
    invisible = "".join(
        chr(code)
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in ("Cc", "Cf", "Cs") and chr(code) not in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x85"
    )

    assert clean(f"张{invisible}三") == "张三"


def test_a_name_of_invisible_characters_only_is_empty():
    assert clean_line("\u200b\u200b\u202e\ufeff ") == ""


def test_a_right_to_left_override_no_longer_reorders_a_name():
    assert clean_line("张三\u202eabc") == "张三abc"


def test_spaces_of_every_kind_are_plain_spaces_and_the_ends_trimmed():
    assert clean_line("\u3000张\u00a0三\t李\u2003四 ") == "张 三 李 四"


def test_a_line_takes_line_breaks_as_spaces_and_paragraphs_keep_them():
    assert clean_line("一\r\n二\u2028三") == "一 二 三"
    assert clean_paragraphs("一\r\n二\r三\u2028四\n") == "一\n二\n三\n四"


def test_text_is_put_in_nfc_so_that_one_letter_typed_two_ways_is_one():
    assert clean_line("Rene\u0301e") == "Renée"


def test_a_name_keeps_its_full_width_and_compatibility_forms_and_a_code_folds_them():
    assert clean_line("Ｌｉ①") == "Ｌｉ①"
    assert clean_code("１０１") == "101"
    assert clean_code("①\u200b") == "1"


def test_private_use_characters_of_rare_names_stay():
    assert clean_line("王\ue000") == "王\ue000"


def test_a_cell_loses_the_apostrophe_the_csv_export_put_before_a_formula_and_keeps_others():
    assert clean_cell("'=1+1") == "=1+1"
    assert clean_cell("'-2+3") == "-2+3"
    assert clean_cell("'310101") == "'310101"
    assert clean_cell(3.0) == 3.0
