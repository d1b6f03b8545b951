"""A bounded fuzzing run over the OpenAPI schema: every operation, with requests that schemathesis
derives from the schema (valid and invalid), as a duta and as wilayah; no answer may be a 5xx.

Small on purpose (a few examples an operation, the same ones each run) so that it runs in every
`make test`; a longer local run: SCHEMATHESIS_EXAMPLES=200 pytest tests/test_api_fuzz.py."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from app.main import app as fastapi_app
from tests.factories import VILLAGE_A, api_headers, make_branch, make_member, make_user

# The villages exports of a wilayah cover the whole region: seconds each, whatever the (few) query
# parameters say; their own tests check them.
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", fastapi_app).exclude(
    path_regex=r"^/api/v1/reports/villages\."
)
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "3"))


@pytest.fixture(params=["duta", "wilayah"])
def bearer(request, client, db):
    """A user of the role, with a member in its area so that ids can hit real rows."""
    make_branch(db, "KC-FUZZ")
    duta = make_user(db, "duta", villages=(VILLAGE_A,), branch_code="KC-FUZZ")
    make_member(db, duta, VILLAGE_A, status="approved")
    user = duta if request.param == "duta" else make_user(db, "wilayah")
    return api_headers(client, user)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure names its request as found
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_request_answers_a_server_error(case, bearer):
    response = case.call(headers=bearer)
    assert response.status_code < 500, f"{case.method} {case.formatted_path} answered {response.status_code}"
