from types import SimpleNamespace

import pytest

from tests.factories import VILLAGE_A, actor_of, make_branch, make_user


@pytest.fixture
def people(db):
    branch = make_branch(db, regencies=("12.07",))
    found = SimpleNamespace(
        cabang=make_user(db, "cabang", branch_code=branch.code),
        duta=make_user(db, "duta", villages=(VILLAGE_A,), branch_code=branch.code),
        wilayah=make_user(db, "wilayah"),
        admin=make_user(db, "admin"),
    )
    found.actor = lambda user: actor_of(db, user)
    return found
