"""Domain errors raised by services; HTML and JSON routes turn them into pages or FastAPI-shaped JSON."""


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


class NotAuthenticated(DomainError):
    status_code = 401


class Forbidden(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class TooManyAttempts(DomainError):
    status_code = 429


class Invalid(DomainError):
    """One message per field, in the user's language; shown beside each field."""

    status_code = 422

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in errors.items()))
        self.errors = errors

    def as_detail(self) -> list[dict]:
        return [{"loc": ["body", field], "msg": msg, "type": "value_error"} for field, msg in self.errors.items()]
