"""Outreach events: where and when the programme met workers, and with whom."""

import datetime as dt

from sqlmodel import Field, SQLModel

from app.core.clock import utcnow
from app.core.i18n import lazy_gettext
from app.core.labels import Labelled


class EventKind(Labelled):
    sosialisasi = "sosialisasi", lazy_gettext("Socialisation")
    senam_bersama = "senam_bersama", lazy_gettext("Group exercise")
    jemput_bola = "jemput_bola", lazy_gettext("Door to door")
    kemitraan = "kemitraan", lazy_gettext("Partnership")


class Event(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20, index=True)
    title: str = Field(max_length=160)
    date: dt.date = Field(index=True)
    place: str = Field(max_length=160)
    village_code: str | None = Field(default=None, foreign_key="village.code", index=True, max_length=13)
    branch_code: str | None = Field(default=None, foreign_key="branch.code", index=True, max_length=20)
    attendance: int = 0
    partners: str = Field(default="", max_length=500)
    # A `kemitraan` event's partner, when it is one kept on /partners.
    partner_id: int | None = Field(default=None, foreign_key="partner.id", index=True)
    created_by_id: int = Field(foreign_key="user.id")
    created_at: dt.datetime = Field(default_factory=utcnow)
