"""A refused form comes back with its messages beside its fields and what was typed, through one
exception handler for every page (`main.domain_error`), rather than a `try` in each route."""

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request
from sqlmodel import Session

from app.core.errors import Conflict, DomainError

# The key of a message about the form as a whole rather than one field (a stage reached out of order,
# say), shown above the form by the pages that ask for it.
WHOLE_FORM = "__all__"


@dataclass(frozen=True)
class FormPage:
    session: Session
    template: str
    # The page's context for the given messages (field: message), with the values as typed.
    context: Callable[[dict[str, str]], dict]
    # The page shows `errors[WHOLE_FORM]`: a conflict naming no field is said there, not on the error page.
    whole_form: bool = False

    def messages(self, exc: DomainError) -> dict[str, str]:
        """What to show the form again with; nothing when the refusal is not about what was typed (a
        page out of scope, a role that may not), which gets the error page."""
        if exc.errors:
            return exc.errors
        if self.whole_form and isinstance(exc, Conflict) and exc.message:
            return {WHOLE_FORM: exc.message}
        return {}


def show_again_if_refused(
    request: Request,
    session: Session,
    template: str,
    context: Callable[[dict[str, str]], dict],
    *,
    whole_form: bool = False,
) -> None:
    """Call before the service: if it refuses the form (`Invalid`, or an error naming a field), the
    page `template` is shown again with `context(messages)` and status 422 (409 for a conflict). With
    `whole_form`, a conflict naming no field is shown too, as `messages[WHOLE_FORM]`."""
    request.state.form_page = FormPage(session, template, context, whole_form)


def refused_form_page(request: Request) -> FormPage | None:
    return getattr(request.state, "form_page", None)
