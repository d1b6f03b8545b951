"""`core.responses.created`: the busiest endpoints' answers, sent without FastAPI's second validation,
are the same JSON FastAPI would have sent."""

import datetime as dt
import json

from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field

from app.core.responses import created
from app.dues.schemas import PaymentOut


def test_a_created_answer_is_the_model_as_json():
    model = PaymentOut(
        receipt_number="KW-2026-000001",
        amount=50_400,
        months=3,
        cover_from="2026-12",
        cover_to="2027-02",
        monthly_amount=16_800,
        channel="tunai",
        paid_on=dt.date(2026, 12, 2),
        status="valid",
        member_id=7,
    )
    response = created(model)
    assert response.status_code == 201 and response.media_type == "application/json"
    assert json.loads(response.body) == jsonable_encoder(model)
    assert json.loads(response.body)["paid_on"] == "2026-12-02"


def test_a_field_goes_out_under_its_alias_as_fastapi_sends_it():
    class Aliased(BaseModel):
        covered: bool = Field(serialization_alias="is_covered")

    assert json.loads(created(Aliased(covered=True)).body) == {"is_covered": True}
