"""Desa Sadar stages, targets and province baselines."""

import datetime as dt

from sqlalchemy import BigInteger, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.clock import utcnow
from app.core.i18n import lazy_gettext
from app.core.labels import Labelled


class Stage(Labelled):
    calon = "calon", lazy_gettext("Candidate")
    sosialisasi = "sosialisasi", lazy_gettext("Socialised")
    duta = "duta", lazy_gettext("Has a duta")
    perangkat_terlindungi = "perangkat_terlindungi", lazy_gettext("Officials protected")
    diresmikan = "diresmikan", lazy_gettext("Inaugurated")


STAGE_ORDER = [stage.value for stage in Stage]


class StageChange(SQLModel, table=True):
    __tablename__ = "stage_change"

    id: int | None = Field(default=None, primary_key=True)
    village_code: str = Field(foreign_key="village.code", index=True, max_length=13)
    stage: str = Field(max_length=30)
    reached_on: dt.date
    recorded_by_id: int = Field(foreign_key="user.id")
    recorded_at: dt.datetime = Field(default_factory=utcnow)
    # The evidence given (event id, n of m officials enrolled, decree number and date), as JSON.
    evidence: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))


class TargetMetric(Labelled):
    new_members = "new_members", lazy_gettext("New informal members")
    active_members = "active_members", lazy_gettext("Active members")
    villages_diresmikan = "villages_diresmikan", lazy_gettext("Villages inaugurated")


class Target(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("year", "level", "scope_code", "metric", name="uq_target_scope_metric"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int
    # region (scope_code ""), province, branch or village
    level: str = Field(max_length=10)
    scope_code: str = Field(default="", max_length=20)
    metric: str = Field(max_length=30)
    value: int = Field(sa_column=Column(BigInteger, nullable=False))


class ProvinceBaseline(SQLModel, table=True):
    """Reference figures from the regional office (workers, covered), entered, not computed."""

    __tablename__ = "province_baseline"

    province_code: str = Field(foreign_key="province.code", primary_key=True, max_length=2)
    year: int = Field(primary_key=True)
    workers: int = Field(sa_column=Column(BigInteger, nullable=False))
    covered: int = Field(sa_column=Column(BigInteger, nullable=False))


class OfficialPosition(Labelled):
    """A village official's position (Aceh's own words for some: `officials.position_label`)."""

    kepala_desa = "kepala_desa", lazy_gettext("Village head")
    sekretaris_desa = "sekretaris_desa", lazy_gettext("Village secretary")
    kaur = "kaur", lazy_gettext("Head of affairs (kaur)")
    kasi = "kasi", lazy_gettext("Head of section (kasi)")
    kepala_dusun = "kepala_dusun", lazy_gettext("Hamlet head")
    bpd = "bpd", lazy_gettext("Village council (BPD)")
    lpm = "lpm", lazy_gettext("Community council (LPM)")
    bumdes = "bumdes", lazy_gettext("Village enterprise (BUMDes)")
    kader = "kader", lazy_gettext("Cadre")
    lainnya = "lainnya", lazy_gettext("Other")


class VillageOfficial(SQLModel, table=True):
    """One of a village's officials (perangkat desa), and the member record that is them once registered."""

    __tablename__ = "village_official"

    id: int | None = Field(default=None, primary_key=True)
    village_code: str = Field(foreign_key="village.code", index=True, max_length=13)
    position: str = Field(max_length=20)
    name: str = Field(max_length=120)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    # The roster's order as it was kept (head and secretary first, as a village lists them).
    rank: int = 0
    updated_by_id: int = Field(foreign_key="user.id")
    updated_at: dt.datetime = Field(default_factory=utcnow)
