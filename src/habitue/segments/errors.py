"""The error a bad segment definition raises where it is read: a code, the path of the node
(``rules[2].any[0].indicator``) and a sentence in English and in French.

Codes are stable (API, tests); sentences are for people.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

CODES = (
    "wrong_type",          # a value of the wrong JSON type (a list where an object is expected…)
    "missing_key",         # a node without what it needs (no kind, no operator, no `rules`)
    "unknown_key",         # a key the node does not have
    "ambiguous_node",      # a node of two kinds at once, or with two operators
    "empty_group",         # all / any / none without children, `in` with an empty list
    "bad_value",           # a value of the right type that means nothing (a date, a window…)
    "bad_id",              # a node id that is not a short word, or used twice
    "unknown_field",
    "unknown_indicator",
    "unknown_level",
    "unknown_operator",
    "unknown_value",       # a value outside an enumeration (kind, family, channel, behaviour…)
    "unknown_attribute",
    "unknown_segment",
    "cycle",               # a segment that contains itself through other segments
)


class SpecError(ValueError):
    """A segment definition that cannot be used, and where it went wrong."""

    def __init__(self, code: str, path: str, message: str, message_fr: str) -> None:
        assert code in CODES, code
        super().__init__(f"{path}: {message}" if path else message)
        self.code = code
        self.path = path
        self.message = message
        self.message_fr = message_fr

    def sentence(self, lang: str = "en") -> str:
        """The message in ``lang`` (``fr`` or ``en``), prefixed with the path."""
        text = self.message_fr if lang == "fr" else self.message
        return f"{self.path} : {text}" if lang == "fr" else f"{self.path}: {text}"

    def as_dict(self) -> dict:
        return {"code": self.code, "path": self.path, "message": self.message,
                "message_fr": self.message_fr}


def quoted(values: Iterable[object]) -> str:
    return ", ".join(str(v) for v in values)


def suggestion(word: object, choices: Iterable[str]) -> tuple[str, str]:
    """`` (did you mean 'x'?)`` in English and French when a choice is close, else ``''``."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.75)
    if not close:
        return "", ""
    return f" (did you mean '{close[0]}'?)", f" (vouliez-vous dire « {close[0]} » ?)"


def unknown(code: str, path: str, what_en: str, what_fr: str, value: object,
            choices: Iterable[object], of_en: str = "", of_fr: str = "") -> SpecError:
    """``unknown <what_en> 'value'[ for <of_en>]; expected one of: …`` (French:
    ``<what_fr> « value »[ pour <of_fr>]``, e.g. ``indicateur inconnu``), with a suggestion
    when a choice is close."""
    choices = [str(c) for c in choices]
    hint_en, hint_fr = suggestion(value, choices)
    of_en = f" for {of_en}" if of_en else ""
    of_fr = f" pour {of_fr}" if of_fr else ""
    return SpecError(
        code, path,
        f"unknown {what_en} '{value}'{of_en}{hint_en}; expected one of: {quoted(choices)}",
        f"{what_fr} « {value} »{of_fr}{hint_fr} ; valeurs possibles : {quoted(choices)}",
    )
