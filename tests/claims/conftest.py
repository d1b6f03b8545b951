import pytest

from tests.factories import VILLAGE_A, VILLAGE_OTHER_BRANCH, make_branch, make_member, make_user


@pytest.fixture
def people(db):
    branch = make_branch(db, regencies=("12.07",))
    other = make_branch(db, regencies=("11.71",))
    return {
        "duta": make_user(db, "duta", villages=(VILLAGE_A,), branch_code=branch.code),
        "cabang": make_user(db, "cabang", branch_code=branch.code),
        "other_duta": make_user(db, "duta", villages=(VILLAGE_OTHER_BRANCH,), branch_code=other.code),
        "other_cabang": make_user(db, "cabang", branch_code=other.code),
        "wilayah": make_user(db, "wilayah"),
    }


@pytest.fixture
def member(db, people):
    return make_member(db, people["duta"], VILLAGE_A, status="approved")
