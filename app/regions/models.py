"""Kemendagri geography (province > regency > district > village) and the branch offices covering it."""

import datetime as dt

from sqlmodel import Field, SQLModel


class Branch(SQLModel, table=True):
    """A kantor cabang; it covers the regencies whose `branch_code` points to it."""

    code: str = Field(primary_key=True, max_length=20)
    name: str = Field(max_length=120)
    # Where the branch's duta pay in the cash they took (on the deposit slip): all three or none.
    bank_name: str | None = Field(default=None, max_length=60)
    bank_account_number: str | None = Field(default=None, max_length=30)
    bank_account_holder: str | None = Field(default=None, max_length=120)


class Province(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=2)
    name: str = Field(max_length=120)


class Regency(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=5)
    name: str = Field(max_length=120)
    province_code: str = Field(foreign_key="province.code", index=True, max_length=2)
    branch_code: str | None = Field(default=None, foreign_key="branch.code", index=True, max_length=20)


class District(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=8)
    name: str = Field(max_length=120)
    regency_code: str = Field(foreign_key="regency.code", index=True, max_length=5)


class Village(SQLModel, table=True):
    """A desa/kelurahan/gampong, with the programme data the region steers by."""

    code: str = Field(primary_key=True, max_length=13)
    name: str = Field(max_length=120)
    district_code: str = Field(foreign_key="district.code", index=True, max_length=8)
    # Denormalised from the code so scope filters and roll-ups need no joins.
    regency_code: str = Field(foreign_key="regency.code", index=True, max_length=5)
    province_code: str = Field(foreign_key="province.code", index=True, max_length=2)
    # Desa Sadar stage; None while the village is not (yet) in the programme.
    stage: str | None = Field(default=None, index=True, max_length=30)
    stage_since: dt.date | None = None
    estimated_informal_workers: int | None = None
