"""Reminders: members whose cover ends this month and those lapsed in the last three months."""

from urllib.parse import unquote

from app.core.clock import add_months
from app.dues import reminders as dues_reminders
from tests.factories import VILLAGE_B, actor_of, make_member


def test_reminder_list_and_polite_whatsapp_text(db, duta, fixed_today):
    this_month = fixed_today.replace(day=1)
    due = make_member(db, duta, status="approved", full_name="Ani", covered_until=this_month, phone="+6281311112222")
    lapsed = [make_member(db, duta, status="approved", covered_until=add_months(this_month, -n)) for n in (1, 2, 3)]
    make_member(db, duta, status="approved", covered_until=add_months(this_month, -4))  # too long ago
    make_member(db, duta, status="approved", covered_until=add_months(this_month, 1))  # still active
    make_member(db, duta, status="submitted", covered_until=this_month)  # not a member yet
    make_member(db, duta, status="approved", covered_until=this_month, village_code=VILLAGE_B)  # not its village
    items = dues_reminders.reminders(db, actor_of(db, duta), fixed_today)
    assert [r.member.id for r in items] == [due.id] + [m.id for m in lapsed]
    assert [r.kind for r in items] == ["due", "lapsed", "lapsed", "lapsed"]
    first = items[0]
    assert first.monthly_amount == 16800
    assert first.whatsapp_url.startswith("https://wa.me/6281311112222?text=")
    message = unquote(first.whatsapp_url.split("text=", 1)[1])
    assert "Yth. Bapak/Ibu Ani" in message and "Rp16.800" in message and "November 2026" in message
    assert "Terima kasih" in message
    assert "telah berakhir" in unquote(items[1].whatsapp_url)
