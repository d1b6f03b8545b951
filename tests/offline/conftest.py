"""Fixtures for the roster tests (the branch and its people come from tests/conftest.py): another branch."""

import pytest

from tests.factories import VILLAGE_OTHER_BRANCH, make_branch, make_user


@pytest.fixture
def other_branch(db):
    other = make_branch(db, regencies=("11.71",))
    return {
        "cabang": make_user(db, "cabang", branch_code=other.code),
        "duta": make_user(db, "duta", villages=(VILLAGE_OTHER_BRANCH,), branch_code=other.code),
    }
