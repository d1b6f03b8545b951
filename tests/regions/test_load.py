"""The region's geography comes from the real Kemendagri codes, and reloading it keeps programme data."""

from sqlalchemy import func
from sqlmodel import select

from app.regions.models import District, Province, Regency, Village
from app.regions.service import load_regions, villages_under
from tests.factories import make_branch


def _count(db, model, *where):
    return db.exec(select(func.count()).select_from(model).where(*where)).one()


def test_real_geography_is_loaded(db):
    assert {p.code: p.name for p in db.exec(select(Province)).all()} == {"11": "Aceh", "12": "Sumatera Utara"}
    assert _count(db, Village, Village.province_code == "11") == 6500
    assert _count(db, Village, Village.province_code == "12") == 6110
    assert _count(db, Village) == 12610
    assert db.get(Village, "11.71.01.2001").name == "Kampung Baru"
    village = db.get(Village, "12.07.02.2001")
    assert (village.name, village.district_code, village.regency_code, village.province_code) == (
        "Medan Senembah",
        "12.07.02",
        "12.07",
        "12",
    )
    assert db.get(Regency, "12.07").name.upper().endswith("DELI SERDANG")
    assert db.get(District, "12.07.02").regency_code == "12.07"


def test_every_village_hangs_under_its_own_codes(db):
    bad = _count(
        db,
        Village,
        func.substr(Village.code, 1, 8) != Village.district_code,
    )
    assert bad == 0


def test_load_is_idempotent_and_keeps_programme_data(db):
    village = db.get(Village, "12.07.02.2001")
    village.stage = "sosialisasi"
    village.estimated_informal_workers = 850
    make_branch(db, code="KEEP", regencies=("12.07",))
    db.commit()

    report = load_regions(db)

    assert report.added == 0
    assert report.villages == 12610
    assert _count(db, Village) == 12610
    db.expire_all()
    village = db.get(Village, "12.07.02.2001")
    assert village.stage == "sosialisasi"
    assert village.estimated_informal_workers == 850
    assert db.get(Regency, "12.07").branch_code == "KEEP"


def test_load_restores_a_renamed_village(db):
    db.get(Village, "11.71.01.2001").name = "Salah Nama"
    db.commit()
    load_regions(db)
    db.expire_all()
    assert db.get(Village, "11.71.01.2001").name == "Kampung Baru"


def test_villages_under_a_district(db):
    villages = villages_under(db, "12.07.02")
    assert len(villages) == 26
    assert [v.code for v in villages] == sorted(v.code for v in villages)
    assert all(v.district_code == "12.07.02" for v in villages)
