import datetime

import pytest

from lockdown.core.identity import (
    id_check_char,
    mask_id_number,
    mask_numbers_in,
    mask_phone,
    normalise_mobile,
    parse_mainland_id,
    to_halfwidth,
)

# The GB 11643-1999 example number: region 110105, born 1949-12-31, check char X.
STANDARD_EXAMPLE = "11010519491231002X"


def test_check_char_of_the_standard_example_is_x():
    assert id_check_char(STANDARD_EXAMPLE[:17]) == "X"


def test_valid_id_gives_birth_date_and_sex():
    info = parse_mainland_id(STANDARD_EXAMPLE.lower())

    assert info.number == STANDARD_EXAMPLE
    assert info.birth_date == datetime.date(1949, 12, 31)
    assert info.sex == "F"  # the 17th digit, 2, is even


def test_fullwidth_digits_and_spaces_are_accepted():
    assert parse_mainland_id("１１０１０５ １９４９１２３１００２Ｘ").number == STANDARD_EXAMPLE


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("11010519491231002", "length"),
        ("1101051949123100211", "length"),
        ("11010519491231A02X", "characters"),
        ("110105194913310023", "birth_date"),
        ("110105194912310021", "checksum"),
    ],
)
def test_invalid_ids_say_why(raw, reason):
    with pytest.raises(ValueError, match=reason):
        parse_mainland_id(raw)


def test_birth_after_today_is_rejected():
    first17 = "11010520300101001"
    with pytest.raises(ValueError, match="birth_date"):
        parse_mainland_id(first17 + id_check_char(first17), today=datetime.date(2026, 1, 1))


@pytest.mark.parametrize("raw", ["13812345678", "+86 138 1234 5678", "86-138-1234-5678", "１３８１２３４５６７８"])
def test_mobile_numbers_are_normalised(raw):
    assert normalise_mobile(raw) == "13812345678"


@pytest.mark.parametrize("raw", ["021-62800000", "1381234567", "23812345678", "12812345678", "138123456789"])
def test_numbers_that_are_not_mobile_are_rejected(raw):
    with pytest.raises(ValueError, match="mobile"):
        normalise_mobile(raw)


def test_masks_keep_only_the_ends():
    assert mask_id_number("310105196005171234") == "3101**********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("顺丰 13812345678 放门口", "顺丰 138****5678 放门口"),
        ("张三138-1234-5678", "张三138****5678"),
        ("电话 138 1234 5678", "电话 138****5678"),
        ("１３８１２３４５６７８", "138****5678"),
        ("身份证310105196005171234", "身份证3101**********1234"),
        ("单号 SF1234567890123 共2件", "单号 SF1234567890123 共2件"),  # a waybill is no phone
        ("订单 2022041012345678", "订单 2022041012345678"),  # 16 digits: neither
    ],
)
def test_numbers_inside_text_are_masked_and_nothing_else(text, masked):
    assert mask_numbers_in(text) == masked


def test_halfwidth_converts_ideographic_space():
    assert to_halfwidth("１２号楼\u3000５０１") == "12号楼 501"
