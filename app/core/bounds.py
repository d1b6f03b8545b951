"""The bounds of what a request may ask for, defined once: ids, pages, counts, amounts, search text.

A number past what a column holds (an id past 32 bits, an income past 64) reached the database and
failed there with a 500; these bounds refuse it first, with a 404 or a 422 beside the field.
"""

from typing import Annotated

from fastapi import Path, Query

from app.core.i18n import _
from app.core.templating import format_number

# Row ids are 32-bit integers on PostgreSQL (SERIAL); a larger one names no row.
MAX_ROW_ID = 2**31 - 1
# 10.000 pages of 20 to 50 rows is more than any list holds; an offset past it is only a slow query.
MAX_PAGE = 10_000
# A name part, a NIK prefix or a code: longer search text finds nothing and costs a scan per character.
MAX_SEARCH_LENGTH = 100
# People counted (attendance, workers, targets): the province's workers fit with room to spare.
MAX_COUNT = 2**31 - 1
# Whole rupiah of a monthly income: a trillion is beyond any informal worker and far inside 64 bits.
MAX_AMOUNT = 10**12

RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE)]
SearchText = Annotated[str, Query(max_length=MAX_SEARCH_LENGTH)]


def too_large(limit: int) -> str:
    """The message beside a number past its bound."""
    return _("Enter at most %(n)s.", n=format_number(limit))
