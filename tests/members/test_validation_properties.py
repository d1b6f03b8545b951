"""Property tests of the pure NIK and phone checks (no database)."""

import datetime as dt

import phonenumbers
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.members import validation
from app.members.validation import FieldError, check_nik, nik_agreement, normalise_phone

TODAY = dt.date(2026, 11, 23)
PROVINCES = sorted(validation.province_codes())


def make_nik(province: str, regency: int, district: int, born: dt.date, sex: str, serial: int) -> str:
    day = born.day + (40 if sex == "P" else 0)
    return f"{province}{regency:02d}{district:02d}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


niks = st.builds(
    lambda *parts: (make_nik(*parts), parts),
    st.sampled_from(PROVINCES),
    st.integers(1, 99),
    st.integers(1, 99),
    st.dates(dt.date(1927, 1, 1), dt.date(2011, 11, 23)),
    st.sampled_from(["L", "P"]),
    st.integers(1, 9999),
)


def test_province_codes_cover_all_indonesia():
    assert {"11", "12", "31", "91"} <= validation.province_codes()
    assert "99" not in validation.province_codes()


@given(niks)
def test_generated_niks_are_accepted_with_their_sex_and_birth_date(case):
    nik_text, (province, _regency, _district, born, sex, _serial) = case
    nik = check_nik(nik_text, TODAY)
    assert nik.sex == sex
    assert nik.province_code == province
    assert nik.agrees_with(born)
    assert nik_agreement(nik, sex, born, TODAY) == {}


@given(niks)
def test_separators_are_ignored(case):
    nik_text, _ = case
    spaced = f"{nik_text[:6]} {nik_text[6:12]}.{nik_text[12:]}"
    assert check_nik(spaced, TODAY).nik == nik_text


@given(niks, st.sampled_from(["L", "P"]))
def test_the_other_sex_is_refused(case, entered):
    nik_text, (*_, sex, _serial) = case
    assume(entered != sex)
    errors = nik_agreement(check_nik(nik_text, TODAY), entered, None, TODAY)
    assert set(errors) == {"sex"}


@given(niks, st.integers(1, 400))
def test_another_birth_date_is_refused(case, shift):
    nik_text, (*_, born, _sex, _serial) = case
    other = born - dt.timedelta(days=shift)
    errors = nik_agreement(check_nik(nik_text, TODAY), None, other, TODAY)
    assert "birth_date" in errors


@given(niks, st.sampled_from(["00", "32", "39", "40", "72", "80", "99"]))
def test_impossible_days_are_refused(case, day):
    nik_text, _ = case
    with pytest.raises(FieldError):
        check_nik(nik_text[:6] + day + nik_text[8:], TODAY)


@given(niks, st.sampled_from(["00", "13", "20", "99"]))
def test_impossible_months_are_refused(case, month):
    nik_text, _ = case
    with pytest.raises(FieldError):
        check_nik(nik_text[:8] + month + nik_text[10:], TODAY)


@given(niks)
def test_serial_0000_is_refused(case):
    nik_text, _ = case
    with pytest.raises(FieldError):
        check_nik(nik_text[:12] + "0000", TODAY)


@given(niks, st.integers(0, 99).map(lambda n: f"{n:02d}"))
def test_unknown_province_codes_are_refused(case, province):
    nik_text, _ = case
    assume(province not in validation.province_codes())
    with pytest.raises(FieldError):
        check_nik(province + nik_text[2:], TODAY)


@given(niks, st.integers(1, 15))
def test_wrong_lengths_are_refused(case, cut):
    nik_text, _ = case
    with pytest.raises(FieldError):
        check_nik(nik_text[:-cut], TODAY)
    with pytest.raises(FieldError):
        check_nik(nik_text + "1" * cut, TODAY)


def test_29_february_needs_a_leap_year():
    assert check_nik("1207022902000001", TODAY).birth_date == dt.date(2000, 2, 29)
    with pytest.raises(FieldError):
        check_nik("1207022902010001", TODAY)


def test_century_is_the_one_not_in_the_future():
    # 01/12/26 is after 23/11/2026, so the NIK can only mean 1926.
    assert check_nik("1207020112260001", TODAY).birth_dates == (dt.date(1926, 12, 1),)
    assert check_nik("1207021705900001", TODAY).birth_date == dt.date(1990, 5, 17)


def test_minimum_age_is_fifteen_on_the_day():
    born = dt.date(2011, 11, 23)
    fifteen = check_nik(make_nik("12", 7, 2, born, "L", 1), TODAY)
    assert nik_agreement(fifteen, "L", born, TODAY) == {}
    born = dt.date(2011, 11, 24)
    younger = check_nik(make_nik("12", 7, 2, born, "L", 1), TODAY)
    assert set(nik_agreement(younger, "L", born, TODAY)) == {"birth_date"}


# ---------------------------------------------------------------- phones

MOBILE_PREFIXES = [
    "811",
    "812",
    "813",
    "821",
    "822",
    "823",
    "852",
    "853",
    "857",
    "858",
    "877",
    "878",
    "895",
    "896",
    "898",
]


@st.composite
def mobile_numbers(draw):
    """A national significant number (without 0) that phonenumbers knows as an Indonesian mobile."""
    national = draw(st.sampled_from(MOBILE_PREFIXES)) + draw(st.text("0123456789", min_size=7, max_size=9))
    number = phonenumbers.parse("+62" + national)
    assume(phonenumbers.is_valid_number(number))
    assume(phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE)
    return national


@given(mobile_numbers())
def test_every_usual_form_gives_the_same_e164(national):
    expected = "+62" + national
    forms = [
        "0" + national,
        "62" + national,  # without the plus: still the country code
        "+62" + national,
        f"+62 {national[:3]}-{national[3:7]}-{national[7:]}",
        f"0{national[:3]}-{national[3:7]}-{national[7:]}",
        f"0{national[:3]} {national[3:7]} {national[7:]}",
        "0062" + national,
    ]
    assert {normalise_phone(form) for form in forms} == {expected}


@given(st.sampled_from(["21", "22", "61", "651"]), st.text("0123456789", min_size=6, max_size=8))
def test_landlines_are_refused(area, rest):
    number = phonenumbers.parse("+62" + area + rest)
    assume(phonenumbers.is_valid_number(number))
    assume(phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.FIXED_LINE)
    for form in ("0" + area + rest, "62" + area + rest, "+62" + area + rest):
        with pytest.raises(FieldError):
            normalise_phone(form)


@pytest.mark.parametrize("text", ["", "abc", "0812", "+6591234567", "+1 202 555 0143", "12345678901234567"])
def test_non_numbers_and_foreign_numbers_are_refused(text):
    with pytest.raises(FieldError):
        normalise_phone(text)


def test_income_and_dates_parse_the_usual_ways():
    assert validation.parse_rupiah("Rp1.000.000") == 1_000_000
    assert validation.parse_rupiah("1 500 000") == 1_500_000
    assert validation.parse_date("17/05/1990") == dt.date(1990, 5, 17)
    with pytest.raises(FieldError):
        validation.parse_rupiah("satu juta")
