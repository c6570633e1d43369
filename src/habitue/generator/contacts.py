"""Rows of the contacts file: names, addresses, e-mails, consents, for a chunk of contacts."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from habitue.generator import arrow, mailboxes, people, places
from habitue.generator.identifiers import Identifiers
from habitue.generator.population import YEAR_DAYS, Population
from habitue.generator.streams import weighted_choice
from habitue.generator.timeline import DAY, MINUTE, Clock, day_number

_SCHOOL, _COMPANY, _ASSOCIATION, _WORKS_COUNCIL = range(4)


class _Vocabulary:
    """Arrow arrays of the embedded word lists, built once per generation."""

    def __init__(self) -> None:
        self.female = arrow.vocabulary(people.FEMALE_FIRST_NAMES)
        self.male = arrow.vocabulary(people.MALE_FIRST_NAMES)
        self.last = arrow.vocabulary(people.LAST_NAMES)
        self.last_slug = arrow.vocabulary(people.slugs(people.LAST_NAMES))
        french, foreign = places.FRENCH_PLACES, places.FOREIGN_PLACES
        self.postal_codes = arrow.vocabulary([p[0] for p in french] + [p[1] for p in foreign])
        self.cities = arrow.vocabulary([p[1] for p in french] + [p[2] for p in foreign])
        self.city_slugs = arrow.vocabulary(
            people.slugs(tuple(p[1] for p in french) + tuple(p[2] for p in foreign)))
        self.countries = arrow.vocabulary(["FR"] * len(french) + [p[0] for p in foreign])
        self.place_languages = np.array([0] * len(french)
                                        + [0 if p[3] == "fr" else 1 for p in foreign])
        self.french_places = len(french)


_VOCABULARY: _Vocabulary | None = None


def _vocabulary() -> _Vocabulary:
    global _VOCABULARY
    if _VOCABULARY is None:
        _VOCABULARY = _Vocabulary()
    return _VOCABULARY


def contact_rows(rng: np.random.Generator, contacts: np.ndarray, population: Population,
                 first_order: np.ndarray, clock: Clock, ids: Identifiers) -> dict[str, pa.Array]:
    """Rows for ``contacts`` (consecutive global indices); ``first_order`` per contact or -1."""
    words = _vocabulary()
    count = len(contacts)
    structure = population.is_structure[contacts]
    female = population.female[contacts]
    first_index = population.first_name[contacts].astype(np.int32)
    first_name = pc.if_else(pa.array(female),
                            arrow.pick(words.female, first_index % len(words.female)),
                            arrow.pick(words.male, first_index % len(words.male)))
    last_index = population.surname[contacts].astype(np.int32)
    place = population.place[contacts].astype(np.int32)
    parent = population.parent[contacts]

    young_child = ~structure & (population.age_days[contacts] < 15 * YEAR_DAYS)
    has_email = rng.random(count) < np.select([structure, young_child], [0.9, 0.1], 0.84)
    has_phone = rng.random(count) < np.select([structure, young_child], [0.85, 0.02], 0.4)
    has_street = rng.random(count) < np.where(structure, 0.97, 0.85)
    email = pc.if_else(
        pa.array(structure),
        _structure_emails(rng, contacts, population.structure_type[contacts], words,
                          last_index, place),
        mailboxes.addresses(population.mailboxes, contacts, female, first_index, last_index),
    )
    structure_type = population.structure_type[contacts]
    birth = day_number(clock.today) - population.age_days[contacts]
    created = population.arrival[contacts]
    bought = first_order >= 0
    before_order = first_order - rng.integers(MINUTE, 3 * DAY, count)
    created = np.where(bought, np.minimum(created, before_order), created)
    foreign = place >= words.french_places
    language = np.where(foreign, words.place_languages[place], rng.random(count) < 0.02)
    individual_kind_implicit = ~structure & (rng.random(count) < 0.1)
    return {
        "contact_id": ids.contact_ids(contacts),
        "institution_id": arrow.pick(arrow.vocabulary(["default"]), np.zeros(count),
                                     rng.random(count) < 0.1),
        "kind": arrow.pick(arrow.vocabulary(["INDIVIDUAL", "STRUCTURE"]), structure,
                           individual_kind_implicit),
        "structure_type": arrow.pick(arrow.vocabulary(people.STRUCTURE_TYPES),
                                     np.maximum(structure_type, 0), ~structure),
        "parent_contact_id": ids.contact_ids(parent),
        "title": arrow.pick(arrow.vocabulary(["M.", "Mme"]), female,
                            structure | (rng.random(count) < 0.06)),
        "first_name": arrow.null_where(first_name, structure),
        "last_name": arrow.pick(words.last, last_index, structure),
        "structure_name": arrow.null_where(
            _structure_names(rng, count, structure_type, words, last_index, place), ~structure),
        "email": arrow.null_where(email, ~has_email),
        "phone": arrow.null_where(_phones(rng, count, structure), ~has_phone),
        "birth_date": arrow.dates(birth, ~population.birth_known[contacts]),
        "street": arrow.null_where(_streets(rng, count), ~has_street),
        "postal_code": arrow.pick(words.postal_codes, place),
        "city": arrow.pick(words.cities, place),
        "country": arrow.pick(words.countries, place),
        "language": arrow.pick(arrow.vocabulary(["fr", "en"]), language),
        "created_at": arrow.timestamps(created),
        "email_opt_in": arrow.booleans(has_email & (rng.random(count) < 0.73)),
        "sms_opt_in": arrow.booleans(has_phone & (rng.random(count) < 0.7)),
        "post_opt_in": arrow.booleans(has_street & (rng.random(count) < 0.47)),
    }


def _structure_emails(rng: np.random.Generator, contacts: np.ndarray,
                      structure_type: np.ndarray, words: _Vocabulary,
                      last_index: np.ndarray, place: np.ndarray) -> pa.Array:
    count = len(contacts)
    local = arrow.pick(arrow.vocabulary(people.STRUCTURE_EMAIL_LOCALS),
                       rng.integers(0, len(people.STRUCTURE_EMAIL_LOCALS), count))
    # schools have a unique official address
    school = arrow.templated("ce.#######@ac-lyon.fr", np.asarray(contacts) % 10_000_000)
    suffix = rng.integers(0, len(people.COMPANY_SUFFIXES), count)
    company = arrow.join(local, "@", arrow.pick(words.last_slug, last_index), "-",
                         arrow.pick(arrow.vocabulary(people.slugs(people.COMPANY_SUFFIXES)),
                                    suffix), ".fr")
    association = arrow.join(
        local, "@", arrow.pick(arrow.vocabulary(people.slugs(people.ASSOCIATION_NAMES)),
                               rng.integers(0, len(people.ASSOCIATION_NAMES), count)),
        "-", arrow.pick(words.city_slugs, place), ".", people.ASSOCIATION_SLUGS_DOMAIN)
    return pc.choose(pa.array(np.select([structure_type == _SCHOOL,
                                         structure_type == _ASSOCIATION], [0, 2], 1)
                              .astype(np.int8)), school, company, association)


def _structure_names(rng: np.random.Generator, count: int, structure_type: np.ndarray,
                     words: _Vocabulary, last_index: np.ndarray, place: np.ndarray) -> pa.Array:
    school = arrow.join(
        arrow.pick(arrow.vocabulary(people.SCHOOL_KINDS),
                   rng.integers(0, len(people.SCHOOL_KINDS), count)),
        arrow.pick(arrow.vocabulary(people.NOTABLE_PEOPLE),
                   rng.integers(0, len(people.NOTABLE_PEOPLE), count)), separator=" ")
    company = arrow.join(arrow.pick(words.last, last_index),
                         arrow.pick(arrow.vocabulary(people.COMPANY_SUFFIXES),
                                    rng.integers(0, len(people.COMPANY_SUFFIXES), count)),
                         separator=" ")
    association = arrow.join(
        arrow.pick(arrow.vocabulary(people.ASSOCIATION_NAMES),
                   rng.integers(0, len(people.ASSOCIATION_NAMES), count)),
        arrow.pick(words.cities, place), separator=" - ")
    works_council = arrow.join("CSE", company, separator=" ")
    chosen = np.maximum(structure_type, 0).astype(np.int8)
    return pc.choose(pa.array(chosen), school, company, association, works_council)


def _phones(rng: np.random.Generator, count: int, structure: np.ndarray) -> pa.Array:
    numbers = rng.integers(0, 100_000_000, count)
    prefix = weighted_choice(rng, (0.55, 0.23, 0.22), count)
    prefix = np.where(structure, 2, prefix).astype(np.int8)
    spaced = rng.random(count) < 0.3
    options = [arrow.templated(f"0{digit}########", numbers) for digit in (6, 7, 4)]
    options += [arrow.templated(f"0{digit} ## ## ## ##", numbers) for digit in (6, 7, 4)]
    return pc.choose(pa.array(prefix + 3 * spaced.astype(np.int8)), *options)


def _streets(rng: np.random.Generator, count: int) -> pa.Array:
    number = np.minimum(1 + rng.geometric(0.04, count), 250)
    kind = weighted_choice(rng, places.STREET_TYPE_WEIGHTS, count)
    name = rng.integers(0, len(places.STREET_NAMES), count)
    return arrow.join(arrow.integers_as_text(number),
                      arrow.pick(arrow.vocabulary(places.STREET_TYPES), kind),
                      arrow.pick(arrow.vocabulary(places.STREET_NAMES), name), separator=" ")
