"""Everything a dashboard and a home page show for one area, from the numbers (`counts`), the tables of
areas (`areas`) and the targets (`targets`) of the area (`scope`)."""

import datetime as dt

from sqlmodel import Session, select

from app.auth.models import Role
from app.auth.scope import Actor, village_clause
from app.claims import service as claims
from app.core.clock import today
from app.dues.deposits import cash_context
from app.followups import service as followups
from app.followups.models import OUTCOME_LABELS
from app.members.service import rejected_registrations, status_counts
from app.pmi import service as pmi
from app.programme.models import Stage
from app.regions.models import Village
from app.reports.areas import area_tables, regency_status_rows, sort_rows
from app.reports.counts import (
    cash_held,
    dues_by_channel,
    dues_by_partner,
    dues_by_payer,
    dues_without_duta_cash,
    event_yield,
    members_by_registration,
    monthly_rollup,
    new_counts,
    scope_counts,
    tally,
    trend,
    trend_months,
    villages_by_stage,
)
from app.reports.scope import Scope, area_clause, member_scope, natural_scope, parse_scope, percent
from app.reports.targets import baselines, targets

# At most this many rows of a table of villages in a dashboard (after sorting); the full list is /villages
# and the villages export.
VILLAGE_TABLE_LIMIT = 50


def _counts_and_tables(session: Session, actor: Actor, scope: Scope, day: dt.date, monthly: dict):
    if scope.kind in ("region", "province"):
        status_rows = regency_status_rows(session, actor, scope)
        counts = tally(((status, until, n) for _regency, status, until, n in status_rows), day)
        counts = new_counts(counts, monthly, day)
        tables = area_tables(session, actor, scope, day, status_rows)
    else:
        counts, _new = scope_counts(session, actor, scope, day, monthly)
        tables = area_tables(session, actor, scope, day)
    return counts, tables


def dashboard(
    session: Session,
    actor: Actor,
    scope_text: str | None = None,
    day: dt.date | None = None,
    sort: str | None = None,
) -> dict:
    """Everything a dashboard shows for one area, in a fixed number of queries whatever its size."""
    day = day or today()
    scope = parse_scope(session, actor, scope_text)
    monthly = monthly_rollup(session, actor, scope, day)
    counts, tables = _counts_and_tables(session, actor, scope, day, monthly)
    new_by_month = [monthly.get(m, (0, 0, 0))[1] for m in trend_months(day)]
    stages, estimate = villages_by_stage(session, actor, scope)
    counts["diresmikan"] = stages.get(Stage.diresmikan.value, 0)
    for level, rows in tables.items():
        tables[level] = sort_rows(rows, sort)
    target_rows = targets(session, scope, day, counts, tables)
    totals = {level: len(rows) for level, rows in tables.items()}
    if "village" in tables:
        tables["village"] = tables["village"][:VILLAGE_TABLE_LIMIT]
    cash, dutas = cash_held(session, actor, scope, day)
    by_channel = dues_by_channel(session, actor, scope, day)
    return {
        "scope": scope.key,
        "scope_kind": scope.kind,
        "scope_name": scope.name,
        "parents": [
            {"scope": "region" if kind == "region" else f"{kind}:{code}", "name": name}
            for kind, code, name in scope.parents
        ],
        "day": day.isoformat(),
        "counts": counts,
        "villages_by_stage": stages,
        "targets": target_rows,
        "cash_held": cash,
        "cash_held_dutas": dutas,
        "dues_by_payer": dues_by_payer(session, actor, scope, day),
        "dues_by_channel": by_channel,
        "dues_without_duta_cash": dues_without_duta_cash(by_channel),
        "dues_by_partner": dues_by_partner(session, actor, scope, day),
        "members_by_registration": members_by_registration(session, actor, scope, counts["approved"]),
        "coverage": {
            "aktif": counts["aktif"],
            "estimate": estimate["estimate"],
            "villages_with_estimate": estimate["villages_with_estimate"],
            "percent": percent(counts["aktif"], estimate["estimate"]) if estimate["villages_with_estimate"] else None,
        },
        "baselines": baselines(session, scope, day),
        "trend": trend(session, actor, scope, day, new_by_month, monthly),
        "event_yield": event_yield(session, actor, scope),
        "claims": claims.counts(session, member_scope(actor, scope)),
        "pmi": pmi.yearly_count(session, lambda column: area_clause(actor, scope, column), day.year),
        "tables": tables,
        "table_totals": totals,
        "sort": sort or "",
    }


# ----------------------------------------------------------------------------------------------- home


HOME_VISITS = 10  # today's visits on the duta's home; the whole day's list is printable


def home_context(session: Session, actor: Actor) -> dict:
    if actor.role == Role.duta.value:
        context = {
            "counts": status_counts(session, actor),
            "villages": session.exec(
                select(Village).where(village_clause(actor, Village.code)).order_by(Village.code).limit(50)
            ).all(),
            "rejected": rejected_registrations(session, actor),  # registrations to correct, at the top
            "followup_counts": followups.counts(session, actor),
            "visits": followups.visits(session, actor, limit=HOME_VISITS),
            "list_labels": followups.LIST_LABELS,
            "outcome_labels": OUTCOME_LABELS,
        }
    else:
        # The same counts come with the key numbers: one pass over the members, not two.
        context = home_numbers(session, actor)
    # Cash held, deposits waiting and refunds due come from the dues domain.
    context.update(cash_context(session, actor))
    return context


def home_numbers(session: Session, actor: Actor) -> dict:
    """The few numbers a branch officer's or supervisor's home shows, linking on to the dashboard
    (cash held, deposits and refunds come from the dues part of the home context)."""
    day = today()
    scope = natural_scope(session, actor)
    stages, estimate = villages_by_stage(session, actor, scope)
    counts, _new = scope_counts(session, actor, scope, day)
    counts["diresmikan"] = stages.get(Stage.diresmikan.value, 0)
    programme = (
        sort_rows(area_tables(session, actor, scope, day).get("village", []), "-aktif")
        if actor.role == Role.cabang.value
        else []
    )
    return {
        "scope": scope,
        "key_numbers": counts,
        "stages": stages,
        "coverage_percent": percent(counts["aktif"], estimate["estimate"])
        if estimate["villages_with_estimate"]
        else None,
        "year_targets": targets(session, scope, day, counts, {}),
        # A branch's programme villages (stage, coverage), most active first, at most
        # VILLAGE_TABLE_LIMIT; the rest on the dashboard and /villages.
        "programme_villages": programme[:VILLAGE_TABLE_LIMIT],
        "programme_villages_total": len(programme),
    }
