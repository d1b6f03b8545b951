"""JSON dashboard and CSV/XLSX reports for partners and the regional office."""

from fastapi import APIRouter
from fastapi.responses import Response, StreamingResponse
from sqlmodel import Session

from app.auth.deps import ApiActor
from app.auth.scope import Actor
from app.core.db import SessionDep
from app.core.downloads import file_headers
from app.reports import exports, payment_exports, retention_exports
from app.reports.retention import retention
from app.reports.service import dashboard

router = APIRouter(tags=["reports"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


@router.get("/dashboard")
def get_dashboard(actor: ApiActor, session: SessionDep, scope: str | None = None):
    """Numbers of one area (`region`, `province:12`, `branch:CODE`, `village:CODE`; default: the caller's own).
    `counts.aktif` etc. follow the member list's cover filter; `trend` is per month (`YYYY-MM`)."""
    data = dashboard(session, actor, scope)
    data.pop("sort", None)
    return data


@router.get("/retention")
def get_retention(actor: ApiActor, session: SessionDep, scope: str | None = None):
    """Retention of one area (the dashboard's scopes): cohorts by first covered month (`YYYY-MM`) with the
    members aktif after 1, 3, 6 and 12 months (null when that month is still to come), members restarted
    after a gap, and lapse rates by village (highest first), kind of event and first payment's channel."""
    return retention(session, actor, scope)


def members_csv_response(session: Session, actor: Actor, scope: str | None) -> StreamingResponse:
    area, _rows = exports.prepare_members(session, actor, scope, "csv")
    return StreamingResponse(
        exports.members_csv(session, actor, area),
        media_type=CSV,
        headers=file_headers(exports.filename("peserta", area, "csv")),
    )


def members_xlsx_response(session: Session, actor: Actor, scope: str | None) -> Response:
    area, _rows = exports.prepare_members(session, actor, scope, "xlsx")
    return Response(
        exports.members_xlsx(session, actor, area),
        media_type=XLSX,
        headers=file_headers(exports.filename("peserta", area, "xlsx")),
    )


def villages_csv_response(session: Session, actor: Actor, scope: str | None) -> StreamingResponse:
    area, rows = exports.prepare_villages(session, actor, scope, "csv")
    return StreamingResponse(
        exports.villages_csv(rows), media_type=CSV, headers=file_headers(exports.filename("desa", area, "csv"))
    )


def villages_xlsx_response(session: Session, actor: Actor, scope: str | None) -> Response:
    area, rows = exports.prepare_villages(session, actor, scope, "xlsx")
    return Response(
        exports.villages_xlsx(rows), media_type=XLSX, headers=file_headers(exports.filename("desa", area, "xlsx"))
    )


@router.get("/reports/members.csv", response_class=StreamingResponse)
def report_members_csv(
    actor: ApiActor,
    session: SessionDep,
    scope: str | None = None,
):
    """Members of the area, NIK masked, Indonesian column names, streamed."""
    return members_csv_response(session, actor, scope)


@router.get("/reports/members.xlsx", response_class=Response)
def report_members_xlsx(
    actor: ApiActor,
    session: SessionDep,
    scope: str | None = None,
):
    return members_xlsx_response(session, actor, scope)


@router.get("/reports/villages.csv", response_class=StreamingResponse)
def report_villages_csv(
    actor: ApiActor,
    session: SessionDep,
    scope: str | None = None,
):
    """Villages of the area: stage, estimated informal workers, members, coverage, this year's targets."""
    return villages_csv_response(session, actor, scope)


@router.get("/reports/villages.xlsx", response_class=Response)
def report_villages_xlsx(
    actor: ApiActor,
    session: SessionDep,
    scope: str | None = None,
):
    return villages_xlsx_response(session, actor, scope)


def kpj_waiting_response(session: Session, actor: Actor, fmt: str) -> Response:
    rows = exports.kpj_waiting_rows(session, actor, fmt)
    name = f"menunggu-kpj-{actor.branch_code or 'cabang'}.{fmt}".lower()
    if fmt == "csv":
        return StreamingResponse(exports.kpj_waiting_csv(rows), media_type=CSV, headers=file_headers(name))
    return Response(exports.kpj_waiting_xlsx(rows), media_type=XLSX, headers=file_headers(name))


@router.get("/reports/kpj-waiting.csv", response_class=StreamingResponse)
def report_kpj_waiting_csv(actor: ApiActor, session: SessionDep):
    """(`cabang`) Approved members of the branch without a KPJ, whole NIK, to enter in the core system."""
    return kpj_waiting_response(session, actor, "csv")


@router.get("/reports/kpj-waiting.xlsx", response_class=Response)
def report_kpj_waiting_xlsx(actor: ApiActor, session: SessionDep):
    return kpj_waiting_response(session, actor, "xlsx")


def retention_csv_response(session: Session, actor: Actor, scope: str | None) -> StreamingResponse:
    area, data = retention_exports.prepare(session, actor, scope, "csv")
    return StreamingResponse(
        retention_exports.retention_csv(data),
        media_type=CSV,
        headers=file_headers(exports.filename("retensi", area, "csv")),
    )


def retention_xlsx_response(session: Session, actor: Actor, scope: str | None) -> Response:
    area, data = retention_exports.prepare(session, actor, scope, "xlsx")
    return Response(
        retention_exports.retention_xlsx(data),
        media_type=XLSX,
        headers=file_headers(exports.filename("retensi", area, "xlsx")),
    )


@router.get("/reports/retention.csv", response_class=StreamingResponse)
def report_retention_csv(actor: ApiActor, session: SessionDep, scope: str | None = None):
    """The retention cohorts of the area, Indonesian column names."""
    return retention_csv_response(session, actor, scope)


@router.get("/reports/retention.xlsx", response_class=Response)
def report_retention_xlsx(actor: ApiActor, session: SessionDep, scope: str | None = None):
    """Cohorts, the villages with the highest lapse rate, lapse by kind of event and by channel: one sheet each."""
    return retention_xlsx_response(session, actor, scope)


def payments_csv_response(session: Session, actor: Actor, scope: str | None) -> StreamingResponse:
    area = payment_exports.prepare(session, actor, scope, "csv")
    return StreamingResponse(
        payment_exports.payments_csv(session, actor, area),
        media_type=CSV,
        headers=file_headers(exports.filename("iuran", area, "csv")),
    )


def payments_xlsx_response(session: Session, actor: Actor, scope: str | None) -> Response:
    area = payment_exports.prepare(session, actor, scope, "xlsx")
    return Response(
        payment_exports.payments_xlsx(session, actor, area),
        media_type=XLSX,
        headers=file_headers(exports.filename("iuran", area, "xlsx")),
    )


@router.get("/reports/payments.csv", response_class=StreamingResponse)
def report_payments_csv(actor: ApiActor, session: SessionDep, scope: str | None = None):
    """This year's payments of the area, one row per receipt with its payer (`Pembayar`), streamed."""
    return payments_csv_response(session, actor, scope)


@router.get("/reports/payments.xlsx", response_class=Response)
def report_payments_xlsx(actor: ApiActor, session: SessionDep, scope: str | None = None):
    """This year's payments of the area, one row per receipt with its payer (`Pembayar`)."""
    return payments_xlsx_response(session, actor, scope)
