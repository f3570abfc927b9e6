"""Normalise and validate the identifiers a row is looked up by (spec section 5).

Each normaliser takes the sheet `Cell` as read (so it can tell a number cell from
a text cell) and returns a `Normalised`: the lookup key when the value is valid,
or one sentence saying which value is wrong and why. A blank cell is neither
valid nor invalid: it is simply not present.

Errors (`Message`s: a key and its parameters) end up in the row's note in the output workbook, which the HR
user owns, so mobiles and emails are shown as typed; ID numbers are masked even
there. Callers mask `display` with `mask()` before logging anything.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers

from reconciler.feishu.keys import EMAIL, ID_NUMBER, MOBILE, TalentKey
from reconciler.messages.render import Message
from reconciler.privacy.masking import mask  # noqa: F401 - re-exported: callers mask via normalize
from reconciler.model import Cell

# IdentificationType (feishu-api.md): value -> the name Feishu shows in Chinese.
IDENTIFICATION_TYPES: dict[int, str] = {
    1: "居民身份证",
    2: "护照",
    3: "港澳居民居住证",
    4: "台湾居民来往大陆通行证",
    5: "其他",
    6: "港澳居民来往内地通行证",
    9: "台湾居民居住证",
}

_TYPE_NAMES: dict[str, int] = {
    **{name: code for code, name in IDENTIFICATION_TYPES.items()},
    "身份证": 1,
    "大陆身份证": 1,
    "中国大陆居民身份证": 1,
    "大陆居民身份证": 1,
    "中华人民共和国居民身份证": 1,
    "二代身份证": 1,
    "居民身份证号": 1,
    "身份证号": 1,
    "idcard": 1,
    "residentidcard": 1,
    "mainlandresidentidcard": 1,
    "mainlandresidentidentitycard": 1,
    "chineseidcard": 1,
    "passport": 2,
    "港澳居住证": 3,
    "hongkongmacauresidencepermit": 3,
    "hongkongandmacaoresidencepermit": 3,
    "台胞证": 4,
    "taiwanresidentmainlandtravelpermit": 4,
    "mtp": 4,
    "其它": 5,
    "other": 5,
    "others": 5,
    "回乡证": 6,
    "港澳回乡证": 6,
    "hongkongmacaumainlandtravelpermit": 6,
    "homereturnpermit": 6,
    "台湾居住证": 9,
    "taiwanresidencepermit": 9,
}

_CHECK_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_DIGITS = "10X98765432"

# Characters people put inside phone numbers; NFKC has already made full-width ones ASCII.
_PHONE_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212().\[\]{}/·・]")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
_SCIENTIFIC = re.compile(r"[0-9]+(?:\.[0-9]+)?[eE][+-]?[0-9]+")
_WHOLE_DECIMAL = re.compile(r"([0-9]+)\.0+")
_MAINLAND_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_MAINLAND_ID = re.compile(r"[0-9]{17}[0-9X]")
# Compiled once: `re.fullmatch(pattern, ...)` looks its pattern up in re's cache at every call
# (~200,000 calls at 100,000 rows).
_DIGITS_PHONE = re.compile(r"(?:\+|00)?[0-9]+")
_SPACE = re.compile(r"\s")

_POSSIBLE_REASONS = {  # -> catalogue key
    phonenumbers.ValidationResult.TOO_SHORT: "why.too_short",
    phonenumbers.ValidationResult.TOO_LONG: "why.too_long",
    phonenumbers.ValidationResult.INVALID_LENGTH: "why.wrong_length",
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "why.local_only",
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "why.unknown_country_code",
}


@dataclass(frozen=True, slots=True)
class Normalised:
    """The outcome of normalising one identifier cell: valid (a key to look up), invalid (an
    error for the row's note, never sent) or not present (blank: ignored).

    Build one with `valid_value`, `invalid_value` or `not_present`.

    Attributes:
        kind: what the key is looked up as: "mobile", "email" or "id_number".
        key: the TalentKey sent to Feishu; None when invalid or not present.
        error: why the value is invalid: one sentence for the row's note (a Message, or a
            plugin's plain text); None when valid or not present.
        present: False when the row has no such identifier (blank cell): the row is decided
            by its other identifiers.
        display: the cell's text as read, for notes (mask it before logging: `mask`).
    """

    kind: str
    key: TalentKey | None  # None when invalid or blank
    error: Message | str | None  # one sentence for the row's note (plain text from a plugin); None when valid or blank
    present: bool  # False when the cell is blank
    display: str  # the original text, for notes (callers mask it in logs)

    @property
    def valid(self) -> bool:
        """True when there is a key to look up."""
        return self.key is not None


def _clean(text: str) -> str:
    """NFKC (full-width digits, ＋, ＠, ideographic space -> ASCII), invisible characters dropped."""
    if text.isascii():  # NFKC leaves ASCII as it is, and the invisible characters are not ASCII
        return text.strip()
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).strip()


def _in_column(column: str) -> Message | str:
    # Called only for an invalid value: a Message renders its text when made.
    return Message("where.in_column", column=column) if column else ""


def _blank(kind: str, cell: Cell) -> Normalised:
    if cell.unsaved_formula:  # looks empty to us, not to the person who sees Excel calculate it
        return _invalid(kind, cell, Message("note.unsaved_formula"))
    return Normalised(kind, None, None, False, cell.text)


def _invalid(kind: str, cell: Cell, error: Message) -> Normalised:
    return Normalised(kind, None, error, True, cell.text)


def _number_digits(value: Any) -> str | None:
    """Digits of a whole number given as int/float/numeric text; None if it has a fraction."""
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value))
    except InvalidOperation:
        return None
    if not number.is_finite() or number != number.to_integral_value():
        return None
    return format(number.to_integral_value(), "f")


# ---------------------------------------------------------------- mobile


def _known_code(code: str) -> bool:
    return code.isdigit() and int(code) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE


def _split_international(digits: str) -> tuple[str, str] | None:
    """'8613800138000' -> ('86', '13800138000'); calling codes are prefix-free."""
    for length in (1, 2, 3):
        if _known_code(digits[:length]):
            return digits[:length], digits[length:]
    return None


@functools.lru_cache(maxsize=64)  # one default per recipe input, asked for every row
def _known_default(default_code: str) -> str:
    default = _parse_code(default_code)
    if default is None or not _known_code(default):
        raise ValueError(f"default_code {default_code!r} is not a country calling code")
    return default


@functools.lru_cache(maxsize=4096)  # a code column repeats a handful of values
def _parse_code(text: str) -> str | None:
    """A calling code as typed in a code column: 86, +86, 0086, 86.0, '中国 +86' -> '86'."""
    compact = re.sub(r"\s", "", _clean(text))
    match = re.fullmatch(r"(?:\+|00)?([0-9]{1,4})(?:\.0+)?", compact)
    if not match:
        match = re.search(r"\+([0-9]{1,4})(?![0-9])", compact)
    if not match:
        return None
    return match.group(1).lstrip("0") or None


def _national_for_code(code: str, digits: str) -> tuple[str | None, Message | None]:
    """(national number, "") when `digits` is a valid mobile for `code`, else (None, why).

    People often write the code without a plus ("86 138...", "1-202-555-0123"), so
    when the digits start with the code and do not fit as they are, the code is
    stripped and the rest tried.
    """
    candidates = [digits]
    if digits.startswith(code) and len(digits) > len(code):
        candidates.append(digits[len(code) :])
    if code == "86":  # the spec's rule, not libphonenumber's: it disagrees for 86
        for national in candidates:
            if _MAINLAND_MOBILE.fullmatch(national):
                return national, None
        return None, Message("why.not_mainland_mobile")
    numbers, reason = [], None
    for national in candidates:
        try:
            number = phonenumbers.parse(f"+{code}{national}")
        except phonenumbers.NumberParseException:
            reason = reason or Message("why.unreadable_phone")
            continue
        if str(number.country_code) == code and phonenumbers.is_possible_number(number):
            numbers.append(number)
        else:
            result = phonenumbers.is_possible_number_with_reason(number)
            reason = reason or Message(_POSSIBLE_REASONS.get(result, "why.not_possible"))
    if numbers:  # both readings possible: prefer the one libphonenumber knows as a real number
        best = next((n for n in numbers if phonenumbers.is_valid_number(n)), numbers[0])
        return phonenumbers.national_significant_number(best), None
    return None, Message("why.not_possible_number", code=code, reason=reason)


def normalise_mobile(
    cell: Cell, *, code_cell: Cell | None = None, default_code: str = "86", column: str = "", code_column: str = ""
) -> Normalised:
    """Normalise a mobile number to (country code, national number).

    The country code comes from, in order: a leading `+CC` / `00CC` in the cell
    itself, the code column (`86`, `+86`, `0086`, `86.0`...), `default_code`.
    When the cell carries its own code and the code column says otherwise, the
    cell wins: the person typed the full international number into that cell,
    while a code column is often pre-filled with the default. A code typed
    without `+` in front of the number ("86 138...") is recognised when the
    number does not fit otherwise. Numeric cells are read as the digits shown.
    """
    default = _known_default(default_code)
    if cell.is_blank:
        return _blank(MOBILE, cell)
    if cell.is_number:
        digits = cell.text if cell.text.isascii() and cell.text.isdigit() else _number_digits(cell.value)
        if digits is None:
            return _invalid(MOBILE, cell, Message("note.mobile_fraction", value=cell.text, where=_in_column(column)))
        text = digits
    elif cell.text.isascii() and cell.text.isdigit():
        text = cell.text  # digits as typed (the usual cell): nothing to clean
    else:
        text = _clean(cell.text)
        if _SCIENTIFIC.fullmatch(text) or _WHOLE_DECIMAL.fullmatch(text):
            digits = _number_digits(text)  # a number pasted as text, e.g. from a CSV export
            if digits is None:
                return _invalid(MOBILE, cell, Message("note.mobile_fraction", value=cell.text, where=_in_column(column)))
            text = digits
        text = _PHONE_SEPARATORS.sub("", text)
    if not text:
        return _blank(MOBILE, cell)
    if not _DIGITS_PHONE.fullmatch(text):
        return _invalid(MOBILE, cell, Message("note.mobile_characters", value=cell.text, where=_in_column(column)))

    if text.startswith(("+", "00")):
        split = _split_international(text[1:] if text.startswith("+") else text[2:])
        if split is None:
            return _invalid(MOBILE, cell, Message("note.mobile_no_code", value=cell.text, where=_in_column(column)))
        code, digits = split
    else:
        code, digits = default, text
        if code_cell is not None and not code_cell.is_blank:
            code_text = _number_digits(code_cell.value) if code_cell.is_number else None
            code = _parse_code(code_text or code_cell.text)  # type: ignore[assignment]
            if code is None:
                return _invalid(MOBILE, cell, Message("note.code_not_code", value=code_cell.text, where=_in_column(code_column)))
            if not _known_code(code):
                return _invalid(MOBILE, cell, Message("note.code_unknown", value=code_cell.text, where=_in_column(code_column)))

    national, why = _national_for_code(code, digits)
    if national is None:
        return _invalid(MOBILE, cell, Message("note.mobile_invalid", value=cell.text, where=_in_column(column), why=why))
    return Normalised(MOBILE, TalentKey(MOBILE, code, national), None, True, cell.text)


# ---------------------------------------------------------------- email


def normalise_email(cell: Cell, *, column: str = "") -> Normalised:
    """Trim (incl. NBSP / full-width spaces), NFKC, lower-case; one `@` and a dotted domain."""
    if cell.is_blank:
        return _blank(EMAIL, cell)
    email = _clean(cell.text).lower()
    if not email:
        return _blank(EMAIL, cell)
    local, _, domain = email.partition("@")
    if _SPACE.search(email):
        why = Message("why.email_space")
    elif email.count("@") != 1:
        why = Message("why.email_at_count", count=email.count("@"))
    elif not local:
        why = Message("why.email_no_local")
    elif "." not in domain or any(label == "" for label in domain.split(".")):
        why = Message("why.email_domain", domain=domain)
    else:
        return Normalised(EMAIL, TalentKey(EMAIL, "", email), None, True, cell.text)
    return _invalid(EMAIL, cell, Message("note.email_invalid", value=cell.text.strip(), where=_in_column(column), why=why))


# ---------------------------------------------------------------- ID number


def mainland_id_check_digit(first17: str) -> str:
    """The 18th character of a mainland resident ID (GB 11643, ISO 7064 MOD 11-2)."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("a mainland ID's check digit needs exactly its first 17 digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _CHECK_WEIGHTS))
    return _CHECK_DIGITS[total % 11]


def parse_identification_type(text: Any) -> int | None:
    """An IdentificationType from a number (1, 1.0, "1") or a name ("身份证", "passport"); None if unknown."""
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, (str, int, float)):
        return _identification_type(text)
    return _identification_type.__wrapped__(text)


@functools.lru_cache(maxsize=1024, typed=True)  # a type column repeats a few values, asked for every row
def _identification_type(text: Any) -> int | None:
    cleaned = _clean(repr(text) if isinstance(text, float) else str(text))
    if re.fullmatch(r"[0-9]+(?:\.0+)?", cleaned):
        code: int | None = int(Decimal(cleaned))
    else:
        code = _TYPE_NAMES.get(re.sub(r"[\s_\-/·,.()'’&]", "", cleaned).lower())
    return code if code in IDENTIFICATION_TYPES else None


def _excel_lost_digits(cell: Cell, text: str) -> bool:
    """True when Excel has already rounded the ID to 15 significant digits."""
    if cell.is_number:
        digits = _number_digits(cell.value)
        return len(digits if digits is not None else cell.text) >= 15
    return bool(_SCIENTIFIC.fullmatch(text))  # "1.10101E+17": a CSV saved from such a cell


def normalise_id_number(
    cell: Cell,
    *,
    id_type: int | None = None,
    type_cell: Cell | None = None,
    column: str = "",
    type_column: str = "",
) -> Normalised:
    """Trim, NFKC, upper-case, drop inner spaces; type 1 must be 18 characters with a valid check digit.

    The type is `id_type` when given (the recipe's `type`), else the type cell
    (number or name, see `parse_identification_type`; blank means 1), else 1.
    """
    if id_type is not None and id_type not in IDENTIFICATION_TYPES:
        raise ValueError(f"identification type {id_type!r} is not one of {sorted(IDENTIFICATION_TYPES)}")
    if cell.is_blank:
        return _blank(ID_NUMBER, cell)
    value = _SPACE.sub("", _clean(cell.text)).upper()
    if not value:
        return _blank(ID_NUMBER, cell)
    if _excel_lost_digits(cell, value):
        return _invalid(ID_NUMBER, cell, Message("note.id_rounded", where=_in_column(column)))
    if id_type is None:
        id_type = 1
        if type_cell is not None and not type_cell.is_blank:
            parsed = parse_identification_type(type_cell.value if type_cell.is_number else type_cell.text)
            if parsed is None:
                known = ", ".join(f"{code} {name}" for code, name in IDENTIFICATION_TYPES.items())
                return _invalid(
                    ID_NUMBER,
                    cell,
                    Message("note.id_type_unknown", value=type_cell.text.strip(), where=_in_column(type_column),
                            known=known),
                )
            id_type = parsed
    if id_type == 1:
        shown = value  # the workbook quotes the sheet as it is; logs mask it (privacy.logfile)
        if len(value) != 18:
            return _invalid(ID_NUMBER, cell, Message("note.id_length", value=shown, where=_in_column(column),
                                                     length=len(value)))
        if not _MAINLAND_ID.fullmatch(value):
            return _invalid(ID_NUMBER, cell, Message("note.id_characters", value=shown, where=_in_column(column)))
        expected = mainland_id_check_digit(value[:17])
        if value[17] != expected:
            return _invalid(
                ID_NUMBER, cell, Message("note.id_check_digit", value=shown, where=_in_column(column), expected=expected,
                                         found=value[17])
            )
    return Normalised(ID_NUMBER, TalentKey(ID_NUMBER, str(id_type), value), None, True, cell.text)
