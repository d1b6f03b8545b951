"""What a claim needs and what it may bring: the documents to gather for each kind of claim, the
benefits of the informal workers' programmes (a dated table: the regulation in force on the day of the
incident applies), and the steps a claim goes through."""

import datetime as dt
from dataclasses import dataclass

from babel.support import LazyProxy

from app.claims.models import ClaimKind, ClaimStatus
from app.core.i18n import lazy_gettext

# The documents BPJS Ketenagakerjaan's office asks for, by kind of claim.
DOCUMENTS: dict[ClaimKind, tuple[LazyProxy, ...]] = {
    ClaimKind.kecelakaan_kerja: (
        lazy_gettext("Member card or KPJ number"),
        lazy_gettext("Identity card (KTP) of the member"),
        lazy_gettext("Work accident report, stage I form"),
        lazy_gettext("Account of the accident, signed by the village head or a witness"),
        lazy_gettext("Doctor's or hospital's statement"),
        lazy_gettext("Receipts for treatment and transport, if any were paid"),
        lazy_gettext("Police report, for a road accident"),
    ),
    ClaimKind.meninggal: (
        lazy_gettext("Member card or KPJ number"),
        lazy_gettext("Identity card (KTP) and family card (KK) of the member"),
        lazy_gettext("Death statement from the village office"),
        lazy_gettext("Death certificate"),
        lazy_gettext("Identity card (KTP) and family card (KK) of the heir"),
        lazy_gettext("Statement of heirs"),
        lazy_gettext("Savings book of the heir"),
    ),
}


@dataclass(frozen=True)
class Benefit:
    label: LazyProxy
    amount: int | None = None  # whole rupiah; None when it depends on the case


@dataclass(frozen=True)
class BenefitTable:
    effective_from: dt.date
    source: str
    benefits: dict[ClaimKind, tuple[Benefit, ...]]


# PP 82/2019 (in force from 2 December 2019) for workers outside wage employment (BPU).
BENEFIT_TABLES: tuple[BenefitTable, ...] = (
    BenefitTable(
        dt.date(2019, 12, 2),
        "PP 82/2019",
        {
            ClaimKind.meninggal: (
                Benefit(lazy_gettext("Lump-sum death benefit"), 20_000_000),
                Benefit(lazy_gettext("Periodic benefit (24 months × Rp500.000), paid at once"), 12_000_000),
                Benefit(lazy_gettext("Funeral costs"), 10_000_000),
                Benefit(lazy_gettext("Schooling for up to two children, after at least 3 years of membership")),
            ),
            ClaimKind.kecelakaan_kerja: (
                Benefit(lazy_gettext("Medical care as needed, without a cost ceiling")),
                Benefit(lazy_gettext("Income while unable to work: the reported income, then half of it")),
                Benefit(lazy_gettext("Disability benefit, by the degree of disability")),
                Benefit(lazy_gettext("Death from the accident: 48 times the reported monthly income")),
            ),
        },
    ),
)


def benefits_on(kind: ClaimKind, day: dt.date) -> tuple[BenefitTable | None, tuple[Benefit, ...]]:
    """The table in force on the day and its benefits of that kind (none before the first table)."""
    tables = [table for table in BENEFIT_TABLES if table.effective_from <= day]
    if not tables:
        return None, ()
    table = max(tables, key=lambda t: t.effective_from)
    return table, table.benefits[kind]


# Each step leads to the next, or to a refusal; a paid or refused claim is closed.
NEXT_STEPS: dict[ClaimStatus, tuple[ClaimStatus, ...]] = {
    ClaimStatus.dilaporkan: (ClaimStatus.berkas_lengkap, ClaimStatus.ditolak),
    ClaimStatus.berkas_lengkap: (ClaimStatus.diajukan, ClaimStatus.ditolak),
    ClaimStatus.diajukan: (ClaimStatus.dibayar, ClaimStatus.ditolak),
    ClaimStatus.dibayar: (),
    ClaimStatus.ditolak: (),
}
OPEN = tuple(status for status, steps in NEXT_STEPS.items() if steps)
# The largest amount a paid claim may carry (a work accident's care can run to hundreds of millions).
MAX_AMOUNT = 5_000_000_000
