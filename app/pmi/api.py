"""PMI API: a prospective migrant worker registered with the package paid (docs/api.md § 5.12.1)."""

from fastapi import APIRouter, Header

from app.auth.deps import ApiActor
from app.core.bounds import RowId
from app.core.db import SessionDep
from app.pmi import rules, service
from app.pmi.models import PmiRegistration
from app.pmi.schemas import PhaseOut, PmiIn, PmiOut

router = APIRouter(tags=["pmi"])


def pmi_out(registration: PmiRegistration) -> PmiOut:
    assert registration.id is not None  # a stored registration
    phases = rules.phases(registration.paid_on, registration.departure_on, registration.cover_until)
    return PmiOut(
        **registration.model_dump(exclude={"registered_by_id", "registered_at"}),
        phases=[PhaseOut(label=str(phase.label), start=phase.start, end=phase.end) for phase in phases],
    )


@router.post("/pmi", status_code=201, response_model=PmiOut)
def register(
    body: PmiIn,
    actor: ApiActor,
    session: SessionDep,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """(`duta` of the village or `cabang`) Register a prospective migrant worker with the package paid
    today; the same Idempotency-Key answers with the first registration."""
    return pmi_out(service.register(session, actor, idempotency_key, **body.model_dump()))


@router.get("/pmi/{registration_id}", response_model=PmiOut)
def get_registration(registration_id: RowId, actor: ApiActor, session: SessionDep):
    return pmi_out(service.get_registration(session, actor, registration_id))
