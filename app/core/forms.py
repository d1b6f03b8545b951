"""A refused form comes back with its messages beside its fields and what was typed, through one
exception handler for every page (`main.domain_error`), rather than a `try` in each route."""

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request
from sqlmodel import Session


@dataclass(frozen=True)
class FormPage:
    session: Session
    template: str
    # The page's context for the given messages (field: message), with the values as typed.
    context: Callable[[dict[str, str]], dict]


def show_again_if_refused(
    request: Request, session: Session, template: str, context: Callable[[dict[str, str]], dict]
) -> None:
    """Call before the service: if it refuses the form (`Invalid`, or an error naming a field), the
    page `template` is shown again with `context(messages)` and status 422 (409 for a conflict)."""
    request.state.form_page = FormPage(session, template, context)


def refused_form_page(request: Request) -> FormPage | None:
    return getattr(request.state, "form_page", None)
