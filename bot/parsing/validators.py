"""Checks for what applicants type: names, birth dates, phone numbers, e-mail addresses.

Pure functions that return the cleaned value or None; the flow decides the wording of
the reply, so nothing here translates or talks to the user.
"""

from __future__ import annotations

import re
import string
import unicodedata
from datetime import date

import phonenumbers

NAME_PUNCTUATION = frozenset(" -.'’")
MAX_NAME_INPUT = 1000  # before collapsing whitespace; no name needs more
MAX_DATE_INPUT = 40
MAX_PHONE_INPUT = 40
MAX_EMAIL = 254
EMAIL_LOCAL_CHARS = frozenset(string.ascii_letters + string.digits + ".!#$%&'*+/=?^_`{|}~-")

# One separator style per date: "." "/" "-" (spaces around them allowed, "15. 3. 2004." as
# Serbs write) or plain spaces. Years have four digits: "04" could be 1904 or 2004.
_SEP = r"(?:\s*([./-])\s*|\s+)"
_DAY_FIRST = re.compile(rf"([0-9]{{1,2}}){_SEP}([0-9]{{1,2}}){_SEP}([0-9]{{4}})")
_YEAR_FIRST = re.compile(rf"([0-9]{{4}}){_SEP}([0-9]{{1,2}}){_SEP}([0-9]{{1,2}})")
_PHONE_CHARS = re.compile(r"\+?[0-9().\-/\s]+")


def parse_full_name(text: str) -> str | None:
    """The name with whitespace collapsed, or None when it has digits, symbols or too few letters."""
    if len(text) > MAX_NAME_INPUT:
        return None
    name = " ".join(unicodedata.normalize("NFC", text).split())
    if not 2 <= len(name) <= 100:
        return None
    letters = 0
    for char in name:
        category = unicodedata.category(char)
        if category.startswith("L"):
            letters += 1
        elif not (category.startswith("M") or char in NAME_PUNCTUATION):
            return None
    return name if letters >= 2 else None


def has_first_and_last_name(name: str) -> bool:
    """At least two words with letters: "Gashi" alone is a surname (or a first name), not a full name."""
    return sum(1 for part in name.split() if any(char.isalpha() for char in part)) >= 2


def parse_birth_date(text: str) -> date | None:
    """A real calendar date in 1900-2100 from the usual day-first or ISO spellings."""
    if len(text) > MAX_DATE_INPUT:
        return None
    cleaned = text.strip()
    if cleaned.endswith("."):
        cleaned = cleaned[:-1].rstrip()
    if match := _DAY_FIRST.fullmatch(cleaned):
        day, sep1, month, sep2, year = match.groups()
    elif match := _YEAR_FIRST.fullmatch(cleaned):
        year, sep1, month, sep2, day = match.groups()
    else:
        return None
    if sep1 != sep2:  # "15.03/2004" is a typo, not a date format
        return None
    if not 1900 <= int(year) <= 2100:
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def age_on(birth: date, today: date) -> int:
    """Full years; a 29 February birthday counts on 1 March in other years. Negative if unborn."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def application_age(day: date, birth: date | None, kept_age: int | None, birth_year: int | None) -> int | None:
    """An applicant's age on the day of application: from the birth date; after an erasure
    the age kept with the application, or for rows older than that the birth year alone."""
    if birth is not None:
        return age_on(birth, day)
    if kept_age is not None:
        return kept_age
    return day.year - birth_year if birth_year is not None else None


def normalise_phone(text: str, default_region: str = "XK") -> str | None:
    """E.164 for a valid number: national in the default region, or any country with + or 00."""
    if len(text) > MAX_PHONE_INPUT:
        return None
    cleaned = text.strip()
    # phonenumbers would turn letters into digits ("044 CALL ME"); nobody means that here.
    if not _PHONE_CHARS.fullmatch(cleaned):
        return None
    digits = re.sub(r"[^0-9]", "", cleaned)
    country_code = str(phonenumbers.country_code_for_region(default_region))
    candidates = [cleaned]
    if not cleaned.startswith("+") and digits.startswith(country_code) and country_code != "0":
        # "38344123456": the country code without '+'. It also parses as a (long) national
        # number, so the international reading goes first and only counts when valid.
        candidates.insert(0, "+" + digits)
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, default_region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def parse_email(text: str) -> str | None:
    """The address with its domain lower-cased, or None when it cannot be a deliverable address."""
    address = text.strip()
    if len(address) > MAX_EMAIL or address.count("@") != 1:
        return None
    local, domain = address.split("@")
    if not _valid_local(local):
        return None
    domain = unicodedata.normalize("NFC", domain.lower())
    if not _valid_domain(domain):
        return None
    return f"{local}@{domain}"


def _valid_local(local: str) -> bool:
    return (
        1 <= len(local) <= 64
        and all(char in EMAIL_LOCAL_CHARS for char in local)
        and not local.startswith(".")
        and not local.endswith(".")
        and ".." not in local
    )


def _valid_domain(domain: str) -> bool:
    labels = domain.split(".")
    if len(labels) < 2:
        return False
    for label in labels:
        if not 1 <= len(label) <= 63 or label.startswith("-") or label.endswith("-"):
            return False
        if not all(char.isalpha() or char in string.digits or char == "-" for char in label):
            return False
    tld = labels[-1]
    return len(tld) >= 2 and tld.isalpha()
