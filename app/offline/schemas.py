"""The roster sync's answer on the wire: each member a list of values in the order of `fields`, so the
names are sent once rather than 2.000 times (gzip does the rest)."""

from pydantic import BaseModel, Field

from app.offline.roster import FIELDS


class RosterOut(BaseModel):
    cursor: str = Field(description="Give it back as `since` in the next sync.")
    full: bool = Field(description="True: replace everything kept; false: apply these changes.")
    fields: list[str] = Field(default=list(FIELDS), description="The order of each member's values.")
    members: list[list[int | str | None]]
    removed: list[int] = Field(description="Members no longer in the duta's villages: forget them.")
