"""Validators for applicant input: good and bad examples, and no input makes them raise."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parsing.validators import (
    age_on,
    has_first_and_last_name,
    normalise_phone,
    parse_birth_date,
    parse_email,
    parse_full_name,
)

# --- full name ---


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Arta Krasniqi", "Arta Krasniqi"),
        ("  Arta   Krasniqi \n", "Arta Krasniqi"),
        ("Arta\tKrasniqi", "Arta Krasniqi"),
        ("Blerinë Çitaku", "Blerinë Çitaku"),
        ("Милош Јовановић", "Милош Јовановић"),
        ("Miloš Jovanović", "Miloš Jovanović"),
        ("Anna-Maria O'Neil", "Anna-Maria O'Neil"),
        ("D’Angelo Rossi", "D’Angelo Rossi"),
        ("J. R. R. Tolkien", "J. R. R. Tolkien"),
        ("Li", "Li"),
        ("Ë" + "a" * 99, "Ë" + "a" * 99),
    ],
)
def test_good_names(text: str, expected: str) -> None:
    assert parse_full_name(text) == expected


@pytest.mark.parametrize(
    ("name", "full"),
    [
        ("Gashi", False),
        ("Anna-Maria", False),
        ("O'Neil", False),
        ("Arta Krasniqi", True),
        ("Gjon van der Berg", True),
        ("Anna-Maria O'Neil", True),
        ("J. R. R. Tolkien", True),
        ("Милош Јовановић", True),
    ],
)
def test_a_full_name_has_a_first_and_a_last_name(name: str, full: bool) -> None:
    assert has_first_and_last_name(name) is full


def test_decomposed_diacritics_are_composed() -> None:
    assert parse_full_name("Blerine\u0308 C\u0327itaku") == "Blerinë Çitaku"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "A",
        "A.",
        "-'",
        "Arta 2",
        "Arta Krasniqi 😀",
        "arta@example.com",
        "Arta/Krasniqi",
        "Arta_Krasniqi",
        "Arta, Krasniqi",
        "<b>Arta</b>",
        "Arta\u200bKrasniqi",
        "a" * 101,
        "Arta (Krasniqi)",
    ],
)
def test_bad_names(text: str) -> None:
    assert parse_full_name(text) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_name_never_raises_and_is_stable(text: str) -> None:
    name = parse_full_name(text)
    if name is not None:
        assert 2 <= len(name) <= 100
        assert name == name.strip() and "  " not in name
        assert not any(char.isdigit() for char in name)
        assert parse_full_name(name) == name


# --- birth date ---


@pytest.mark.parametrize(
    "text",
    [
        "15.03.2004",
        "15.3.2004",
        "15/03/2004",
        "15-03-2004",
        "2004-03-15",
        "2004-3-15",
        "15 03 2004",
        "15.03.2004.",
        "15. 3. 2004.",
        " 15.03.2004 ",
    ],
)
def test_good_birth_dates(text: str) -> None:
    assert parse_birth_date(text) == date(2004, 3, 15)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "15.03.04",
        "15.3.04",
        "31.02.2004",
        "29.02.2003",
        "00.01.2004",
        "15.13.2004",
        "15.03.1899",
        "15.03.2101",
        "15.03/2004",
        "15.03.2004..",
        "March 15 2004",
        "15032004",
        "2004-03",
        "15.03.2004 10:00",
        "１５.０３.２００４",
        "1" * 50,
    ],
)
def test_bad_birth_dates(text: str) -> None:
    assert parse_birth_date(text) is None


def test_birth_date_bounds() -> None:
    assert parse_birth_date("01.01.1900") == date(1900, 1, 1)
    assert parse_birth_date("31.12.2100") == date(2100, 12, 31)
    assert parse_birth_date("29.02.2004") == date(2004, 2, 29)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_birth_date_never_raises(text: str) -> None:
    result = parse_birth_date(text)
    assert result is None or 1900 <= result.year <= 2100


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_birth_date_round_trips(day: date) -> None:
    assert parse_birth_date(day.strftime("%d.%m.%Y")) == day
    assert parse_birth_date(f"{day.day}.{day.month}.{day.year:04d}.") == day
    assert parse_birth_date(day.isoformat()) == day


# --- age ---


@pytest.mark.parametrize(
    ("birth", "today", "age"),
    [
        (date(2004, 3, 15), date(2024, 3, 14), 19),
        (date(2004, 3, 15), date(2024, 3, 15), 20),
        (date(2004, 3, 15), date(2024, 12, 31), 20),
        (date(2004, 2, 29), date(2023, 2, 28), 18),
        (date(2004, 2, 29), date(2023, 3, 1), 19),
        (date(2004, 2, 29), date(2024, 2, 28), 19),
        (date(2004, 2, 29), date(2024, 2, 29), 20),
        (date(2004, 3, 15), date(2004, 3, 15), 0),
        (date(2004, 12, 31), date(2005, 1, 1), 0),
        (date(2030, 1, 1), date(2024, 1, 1), -6),
    ],
)
def test_age_on(birth: date, today: date, age: int) -> None:
    assert age_on(birth, today) == age


@settings(max_examples=200, deadline=None)
@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    st.integers(min_value=0, max_value=40000),
)
def test_age_grows_by_one_at_most_per_day(birth: date, days: int) -> None:
    today = birth + timedelta(days=days)
    age = age_on(birth, today)
    assert 0 <= age <= days // 365
    assert age_on(birth, today + timedelta(days=1)) - age in (0, 1)


# --- phone ---


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("044 123 456", "+38344123456"),
        ("044-123-456", "+38344123456"),
        ("044123456", "+38344123456"),
        ("(044) 123 456", "+38344123456"),
        ("+383 44 123 456", "+38344123456"),
        ("00383 44 123 456", "+38344123456"),
        ("38344123456", "+38344123456"),
        ("383 44 123 456", "+38344123456"),
        ("049 123 456", "+38349123456"),
        ("038 123 456", "+38338123456"),
        ("  +38344123456  ", "+38344123456"),
        ("+41 79 123 45 67", "+41791234567"),
        ("0041 79 123 45 67", "+41791234567"),
        ("+381 64 1234567", "+381641234567"),
        ("+49 151 23456789", "+4915123456789"),
    ],
)
def test_good_phones(text: str, expected: str) -> None:
    assert normalise_phone(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "12",
        "044 123 45",
        "+383 44 123 45",
        "044 CALL ME",
        "tel 044123456",
        "044 123 456 ext 5",
        "+",
        "++38344123456",
        "044+123456",
        "+999 123 456 789",
        "0" * 41,
        "044 123 456" + " " * 30,
    ],
)
def test_bad_phones(text: str) -> None:
    assert normalise_phone(text) is None


def test_phone_other_default_region() -> None:
    assert normalise_phone("079 123 45 67", default_region="CH") == "+41791234567"
    assert normalise_phone("41791234567", default_region="CH") == "+41791234567"


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=50), st.from_regex(r"\A[+0-9 ()-]{0,25}\Z")))
def test_phone_never_raises_and_is_e164(text: str) -> None:
    phone = normalise_phone(text)
    if phone is not None:
        assert phone.startswith("+") and phone[1:].isdigit()
        assert normalise_phone(phone) == phone


# --- e-mail ---


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("arta@example.com", "arta@example.com"),
        ("  Arta.Krasniqi@Example.COM ", "Arta.Krasniqi@example.com"),
        ("a+tag@mail.example.org", "a+tag@mail.example.org"),
        ("o'neil@example.co.uk", "o'neil@example.co.uk"),
        ("x!#$%&'*+/=?^_`{|}~-@ex-ample.com", "x!#$%&'*+/=?^_`{|}~-@ex-ample.com"),
        ("user@shkollë.al", "user@shkollë.al"),
        ("user@ПОЧТА.СРБ", "user@почта.срб"),
        ("a@b.co", "a@b.co"),
        ("a" * 64 + "@example.com", "a" * 64 + "@example.com"),
        ("a@" + "b" * 63 + ".com", "a@" + "b" * 63 + ".com"),
    ],
)
def test_good_emails(text: str, expected: str) -> None:
    assert parse_email(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "arta",
        "arta@",
        "@example.com",
        "arta@example",
        "arta@@example.com",
        "a@b@example.com",
        ".arta@example.com",
        "arta.@example.com",
        "ar..ta@example.com",
        "ar ta@example.com",
        "arta@exam ple.com",
        "arta@-example.com",
        "arta@example-.com",
        "arta@example..com",
        "arta@example.com.",
        "arta@.example.com",
        "arta@example.c",
        "arta@example.c0m",
        "arta@example.123",
        "arta@exam_ple.com",
        "artë@example.com",
        "a" * 65 + "@example.com",
        "a@" + "b" * 64 + ".com",
        "a@" + "b." * 126 + "com",
        "<arta@example.com>",
    ],
)
def test_bad_emails(text: str) -> None:
    assert parse_email(text) is None


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=80), st.emails()))
def test_email_never_raises_and_is_stable(text: str) -> None:
    email = parse_email(text)
    if email is not None:
        assert email.count("@") == 1 and len(email) <= 254
        assert parse_email(email) == email


@settings(max_examples=100, deadline=None)
@given(st.emails())
def test_generated_plain_emails_mostly_pass(address: str) -> None:
    local, domain = address.split("@")
    if domain.split(".")[-1].isalpha() and ".." not in local and not local.startswith(".") and not local.endswith("."):
        assert parse_email(address) == f"{local}@{domain.lower()}"
