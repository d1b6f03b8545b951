"""Registration payloads for the members tests."""

import datetime as dt

from tests.factories import VILLAGE_A, valid_nik


def payload(**overrides) -> dict:
    """A complete, valid API body; `nik` follows birth date and sex unless given."""
    birth_date = overrides.pop("birth_date", "1990-05-17")
    sex = overrides.pop("sex", "P")
    body = {
        "nik": valid_nik(dt.date.fromisoformat(birth_date), sex),
        "full_name": "Siti Aminah",
        "sex": sex,
        "birth_date": birth_date,
        "phone": "0812-3456-7890",
        "address": "Jl. Mawar No. 1",
        "village_code": VILLAGE_A,
        "occupation": "petani",
        "monthly_income": 1_000_000,
        "jht": False,
        "heir_name": "Budi",
        "heir_relation": "suami",
        "consent": True,
    }
    body.update(overrides)
    return body


def form_data(csrf: str, key: str = "", **overrides) -> dict:
    """The same registration as the phone form posts it (strings, checkboxes present or absent)."""
    body = payload(**overrides)
    data = {name: str(value) for name, value in body.items() if name not in ("jht", "consent")}
    if body.get("jht"):
        data["jht"] = "1"
    if body.get("consent"):
        data["consent"] = "1"
    data.update(csrf_token=csrf, idempotency_key=key)
    return data


def error_fields(response) -> dict[str, str]:
    """422 body -> {field: message}, the field being the last element of `loc`."""
    return {item["loc"][-1]: item["msg"] for item in response.json()["detail"]}
