"""The payment code: the member number with a Damm check digit. Every single mistyped digit and every
swap of two neighbouring digits is refused with a message in Indonesian; spaces are tolerated; only an
approved member has one, found within the actor's area."""

import pytest

from app.core import i18n
from app.core.errors import Invalid, NotFound
from app.members.payment_code import grouped, member_by_payment_code, parse_payment_code, payment_code
from tests.factories import VILLAGE_A, VILLAGE_OTHER_BRANCH, actor_of, make_member, make_user

NUMBERS = ["26000000001", "26000012345", "25123456789", "26000000090", "27999999999"]


@pytest.fixture(autouse=True)
def indonesian():
    token = i18n.set_locale("id")
    yield
    i18n.reset_locale(token)


def _code(number: str) -> str:
    code = payment_code(_approved(number))
    assert code is not None
    return code


def _approved(number: str):
    from app.members.models import Member

    return Member(status="approved", member_number=number)


@pytest.mark.parametrize("number", NUMBERS)
def test_the_code_is_the_number_and_one_digit_and_reads_back(number):
    code = _code(number)
    assert len(code) == 12 and code[:-1] == number
    assert parse_payment_code(code) == code
    assert parse_payment_code(f"  {grouped(code)} ") == code  # as printed: 2600 0000 0016
    assert parse_payment_code(code[:4] + "-" + code[4:]) == code


@pytest.mark.parametrize("number", NUMBERS)
def test_every_single_digit_typo_is_caught(number):
    code = _code(number)
    for place in range(len(code)):
        for digit in "0123456789":
            if digit == code[place]:
                continue
            typo = code[:place] + digit + code[place + 1 :]
            with pytest.raises(Invalid) as refused:
                parse_payment_code(typo)
            assert refused.value.errors == {"code": "Kode bayar ini salah ketik: periksa lagi angka-angkanya."}


@pytest.mark.parametrize("number", NUMBERS)
def test_every_swap_of_neighbouring_digits_is_caught(number):
    code = _code(number)
    for place in range(len(code) - 1):
        if code[place] == code[place + 1]:
            continue
        swapped = code[:place] + code[place + 1] + code[place] + code[place + 2 :]
        with pytest.raises(Invalid):
            parse_payment_code(swapped)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Masukkan kode bayar."),
        ("   ", "Masukkan kode bayar."),
        ("2600000000", "Kode bayar terdiri dari 12 angka."),
        ("26000000001X", "Kode bayar terdiri dari 12 angka."),
        ("9" * 200, "Kode bayar terdiri dari 12 angka."),
    ],
)
def test_what_is_not_a_code_says_so(typed, message):
    with pytest.raises(Invalid) as refused:
        parse_payment_code(typed, field="kode")
    assert refused.value.errors == {"kode": message}


def test_only_an_approved_member_with_a_number_has_one():
    from app.members.models import Member

    assert payment_code(Member(status="submitted", member_number=None)) is None
    assert payment_code(Member(status="rejected", member_number="26000000001")) is None
    assert payment_code(Member(status="approved", member_number=None)) is None
    assert grouped(None) == ""


def test_a_code_finds_its_member_within_the_area(db):
    duta = make_user(db, "duta", villages=(VILLAGE_A,))
    other = make_user(db, "duta", villages=(VILLAGE_OTHER_BRANCH,))
    member = make_member(db, duta, VILLAGE_A, status="approved")
    code = payment_code(member)
    assert member_by_payment_code(db, actor_of(db, duta), grouped(code)).id == member.id
    with pytest.raises(NotFound) as unknown:
        member_by_payment_code(db, actor_of(db, other), code)  # outside the area: as unknown
    assert unknown.value.field == "code" and unknown.value.message == "Tidak ada peserta dengan kode bayar ini."
    waiting = make_member(db, duta, VILLAGE_A, status="submitted", member_number="26999999998")
    with pytest.raises(NotFound):
        member_by_payment_code(db, actor_of(db, duta), payment_code(_approved(waiting.member_number)))
