"""Enums whose members carry their label, written once beside the code they store:

    class Stage(Labelled):
        calon = "calon", lazy_gettext("Candidate")

Pages, exports and the audit log all show `Stage.calon.label` (in the language of the request), so
no code is ever shown raw and no label is written twice. Templates use the `label` filter with the
enum's name: `{{ village.stage|label("Stage") }}`."""

import enum

from babel.support import LazyProxy

# Every labelled enum by its class name, for the templates' `label` filter.
_KINDS: dict[str, type["Labelled"]] = {}


class Labelled(str, enum.Enum):
    _value_: str
    _label: LazyProxy

    def __new__(cls, value: str, label: LazyProxy):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _KINDS[cls.__name__] = cls

    @property
    def label(self) -> str:
        return str(self._label)

    @classmethod
    def codes(cls) -> tuple[str, ...]:
        return tuple(member.value for member in cls)

    @classmethod
    def labels(cls) -> dict[str, str]:
        """Each code with its label, in the order the enum lists them."""
        return {member.value: member.label for member in cls}

    @classmethod
    def label_of(cls, code: object) -> str:
        """The label of a stored code; one no longer known (or none) is shown as it is."""
        if code is None or code == "":
            return "–"
        return next((member.label for member in cls if member.value == code), str(code))


def label(code: object, kind: str) -> str:
    """The `label` filter of the templates: `{{ user.role|label("Role") }}`."""
    return _KINDS[kind].label_of(code)
