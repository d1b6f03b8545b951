"""An area for approval tests: a branch over Deli Serdang (villages A and B) with its officer and a
duta, another branch over Banda Aceh with its own officer and duta, a supervisor and an admin."""

from types import SimpleNamespace

import pytest

from tests.factories import VILLAGE_A, VILLAGE_B, VILLAGE_OTHER_BRANCH, actor_of, make_branch, make_user


@pytest.fixture
def area(db):
    branch = make_branch(db, regencies=("12.07",))
    other_branch = make_branch(db, regencies=("11.71",))
    users = SimpleNamespace(
        branch=branch,
        cabang=make_user(db, "cabang", branch_code=branch.code),
        duta=make_user(db, "duta", villages=(VILLAGE_A,), branch_code=branch.code),
        duta_b=make_user(db, "duta", villages=(VILLAGE_B,), branch_code=branch.code),
        other_cabang=make_user(db, "cabang", branch_code=other_branch.code),
        other_duta=make_user(db, "duta", villages=(VILLAGE_OTHER_BRANCH,), branch_code=other_branch.code),
        wilayah=make_user(db, "wilayah"),
        admin=make_user(db, "admin"),
    )
    users.actor = lambda user: actor_of(db, user)
    return users
