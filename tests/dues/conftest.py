"""Fixtures for the dues tests (the branch and its people come from tests/conftest.py): another branch's
officer, an approved member."""

import pytest

from app.dues import deposits as dues_deposits
from app.dues import groups as dues_groups
from app.dues import service as dues_service
from tests.factories import VILLAGE_OTHER_BRANCH, make_branch, make_member, make_user


@pytest.fixture
def other_cabang(db):
    other = make_branch(db, regencies=("11.71",))
    return make_user(db, "cabang", branch_code=other.code)


@pytest.fixture
def other_duta(db, other_cabang):
    return make_user(db, "duta", villages=(VILLAGE_OTHER_BRANCH,), branch_code=other_cabang.branch_code)


@pytest.fixture
def member(db, duta):
    return make_member(db, duta, status="approved", full_name="Budi Santoso", phone="+6281234567890")


TODAY = __import__("datetime").date(2026, 11, 23)


@pytest.fixture
def fixed_today(monkeypatch):
    """The service's idea of today (WIB), pinned so months in assertions are exact."""
    for module in (dues_service, dues_deposits, dues_groups):
        monkeypatch.setattr(module, "today", lambda: TODAY)
    return TODAY
