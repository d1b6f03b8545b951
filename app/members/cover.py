"""Cover status on a day, from `covered_until` alone (the last covered month)."""

import datetime as dt

from sqlalchemy import and_, or_

from app.core.clock import month_start
from app.core.i18n import lazy_gettext
from app.core.labels import Labelled


class CoverStatus(Labelled):
    aktif = "aktif", lazy_gettext("Active")
    jatuh_tempo = "jatuh_tempo", lazy_gettext("Due this month")
    nonaktif = "nonaktif", lazy_gettext("Inactive")


def cover_status(covered_until: dt.date | None, day: dt.date) -> CoverStatus:
    this_month = month_start(day)
    if covered_until is None or covered_until < this_month:
        return CoverStatus.nonaktif
    if covered_until == this_month:
        return CoverStatus.jatuh_tempo
    return CoverStatus.aktif


def cover_clause(column, status: str, day: dt.date):
    """The same rule as `cover_status`, as an indexable WHERE clause on `covered_until`."""
    this_month = month_start(day)
    return {
        CoverStatus.aktif.value: column > this_month,
        CoverStatus.jatuh_tempo.value: column == this_month,
        CoverStatus.nonaktif.value: or_(column.is_(None), and_(column < this_month)),
    }[status]
