"""E-mail addresses of individuals, unique across the institution.

An address is ``head`` ``separator`` ``tail`` [number] ``@`` ``domain``: ``marie.martin``,
``mmartin``, ``marie_martin`` or ``martin.marie``. As in real life, the first person to want an
address gets it bare and later ones get a number (``marie.martin27@…``): the number is the
rank of the contact among those wanting the same address, so no two contacts share one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from habitue.generator import arrow, people
from habitue.generator.streams import weighted_choice

PATTERN_WEIGHTS = (0.5, 0.2, 0.12, 0.18)  # first.last, initial+last, first_last, last.first
FIRST_DOT_LAST, INITIAL_LAST, FIRST_UNDERSCORE_LAST, LAST_DOT_FIRST = range(4)
SEPARATORS = (".", "", "_", ".")


@dataclass(frozen=True)
class Mailboxes:
    pattern: np.ndarray  # int8
    domain: np.ndarray  # int8
    rank: np.ndarray  # int32, 0 for the first contact wanting the address


class _Tokens:
    """Every distinct ASCII token an address can be made of, with a number each."""

    def __init__(self) -> None:
        female = people.slugs(people.FEMALE_FIRST_NAMES)
        male = people.slugs(people.MALE_FIRST_NAMES)
        last = people.slugs(people.LAST_NAMES)
        initials = tuple(sorted({slug[0] for slug in female + male}))
        words = sorted(set(female + male + last + initials))
        number = {word: index for index, word in enumerate(words)}
        self.words = arrow.vocabulary(words)
        self.count = len(words)
        self.female = np.array([number[w] for w in female])
        self.male = np.array([number[w] for w in male])
        self.female_initial = np.array([number[w[0]] for w in female])
        self.male_initial = np.array([number[w[0]] for w in male])
        self.last = np.array([number[w] for w in last])


_TOKENS: _Tokens | None = None


def tokens() -> _Tokens:
    global _TOKENS
    if _TOKENS is None:
        _TOKENS = _Tokens()
    return _TOKENS


def _head_and_tail(pattern: np.ndarray, female: np.ndarray, first_name: np.ndarray,
                   surname: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    words = tokens()
    first_index = np.where(female, first_name % len(words.female), first_name % len(words.male))
    first = np.where(female, words.female[first_index], words.male[first_index])
    initial = np.where(female, words.female_initial[first_index],
                       words.male_initial[first_index])
    last = words.last[surname]
    head = np.select([pattern == INITIAL_LAST, pattern == LAST_DOT_FIRST], [initial, last], first)
    tail = np.where(pattern == LAST_DOT_FIRST, first, last)
    return head, tail


def draw_mailboxes(rng: np.random.Generator, female: np.ndarray, first_name: np.ndarray,
                   surname: np.ndarray) -> Mailboxes:
    size = len(female)
    pattern = weighted_choice(rng, PATTERN_WEIGHTS, size).astype(np.int8)
    domain = weighted_choice(rng, people.EMAIL_DOMAIN_WEIGHTS, size).astype(np.int8)
    head, tail = _head_and_tail(pattern, female, first_name, surname)
    separator = np.asarray([0, 1, 2, 0])[pattern]  # the rendered separator, not the pattern
    count = tokens().count
    key = ((head.astype(np.int64) * count + tail) * 3 + separator) * len(
        people.EMAIL_DOMAINS) + domain
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.flatnonzero(np.concatenate([[True], sorted_key[1:] != sorted_key[:-1]]))
    group_start = np.repeat(starts, np.diff(np.concatenate([starts, [size]])))
    rank = np.empty(size, dtype=np.int32)
    rank[order] = np.arange(size) - group_start
    return Mailboxes(pattern=pattern, domain=domain, rank=rank)


def addresses(mailboxes: Mailboxes, contacts: np.ndarray, female: np.ndarray,
              first_name: np.ndarray, surname: np.ndarray) -> pa.Array:
    """The addresses of ``contacts`` (global indices; other arrays are for those contacts)."""
    pattern = mailboxes.pattern[contacts]
    head, tail = _head_and_tail(pattern, female, first_name, surname)
    words = tokens().words
    rank = mailboxes.rank[contacts]
    number = arrow.null_where(arrow.integers_as_text(rank), rank == 0)
    return arrow.join(
        arrow.pick(words, head),
        arrow.pick(arrow.vocabulary(SEPARATORS), pattern),
        arrow.pick(words, tail),
        pc.fill_null(number, ""),
        "@",
        arrow.pick(arrow.vocabulary(people.EMAIL_DOMAINS), mailboxes.domain[contacts]),
    )
