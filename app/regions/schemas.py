from pydantic import BaseModel


class VillageItem(BaseModel):
    code: str
    name: str
    district_code: str
    regency_code: str
    province_code: str
    stage: str | None
    estimated_informal_workers: int | None


class VillagePage(BaseModel):
    items: list[VillageItem]
    total: int
    page: int
    page_size: int
