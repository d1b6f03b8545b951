"""Fixtures for the roster tests: a branch with two villages' `duta`s, its `cabang`, and another branch."""

import pytest

from tests.factories import VILLAGE_A, VILLAGE_B, VILLAGE_OTHER_BRANCH, make_branch, make_user


@pytest.fixture
def branch(db):
    return make_branch(db, regencies=("12.07",))


@pytest.fixture
def duta(db, branch):
    return make_user(db, "duta", villages=(VILLAGE_A,), branch_code=branch.code)


@pytest.fixture
def duta_b(db, branch):
    return make_user(db, "duta", villages=(VILLAGE_B,), branch_code=branch.code)


@pytest.fixture
def cabang(db, branch):
    return make_user(db, "cabang", branch_code=branch.code)


@pytest.fixture
def other_branch(db):
    other = make_branch(db, regencies=("11.71",))
    return {
        "cabang": make_user(db, "cabang", branch_code=other.code),
        "duta": make_user(db, "duta", villages=(VILLAGE_OTHER_BRANCH,), branch_code=other.code),
    }
