"""Each role's home page, the dashboard page and the report downloads for logged-in users."""

import datetime as dt

from babel.dates import format_date
from fastapi import APIRouter, Depends, Request

from app.auth.deps import WebActor, csrf_protect
from app.auth.models import User
from app.core import i18n
from app.core.db import SessionDep
from app.core.i18n import _, ngettext
from app.core.templating import render
from app.dues.models import Channel
from app.events.models import EventKind
from app.programme.models import Stage
from app.reports import api as report_api
from app.reports.charts import COLOURS, Series, bar_chart, hbar_chart, line_chart
from app.reports.exports import EXPORT_ROLES
from app.reports.retention import NONE, retention
from app.reports.service import dashboard, home_context

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


@router.get("/")
def home(request: Request, actor: WebActor, session: SessionDep):
    user = session.get(User, actor.id)
    # The greeting names the person; an account without a full name falls back to its username.
    greeting_name = (user.full_name if user is not None else "") or actor.username
    return render(request, f"home/{actor.role}.html", home_context(session, actor) | {"greeting_name": greeting_name})


def charts(data: dict) -> dict:
    points = data["trend"]
    labels = [
        format_date(dt.date.fromisoformat(p["month"] + "-01"), "MMM yy", locale=i18n.get_locale()) for p in points
    ]
    stages = Stage.labels()
    return {
        "active": line_chart(
            _("Active members per month"),
            labels,
            [Series(_("Active"), [p["active"] for p in points], COLOURS[0])],
            whole=True,
        ),
        "flow": bar_chart(
            _("New and lapsed members per month"),
            labels,
            [
                Series(_("New"), [p["new"] for p in points], COLOURS[1]),
                Series(_("Lapsed"), [p["lapsed"] for p in points], COLOURS[2]),
            ],
            whole=True,
        ),
        "churn": line_chart(
            _("Churn per month (lapsed / active at the start of the month)"),
            labels,
            [Series(_("Churn"), [p["churn"] for p in points], COLOURS[3])],
            suffix="%",
        ),
        "stages": hbar_chart(
            _("Villages by Desa Sadar stage"),
            [(stages[s], n) for s, n in data["villages_by_stage"].items() if s in stages],
        ),
        "labels": labels,
    }


@router.get("/dashboard")
def dashboard_page(
    request: Request,
    actor: WebActor,
    session: SessionDep,
    scope: str | None = None,
    sort: str | None = None,
):
    data = dashboard(session, actor, scope, sort=sort)
    return render(
        request,
        "reports/dashboard.html",
        {
            "data": data,
            "charts": charts(data),
            "event_kind_labels": EventKind.labels(),
            "can_export": actor.role in EXPORT_ROLES,
        },
    )


@router.get("/reports/members.csv")
def members_csv(actor: WebActor, session: SessionDep, scope: str | None = None):
    return report_api.members_csv_response(session, actor, scope)


@router.get("/reports/members.xlsx")
def members_xlsx(actor: WebActor, session: SessionDep, scope: str | None = None):
    return report_api.members_xlsx_response(session, actor, scope)


@router.get("/reports/villages.csv")
def villages_csv(actor: WebActor, session: SessionDep, scope: str | None = None):
    return report_api.villages_csv_response(session, actor, scope)


@router.get("/reports/villages.xlsx")
def villages_xlsx(actor: WebActor, session: SessionDep, scope: str | None = None):
    return report_api.villages_xlsx_response(session, actor, scope)


@router.get("/reports/kpj-waiting.csv")
def kpj_waiting_csv(actor: WebActor, session: SessionDep):
    return report_api.kpj_waiting_response(session, actor, "csv")


@router.get("/reports/kpj-waiting.xlsx")
def kpj_waiting_xlsx(actor: WebActor, session: SessionDep):
    return report_api.kpj_waiting_response(session, actor, "xlsx")


@router.get("/reports/payments.csv")
def payments_csv(actor: WebActor, session: SessionDep, scope: str | None = None):
    return report_api.payments_csv_response(session, actor, scope)


@router.get("/reports/payments.xlsx")
def payments_xlsx(actor: WebActor, session: SessionDep, scope: str | None = None):
    return report_api.payments_xlsx_response(session, actor, scope)


def retention_chart(data: dict):
    """The share of members still aktif 1, 3, 6 and 12 months after their first covered month."""
    labels = [ngettext("after %(num)d month", "after %(num)d months", int(n)) for n in data["horizons"]]
    values = [data["overall"][n]["percent"] for n in data["horizons"]]
    return bar_chart(
        _("Members still active after their first covered month"),
        labels,
        [Series(_("Active"), values, COLOURS[0])],
        suffix="%",
    )


@router.get("/retention")
def retention_page(request: Request, actor: WebActor, session: SessionDep, scope: str | None = None):
    data = retention(session, actor, scope)
    event_kinds = EventKind.labels() | {NONE: _("No event")}
    return render(
        request,
        "reports/retention.html",
        {
            "data": data,
            "chart": retention_chart(data),
            "cohort_months": [dt.date.fromisoformat(row["month"] + "-01") for row in data["cohorts"]],
            "event_kind_labels": event_kinds,
            "channel_labels": {row["channel"]: Channel.label_of(row["channel"]) for row in data["by_channel"]},
            "can_export": actor.role in EXPORT_ROLES,
        },
    )


@router.get("/reports/retention.csv")
def retention_csv(actor: WebActor, session: SessionDep, scope: str | None = None):
    return report_api.retention_csv_response(session, actor, scope)


@router.get("/reports/retention.xlsx")
def retention_xlsx(actor: WebActor, session: SessionDep, scope: str | None = None):
    return report_api.retention_xlsx_response(session, actor, scope)
