import datetime as dt

import pytest

from app.core.clock import today
from tests.factories import VILLAGE_A, VILLAGE_OTHER_BRANCH, make_branch, make_user, valid_nik


@pytest.fixture
def people(db):
    branch = make_branch(db, regencies=("12.07",))
    other = make_branch(db, regencies=("11.71",))
    # The branch the region sets to serve migrant workers (settings.pmi_branch), covering Medan.
    serving = make_branch(db, code="MDN-UTARA", regencies=("12.71",))
    return {
        "duta": make_user(db, "duta", villages=(VILLAGE_A,), branch_code=branch.code),
        "cabang": make_user(db, "cabang", branch_code=branch.code),
        "pmi_cabang": make_user(db, "cabang", branch_code=serving.code),
        "other_duta": make_user(db, "duta", villages=(VILLAGE_OTHER_BRANCH,), branch_code=other.code),
        "other_cabang": make_user(db, "cabang", branch_code=other.code),
        "wilayah": make_user(db, "wilayah"),
    }


def body(**overrides) -> dict:
    """A complete, valid API body."""
    values = {
        "nik": valid_nik(dt.date(1998, 3, 9), "P"),
        "full_name": "Rina Sitompul",
        "sex": "P",
        "birth_date": "1998-03-09",
        "phone": "0812-3456-7890",
        "village_code": VILLAGE_A,
        "passport_number": "c 1234567",
        "destination": "MY",
        "agency": "PT Jaya Abadi Mandiri",
        "departure_on": (today() + dt.timedelta(days=30)).isoformat(),
        "channel": "tunai",
    }
    values.update(overrides)
    return values
