"""Every table, imported once so Alembic and the tests see the whole metadata."""

from app.auth.models import LoginAttempt, Partner, PartnerClient, PartnerRegency, User, UserVillage, WebSession  # noqa: F401
from app.claims.models import Claim  # noqa: F401
from app.core.audit import AuditEntry  # noqa: F401
from app.core.idempotency import IdempotencyKey  # noqa: F401
from app.core.sequences import Counter  # noqa: F401
from app.dues.models import Deposit, Payment, RegencyDues, RegencyMonth, VillageDues, VillageMonth  # noqa: F401
from app.events.models import Event  # noqa: F401
from app.followups.models import Contact  # noqa: F401
from app.members.models import IdentityRequest, Member, MoveRequest  # noqa: F401
from app.partners.models import Settlement, SettlementLine  # noqa: F401
from app.pmi.models import PmiRegistration  # noqa: F401
from app.programme.models import ProvinceBaseline, StageChange, Target, VillageOfficial  # noqa: F401
from app.rates.models import Rate, RateDiscount  # noqa: F401
from app.regions.models import Branch, District, Province, Regency, Village  # noqa: F401
