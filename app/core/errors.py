"""Domain errors raised by services; HTML and JSON routes turn them into pages or FastAPI-shaped JSON."""

import math


class DomainError(Exception):
    status_code = 400
    # The form field the message belongs beside, if any (a NIK already registered, say).
    field: str | None = None
    # Beside `detail` in a JSON answer, for a client to act on (the right amount of a refused payment).
    data: dict[str, object] = {}

    def __init__(self, message: str = "", field: str | None = None):
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field

    @property
    def errors(self) -> dict[str, str]:
        return {self.field: self.message} if self.field else {}


class NotAuthenticated(DomainError):
    status_code = 401


class Forbidden(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class TooManyAttempts(DomainError):
    """Refused for now; `retry_after` is how many whole seconds to wait (the `Retry-After` header)."""

    status_code = 429

    def __init__(self, message: str = "", retry_after: float = 1):
        super().__init__(message)
        self.retry_after = max(1, math.ceil(retry_after))

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class Invalid(DomainError):
    """One message per field, in the user's language; shown beside each field."""

    status_code = 422

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in errors.items()))
        self.field_errors = errors

    @property
    def errors(self) -> dict[str, str]:
        return self.field_errors

    def as_detail(self) -> list[dict]:
        return [{"loc": ["body", field], "msg": msg, "type": "value_error"} for field, msg in self.errors.items()]
