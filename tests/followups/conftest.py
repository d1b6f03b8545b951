"""Fixtures for the follow-up tests: a branch with two villages' `duta`s and its `cabang`."""

import pytest

from tests.factories import VILLAGE_A, VILLAGE_B, make_branch, make_user


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
