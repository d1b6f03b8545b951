"""A prospective migrant worker (pekerja migran Indonesia, PMI) registered by the `duta` or the branch
officer, with the one payment of the protection package and its cover by phase."""

import datetime as dt

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, Index, SQLModel

from app.core.clock import utcnow
from app.core.i18n import lazy_gettext
from app.core.labels import Labelled


class Destination(Labelled):
    """The common destination countries, by ISO 3166 alpha-2 code."""

    MY = "MY", lazy_gettext("Malaysia")
    SG = "SG", lazy_gettext("Singapore")
    HK = "HK", lazy_gettext("Hong Kong")
    TW = "TW", lazy_gettext("Taiwan")
    SA = "SA", lazy_gettext("Saudi Arabia")
    KR = "KR", lazy_gettext("South Korea")
    JP = "JP", lazy_gettext("Japan")
    AE = "AE", lazy_gettext("United Arab Emirates")
    QA = "QA", lazy_gettext("Qatar")
    KW = "KW", lazy_gettext("Kuwait")
    OM = "OM", lazy_gettext("Oman")
    BN = "BN", lazy_gettext("Brunei Darussalam")


class PmiRegistration(SQLModel, table=True):
    __tablename__ = "pmi_registration"
    __table_args__ = (
        # The lists: by the worker's village (duta, branch of the area) and by the serving branch.
        Index("ix_pmi_registration_village_code", "village_code", "id"),
        Index("ix_pmi_registration_branch_code", "branch_code", "id"),
        # The dashboards count a year's registrations.
        Index("ix_pmi_registration_paid_on", "paid_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    nik: str = Field(max_length=16)
    full_name: str = Field(max_length=120)
    sex: str = Field(max_length=1)
    birth_date: dt.date
    phone: str = Field(max_length=20)
    village_code: str = Field(foreign_key="village.code", max_length=13)
    passport_number: str = Field(max_length=9)
    destination: str = Field(max_length=2)
    agency: str = Field(max_length=120)
    departure_on: dt.date
    # The branch serving the worker (setting PMI_BRANCH, else the branch of the village's regency).
    branch_code: str = Field(foreign_key="branch.code", max_length=20)
    package: str = Field(max_length=20)
    # The work contract's months, and those beyond the package paid at the monthly extension rate.
    contract_months: int = Field(default=24, sa_column_kwargs={"server_default": "24"})
    extension_months: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))
    channel: str = Field(max_length=20)
    paid_on: dt.date
    receipt_number: str = Field(max_length=20, unique=True)
    cover_until: dt.date
    registered_by_id: int = Field(foreign_key="user.id")
    registered_at: dt.datetime = Field(default_factory=utcnow)
