"""The programme around the members: outreach events, Desa Sadar stages with their history, each
village's estimate of informal workers, and the year's targets and province baselines."""

import datetime as dt
import json

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import col

from app.events.models import Event
from app.generator.context import Context
from app.generator.data import EVENT_KINDS, PARTNERS, cumulative, pick
from app.generator.people import Official, Place
from app.generator.writer import table_of
from app.programme.models import (
    STAGE_ORDER,
    OfficialPosition,
    ProvinceBaseline,
    Stage,
    StageChange,
    Target,
    VillageOfficial,
)
from app.regions.models import Village

_EVENT_KINDS = cumulative(EVENT_KINDS)
_TITLES = {
    "jemput_bola": "Jemput bola door to door",
    "sosialisasi": "Sosialisasi BPJS Ketenagakerjaan",
    "senam_bersama": "Senam bersama dan pendaftaran",
    "kemitraan": "Kemitraan",
}


# A roster's positions in order: the head and the secretary first, as a village lists them.
POSITIONS = (
    OfficialPosition.kepala_desa.value,
    OfficialPosition.sekretaris_desa.value,
    *[OfficialPosition.kaur.value] * 3,
    *[OfficialPosition.kasi.value] * 3,
    *[OfficialPosition.kepala_dusun.value] * 3,
)


class Programme:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.stage_of: dict[str, int] = {}  # village code -> the last stage (index in STAGE_ORDER) it reached
        self.staged: list[tuple[str, dt.date, str]] = []  # (stage, since, village code)

    def plan_stages(self, villages: list[Place], counts: list[int]) -> None:
        """About one village in twenty joins the programme, the bigger ones more often; twelve are already
        diresmikan. Villages with a stage already (the demo's) keep their history."""
        rng = self.ctx.rng
        candidates = sorted((i for i, c in enumerate(counts) if c), key=lambda i: -counts[i])
        chosen = [i for rank, i in enumerate(candidates) if rng.random() < (0.5 if rank < 200 else 0.04)]
        for position, index in enumerate(chosen):
            stage = 4 if position < 12 else pick(rng, ([0, 1, 2, 3], [35, 65, 88, 100]))
            if villages[index].stage is None:
                self.stage_of[villages[index].code] = stage

    def event(self, kind: str, on: int, village: str | None, branch: str | None, by: int) -> int:
        ctx, rng = self.ctx, self.ctx.rng
        event_id = ctx.writer.new_id(Event)
        partners = ", ".join(rng.sample(PARTNERS, rng.randrange(1, 3))) if kind == "kemitraan" else ""
        ctx.writer.add(
            Event,
            {
                "id": event_id,
                "kind": kind,
                "title": _TITLES[kind],
                "date": ctx.day(on),
                "place": "Balai desa" if village else "Kantor cabang",
                "village_code": village,
                "branch_code": branch,
                "attendance": rng.randrange(15, 250),
                "partners": partners,
                "created_by_id": by,
                "created_at": ctx.moment(on - rng.randrange(0, 8)),
            },
        )
        ctx.report.events += 1
        return event_id

    def village_events(self, code: str, count: int, cabang: int) -> list[tuple[int, int]]:
        """About one event per 120 members: (day ordinal, id), in order of day."""
        ctx = self.ctx
        first, last = ctx.first_day.toordinal(), ctx.today.toordinal()
        events = []
        for _ in range(min(24, count // 120)):
            on = ctx.rng.randrange(first, last + 1)
            events.append((on, self.event(pick(ctx.rng, _EVENT_KINDS), on, code, None, cabang)))
        return events

    def stages(self, code: str, cabang: int, dutas: list[int], first_reg: int, candidates: list[Official]) -> None:
        """The village's stage history; from `perangkat_terlindungi` on, a roster of officials drawn from
        its approved members (the ones covered longest), as the stage's evidence snapshots it."""
        stage = self.stage_of.get(code)
        if stage is None:
            return
        roster = sorted(candidates, key=lambda c: c.covered_until or dt.date.min, reverse=True)
        roster = roster[: self.ctx.rng.randrange(2, 12)]
        if len(roster) < 2:  # no head and secretary among its members: the village stops before that stage
            stage = min(stage, STAGE_ORDER.index(Stage.duta.value))
            self.stage_of[code] = stage
        elif stage >= STAGE_ORDER.index(Stage.perangkat_terlindungi.value):
            self.officials(code, roster, cabang)
        ctx, rng = self.ctx, self.ctx.rng
        on = max(ctx.first_day.toordinal(), first_reg - rng.randrange(10, 60))
        last = ctx.today.toordinal() - 1
        for level in range(stage + 1):
            evidence: dict = {}
            if level == 1:
                evidence = {"event_id": self.event("sosialisasi", on - 1, code, None, cabang)}
            elif level == 2:
                on = max(on, first_reg)
                evidence = {"duta_id": dutas[0]}
            elif level == 3:
                evidence = {
                    "officials": [
                        {
                            "position": position,
                            "name": official.name,
                            "member_number": official.member_number,
                            "covered_until": f"{official.covered_until:%Y-%m}" if official.covered_until else None,
                        }
                        for position, official in zip(POSITIONS, roster, strict=False)
                    ]
                }
            elif level == 4:
                evidence = {
                    "decree_number": f"141/{rng.randrange(10, 999)}/SK/{ctx.day(on).year}",
                    "date": ctx.day(on).isoformat(),
                }
            on = min(on, last)
            ctx.writer.add(
                StageChange,
                {
                    "id": ctx.writer.new_id(StageChange),
                    "village_code": code,
                    "stage": STAGE_ORDER[level],
                    "reached_on": ctx.day(on),
                    "recorded_by_id": cabang,
                    "recorded_at": ctx.moment(on),
                    "evidence": json.dumps(evidence),
                },
            )
            ctx.report.stage_changes += 1
            final = (STAGE_ORDER[level], ctx.day(on), code)
            on = min(last, on + rng.randrange(15, 90))
        self.staged.append(final)

    def officials(self, code: str, roster: list[Official], cabang: int) -> None:
        for rank, (position, official) in enumerate(zip(POSITIONS, roster, strict=False)):
            self.ctx.writer.add(
                VillageOfficial,
                {
                    "village_code": code,
                    "position": position,
                    "name": official.name,
                    "member_id": official.member_id,
                    "rank": rank,
                    "updated_by_id": cabang,
                    "updated_at": self.ctx.moment(self.ctx.today.toordinal() - 1),
                },
            )

    def finish(self, villages: list[Place], estimates: list[int]) -> None:
        """Villages' estimates (where none was set) and stages, then the targets and baselines missing."""
        session = self.ctx.session
        village = table_of(Village)
        session.execute(
            update(village)
            .where(village.c.code == bindparam("v_code"), village.c.estimated_informal_workers.is_(None))
            .values(estimated_informal_workers=bindparam("v_estimate")),
            [{"v_code": v.code, "v_estimate": e} for v, e in zip(villages, estimates, strict=True)],
        )
        if self.staged:
            session.execute(
                update(village)
                .where(village.c.code == bindparam("v_code"))
                .values(stage=bindparam("v_stage"), stage_since=bindparam("v_since")),
                [{"v_code": code, "v_stage": stage, "v_since": since} for stage, since, code in self.staged],
            )
        self._targets(villages, estimates)

    def _targets(self, villages: list[Place], estimates: list[int]) -> None:
        session = self.ctx.session
        year = self.ctx.today.year
        existing = set(
            session.execute(
                select(col(Target.level), col(Target.scope_code), col(Target.metric)).where(col(Target.year) == year)
            ).all()
        )
        rows = [
            ("region", "", "new_members", 150_000),
            ("region", "", "active_members", 300_000),
            ("region", "", "villages_diresmikan", 30),
            ("province", "11", "new_members", 40_700),
            ("province", "12", "new_members", 109_300),
            ("province", "11", "villages_diresmikan", 10),
            ("province", "12", "villages_diresmikan", 20),
        ]
        per_branch: dict[str, int] = {}
        for village, estimate in zip(villages, estimates, strict=True):
            per_branch[village.branch] = per_branch.get(village.branch, 0) + estimate
        all_estimates = sum(per_branch.values()) or 1
        for branch, total in sorted(per_branch.items()):
            rows.append(("branch", branch, "new_members", 150_000 * total // all_estimates))
        index = {v.code: i for i, v in enumerate(villages)}
        for _stage, _since, code in self.staged:
            rows.append(("village", code, "new_members", max(10, estimates[index[code]] // 5)))
        fresh = [
            {"year": year, "level": level, "scope_code": scope, "metric": metric, "value": value}
            for level, scope, metric, value in rows
            if (level, scope, metric) not in existing
        ]
        if fresh:
            session.execute(insert(table_of(Target)), fresh)
        have = set(
            session.execute(
                select(col(ProvinceBaseline.province_code)).where(col(ProvinceBaseline.year) == year)
            ).scalars()
        )
        baselines = [
            {"province_code": p, "year": year, "workers": workers, "covered": covered}
            for p, workers, covered in (("11", 1_600_000, 480_000), ("12", 4_300_000, 1_900_000))
            if p not in have
        ]
        if baselines:
            session.execute(insert(table_of(ProvinceBaseline)), baselines)
