"""GET /api/v1/villages and /api/v1/villages/{code} as docs/api.md § 5.2 says."""

from app.regions.models import Village
from tests.factories import VILLAGE_A, api_headers, make_branch, make_member, make_user


def _wilayah(client, db):
    return api_headers(client, make_user(db, "wilayah"))


def test_list_is_paged_and_counts_all(client, db):
    headers = _wilayah(client, db)
    first = client.get("/api/v1/villages", headers=headers).json()
    assert first["total"] == 12610
    assert first["page"] == 1
    assert len(first["items"]) == first["page_size"] == 100
    second = client.get("/api/v1/villages", params={"page": 2}, headers=headers).json()
    assert second["items"][0]["code"] > first["items"][-1]["code"]
    item = first["items"][0]
    assert {"code", "name", "stage"} <= item.keys()


def test_page_beyond_the_end_is_empty_and_page_zero_is_refused(client, db):
    headers = _wilayah(client, db)
    assert client.get("/api/v1/villages", params={"page": 1000}, headers=headers).json()["items"] == []
    assert client.get("/api/v1/villages", params={"page": 0}, headers=headers).status_code == 422


def test_parent_filter_by_province_regency_and_district(client, db):
    headers = _wilayah(client, db)
    for parent, total in (("11", 6500), ("12", 6110), ("12.07.02", 26)):
        body = client.get("/api/v1/villages", params={"parent": parent}, headers=headers).json()
        assert body["total"] == total, parent
        assert all(item["code"].startswith(parent + ".") for item in body["items"])
    regency = client.get("/api/v1/villages", params={"parent": "12.07"}, headers=headers).json()
    assert regency["total"] > 300
    assert all(item["regency_code"] == "12.07" for item in regency["items"])


def test_bad_parent_is_422_naming_the_field(client, db):
    headers = _wilayah(client, db)
    for parent in ("1", "12.0", VILLAGE_A):
        response = client.get("/api/v1/villages", params={"parent": parent}, headers=headers)
        assert response.status_code == 422, parent
        assert response.json()["detail"][0]["loc"][-1] == "parent"


def test_stage_filter(client, db):
    db.get(Village, VILLAGE_A).stage = "calon"
    db.get(Village, "11.71.01.2001").stage = "calon"
    db.get(Village, "12.07.02.2003").stage = "sosialisasi"
    db.commit()
    headers = _wilayah(client, db)
    body = client.get("/api/v1/villages", params={"stage": "calon"}, headers=headers).json()
    assert body["total"] == 2
    assert {item["code"] for item in body["items"]} == {VILLAGE_A, "11.71.01.2001"}
    both = client.get("/api/v1/villages", params={"stage": "calon", "parent": "12"}, headers=headers).json()
    assert [item["code"] for item in both["items"]] == [VILLAGE_A]


def test_village_detail_fields(client, db):
    make_branch(db, code="LBP", regencies=("12.07",))
    village = db.get(Village, VILLAGE_A)
    village.estimated_informal_workers = 640
    db.commit()
    registrar = make_user(db, "duta", villages=(VILLAGE_A,))
    make_member(db, registrar, status="submitted")
    make_member(db, registrar, status="rejected")
    headers = _wilayah(client, db)
    response = client.get(f"/api/v1/villages/{VILLAGE_A}", headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == VILLAGE_A
    assert body["name"] == "Medan Senembah"
    assert body["district"].upper() == "TANJUNG MORAWA"
    assert body["regency"].upper().endswith("DELI SERDANG")
    assert body["province"] == "Sumatera Utara"
    assert body["branch_code"] == "LBP"
    assert body["stage"] is None
    assert body["estimated_informal_workers"] == 640
    counts = body["counts"]
    assert {"submitted", "approved", "rejected", "aktif", "jatuh_tempo", "nonaktif"} <= counts.keys()
    assert counts["submitted"] == 1
    assert counts["rejected"] == 1
    assert counts["approved"] == 0


def test_unknown_village_is_404(client, db):
    response = client.get("/api/v1/villages/99.99.99.9999", headers=_wilayah(client, db))
    assert response.status_code == 404
    assert "detail" in response.json()


def test_villages_need_a_token(client):
    assert client.get("/api/v1/villages").status_code == 401
    assert client.get(f"/api/v1/villages/{VILLAGE_A}").status_code == 401
