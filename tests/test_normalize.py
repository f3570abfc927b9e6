"""reconciler.matching.normalize: spec section 5 with the messy cells HR sheets really hold."""

from __future__ import annotations

import pytest

from reconciler.model import Cell
from reconciler.matching.normalize import (
    TalentKey,
    mainland_id_check_digit,
    mask,
    normalise_email,
    normalise_id_number,
    normalise_mobile,
    parse_identification_type,
)
from reconciler.sheets.read import cell_text


def text(value) -> Cell:
    return Cell(value, value)


def number(value) -> Cell:
    """A number cell as the reader renders it."""
    return Cell(value, cell_text(value), "General")


# ---------------------------------------------------------------- mobile


@pytest.mark.parametrize(
    "cell",
    [
        number(13800138000),
        number(13800138000.0),
        number(1.3800138e10),
        Cell(13800138000.0, "13800138000.0"),  # raw float text: still its digits
        text("13800138000"),
        text(" 138 0013 8000 "),
        text("138-0013-8000"),
        text("138.0013.8000"),
        text("+86 138 0013 8000"),
        text("+8613800138000"),
        text("0086 13800138000"),
        text("(+86) 138-0013-8000"),
        text("86 13800138000"),
        text("8613800138000"),
        text("１３８００１３８０００"),  # full-width digits
        text("＋８６ １３８００１３８０００"),  # full-width plus and ideographic space
        text("13800138000.0"),  # a number pasted as text (CSV)
        text("1.3800138E+10"),
    ],
)
def test_mainland_mobiles(cell):
    result = normalise_mobile(cell)
    assert result.key == TalentKey("mobile", "86", "13800138000")
    assert (result.error, result.present, result.valid) == (None, True, True)
    assert result.display == cell.text


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (text("+852 6123 4567"), TalentKey("mobile", "852", "61234567")),
        (text("00852-61234567"), TalentKey("mobile", "852", "61234567")),
        (text("+1 (202) 555-0123"), TalentKey("mobile", "1", "2025550123")),
        (text("+44 (0)20 7946 0958"), TalentKey("mobile", "44", "2079460958")),  # trunk 0 dropped
        (text("+39 06 1234 5678"), TalentKey("mobile", "39", "0612345678")),  # Italy keeps its 0
    ],
)
def test_international_mobiles(cell, expected):
    assert normalise_mobile(cell).key == expected


@pytest.mark.parametrize(
    ("code", "digits"),
    [
        (text("852"), "61234567"),
        (text("+852"), "61234567"),
        (text("00852"), "61234567"),
        (number(852), "61234567"),
        (number(852.0), "61234567"),
        (Cell(852.0, "852.0"), "61234567"),
        (text("852.0"), "61234567"),
        (text("＋８５２"), "61234567"),
        (text("中国香港 +852"), "61234567"),
        (text("852"), "852 6123 4567"),  # the code typed again in front
    ],
)
def test_code_column(code, digits):
    result = normalise_mobile(text(digits), code_cell=code)
    assert result.key == TalentKey("mobile", "852", "61234567")


def test_blank_code_column_falls_back_to_default_code():
    assert normalise_mobile(text("61234567"), code_cell=text(" "), default_code="+852").key == TalentKey(
        "mobile", "852", "61234567"
    )
    assert normalise_mobile(text("13800138000"), code_cell=Cell(None, "")).key.group == "86"


def test_code_in_the_cell_wins_over_the_code_column():
    result = normalise_mobile(text("+852 6123 4567"), code_cell=text("86"))
    assert result.key == TalentKey("mobile", "852", "61234567")
    assert normalise_mobile(text("+86 13800138000"), code_cell=text("852")).key.group == "86"


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (text("1380013800"), "mobile 1380013800 in column 手机号 is not a valid mainland mobile (needs 11 digits starting with 13-19)"),
        (text("138001380001"), "mobile 138001380001 in column 手机号 is not a valid mainland mobile"),
        (text("12800138000"), "mobile 12800138000 in column 手机号 is not a valid mainland mobile"),  # 2nd digit 2
        (text("23800138000"), "mobile 23800138000 in column 手机号 is not a valid mainland mobile"),
        (number(1380013800), "mobile 1380013800 in column 手机号 is not a valid mainland mobile"),
        (text("+852 123"), "mobile +852 123 in column 手机号 is not a possible +852 number (too short)"),
        (text("+1 202 555 01234567"), "mobile +1 202 555 01234567 in column 手机号 is not a possible +1 number (too long)"),
        (text("+999 1234 5678"), "mobile +999 1234 5678 in column 手机号 does not start with a known country calling code"),
        (text("138 0013 8000 转 12"), "holds characters other than digits"),
        (text("13800138000/13900139000"), "is not a valid mainland mobile"),
        (number(13800138000.5), "mobile 13800138000.5 in column 手机号 is a number with a fraction, not a phone number"),
        (text("1.38001380001e10"), "is a number with a fraction"),  # = 13800138000.1, digits lost
    ],
)
def test_invalid_mobiles(cell, message):
    result = normalise_mobile(cell, column="手机号")
    assert result.key is None and result.present and not result.valid
    assert message in str(result.error)
    assert str(result.error).count(".") <= 1 + message.count(".")  # one sentence, no trailing chatter


def test_unknown_codes_in_code_column():
    bad = normalise_mobile(text("61234567"), code_cell=text("HK"), code_column="区号")
    assert str(bad.error) == "country code HK in column 区号 is not a calling code like 86 or +852"
    unknown = normalise_mobile(text("61234567"), code_cell=text("+999"), code_column="区号")
    assert str(unknown.error) == "country code +999 in column 区号 is not a known calling code"
    with pytest.raises(ValueError):
        normalise_mobile(text("61234567"), default_code="999")


@pytest.mark.parametrize("cell", [Cell(None, ""), text("   "), text("\u3000"), text("\u200b")])
def test_blank_mobile(cell):
    result = normalise_mobile(cell)
    assert (result.present, result.key, result.error) == (False, None, None)


# ---------------------------------------------------------------- email


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("Alice.Wang@Example.COM", "alice.wang@example.com"),
        ("  bob@example.cn\u00a0", "bob@example.cn"),
        ("\u3000carol@mail.example.com\u3000", "carol@mail.example.com"),
        ("ＤＡＮ＠ＥＸＡＭＰＬＥ．ＣＯＭ", "dan@example.com"),
    ],
)
def test_valid_emails(raw, value):
    result = normalise_email(text(raw))
    assert result.key == TalentKey("email", "", value)
    assert result.error is None


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("a@@example.com", "must contain exactly one @, not 2"),
        ("a@b@example.com", "must contain exactly one @, not 2"),
        ("alice.example.com", "must contain exactly one @, not 0"),
        ("ali ce@example.com", "contains a space"),
        ("@example.com", "has nothing before the @"),
        ("alice@localhost", "has no valid domain after the @"),
        ("alice@example..com", "has no valid domain after the @"),
        ("alice@.example.com", "has no valid domain after the @"),
        ("alice@example.com.", "has no valid domain after the @"),
    ],
)
def test_invalid_emails(raw, why):
    result = normalise_email(text(raw), column="邮箱")
    assert result.key is None and result.present
    assert str(result.error).startswith(f"email {raw} in column 邮箱 ")
    assert why in str(result.error)


def test_blank_email():
    result = normalise_email(text(" \t"))
    assert (result.present, result.key, result.error) == (False, None, None)


# ---------------------------------------------------------------- ID number

VALID_ID = "11010519491231002X"  # GB 11643's worked example


def test_check_digit():
    assert mainland_id_check_digit(VALID_ID[:17]) == "X"
    # 4*7+4*9+0*10+3*5+0*8+8*4+1*2+9*1+9*6+0*3+0*7+1*9+0*10+1*5+0*8+0*4+1*2 = 192; 192 % 11 = 5 -> "7"
    assert mainland_id_check_digit("44030819900101001") == "7"
    with pytest.raises(ValueError):
        mainland_id_check_digit("1234")


@pytest.mark.parametrize(
    "raw", [VALID_ID, "11010519491231002x", " 110105 19491231 002x ", "１１０１０５１９４９１２３１００２Ｘ"]
)
def test_valid_mainland_ids(raw):
    result = normalise_id_number(text(raw))
    assert result.key == TalentKey("id_number", "1", VALID_ID)
    assert result.error is None


def test_wrong_check_digit_names_it_and_quotes_the_id_as_the_sheet_has_it():
    # the note is for the workbook, beside the cell itself; logs mask it (tests/test_secrets.py)
    result = normalise_id_number(text("110105194912310025"), column="证件号")
    assert str(result.error) == "ID number 110105194912310025 in column 证件号: check digit should be X, not 5"


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("1101051949123100", "needs 18 characters, has 16"),
        ("110105194912310021X", "needs 18 characters, has 19"),
        ("11010519491231002Y", "needs 17 digits and then a digit or X"),
        ("X10105194912310021", "needs 17 digits and then a digit or X"),
    ],
)
def test_invalid_mainland_ids(raw, why):
    result = normalise_id_number(text(raw))
    assert result.key is None and result.present
    assert why in str(result.error)
    assert raw in str(result.error)  # as the sheet has it: the workbook shows it beside the cell


@pytest.mark.parametrize("cell", [number(110105194912310021), number(1.10105194912310021e17), number(123456789012345)])
def test_id_stored_as_a_number_lost_digits(cell):
    result = normalise_id_number(cell, column="证件号")
    assert result.key is None and result.present
    assert str(result.error) == (
        "ID number in column 证件号 was stored as a number, so Excel kept only 15 significant digits; "
        "format the column as Text and re-type the ID"
    )


def test_id_in_scientific_notation_text_lost_digits():
    assert "kept only 15 significant digits" in str(normalise_id_number(text("1.10105E+17")).error)


def test_short_number_cell_is_fine_for_other_types():
    assert normalise_id_number(number(12345678), id_type=5).key == TalentKey("id_number", "5", "12345678")


def test_passports_and_other_types_are_only_trimmed():
    assert normalise_id_number(text(" e 1234 5678 "), id_type=2).key == TalentKey("id_number", "2", "E12345678")
    assert normalise_id_number(text("H0123456"), type_cell=text("港澳居民来往内地通行证")).key == TalentKey(
        "id_number", "6", "H0123456"
    )


def test_id_type_argument_beats_type_column():
    assert normalise_id_number(text("E1234"), id_type=2, type_cell=text("身份证")).key.group == "2"


def test_type_column_blank_means_mainland_id():
    assert normalise_id_number(text(VALID_ID), type_cell=text("")).key.group == "1"
    assert normalise_id_number(text("E12345678"), type_cell=text("")).error  # validated as a mainland ID


def test_unrecognised_type_column_value():
    result = normalise_id_number(text("E12345678"), type_cell=text("驾驶证"), type_column="证件类型")
    assert result.key is None
    assert str(result.error).startswith("identification type 驾驶证 in column 证件类型 is not one of: 1 居民身份证, 2 护照")


def test_blank_id_ignores_the_type():
    result = normalise_id_number(text("  "), type_cell=text("驾驶证"))
    assert (result.present, result.key, result.error) == (False, None, None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        (1, 1),
        (1.0, 1),
        ("1.0", 1),
        (" ２ ", 2),
        ("居民身份证", 1),
        ("身份证", 1),
        ("中国大陆居民身份证", 1),
        ("护照", 2),
        ("Passport", 2),
        ("PASSPORT", 2),
        ("港澳居民居住证", 3),
        ("台湾居民来往大陆通行证", 4),
        ("其他", 5),
        ("港澳居民来往内地通行证", 6),
        ("台湾居民居住证", 9),
        ("9", 9),
        ("7", None),
        ("8", None),
        ("驾驶证", None),
        ("", None),
        (None, None),
        (True, None),
        (1.5, None),
    ],
)
def test_parse_identification_type(value, expected):
    assert parse_identification_type(value) == expected


def test_invalid_id_type_argument():
    with pytest.raises(ValueError):
        normalise_id_number(text(VALID_ID), id_type=7)


# ---------------------------------------------------------------- masking


@pytest.mark.parametrize(
    ("kind", "value", "masked"),
    [
        ("mobile", "13800138000", "138****8000"),
        ("mobile", "61234567", "61****67"),
        ("id_number", "110105194912310021", "1101**********0021"),
        ("id_number", "E12345678", "E1*****78"),
        ("email", "alice@example.com", "a***@example.com"),
        ("email", "no-at-sign", "no******gn"),
        ("mobile", "", ""),
    ],
)
def test_mask(kind, value, masked):
    assert mask(kind, value) == masked
