"""Enums carry their labels: the pages, the exports and the audit log name a code the same way, and the
API's request schemas list each fixed set of values."""

from app.auth.models import Role
from app.core import i18n
from app.core.labels import label
from app.dues.models import Channel
from app.main import create_app
from app.members.models import Occupation
from app.programme.models import Stage


def test_a_label_follows_the_language_and_an_unknown_code_is_shown_as_it_is():
    with i18n.in_locale("id"):
        assert Occupation.buruh_harian.label == "Buruh harian"
        assert Stage.labels()["calon"] == "Calon"
        assert label("cabang", "Role") == "Petugas kantor cabang"
    with i18n.in_locale("en"):
        assert Channel.bank.label == "Bank or agent"
        assert label("pilot", "Occupation") == "pilot"
        assert label(None, "Stage") == "–"
    assert Role.codes() == ("duta", "cabang", "wilayah", "admin", "mitra")
    assert Role.duta == "duta" and Role.duta.value == "duta"


def _schema(schemas: dict, model: str, field: str) -> list[str]:
    prop = schemas[model]["properties"][field]
    refs = [prop] + prop.get("anyOf", [])
    ref = next(item["$ref"] for item in refs if "$ref" in item)
    return schemas[ref.rsplit("/", 1)[1]]["enum"]


def test_the_api_schema_lists_the_allowed_values():
    schemas = create_app().openapi()["components"]["schemas"]
    assert _schema(schemas, "MemberIn", "sex") == ["L", "P"]
    assert _schema(schemas, "MemberIn", "occupation") == list(Occupation.codes())
    assert _schema(schemas, "PaymentIn", "channel") == ["tunai", "bank", "lainnya"]
    assert _schema(schemas, "StageRequest", "stage") == list(Stage.codes())
    assert "sosialisasi" in _schema(schemas, "EventCreate", "kind")
