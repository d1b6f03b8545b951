"""The follow-up pages: every list with its count, one list in full, the day's visits, and the nav link."""

import datetime as dt
import html

from app.core.clock import add_months, month_start, today
from app.followups.models import Contact
from tests.factories import make_member, web_login

ID = {"Accept-Language": "id"}


def test_lists_page_shows_counts_rows_and_links(client, db, duta):
    this_month = month_start(today())
    for index in range(7):
        make_member(
            db, duta, status="approved", full_name=f"Warga Lama {index}", covered_until=add_months(this_month, -6)
        )
    make_member(db, duta, status="draft", full_name="Warga Draf")
    web_login(client, duta)
    page = client.get("/followups", headers=ID)
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert 'href="/followups"' in text  # the menu leads here
    assert "Nonaktif lebih lama: ajak kembali" in text and "Warga Draf" in text
    assert text.count("Warga Lama") == 5  # the first few; the rest a tap away
    assert 'href="/followups/lapsed_long">Lihat semua 7' in text
    assert text.count("Tidak ada peserta di daftar ini.") == 5


def test_one_list_in_full_with_pages(client, db, duta):
    for index in range(21):
        make_member(db, duta, status="draft", full_name=f"Warga Draf {index:02d}")
    web_login(client, duta)
    first = html.unescape(client.get("/followups/drafts", headers=ID).text)
    assert first.count("Warga Draf") == 20 and "Halaman 1 dari 2" in first
    assert html.unescape(client.get("/followups/drafts?page=2", headers=ID).text).count("Warga Draf") == 1
    assert client.get("/followups/semua").status_code == 404  # no such list


def test_visit_list_of_the_day(client, db, duta):
    member = make_member(db, duta, status="approved", full_name="Rina Kunjung", address="Dusun II", rt="003", rw="001")
    db.add(
        Contact(
            member_id=member.id,
            outcome="janji_bayar",
            promised_on=today(),
            note="Bawa uang panen",
            recorded_by_id=duta.id,
            recorded_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=2),
        )
    )
    db.commit()
    web_login(client, duta)
    text = html.unescape(client.get("/followups/visits", headers=ID).text)
    assert "Rina Kunjung" in text and "Dusun II, RT 003/RW 001" in text and "Bawa uang panen" in text
    assert "Janji bayar" in text
