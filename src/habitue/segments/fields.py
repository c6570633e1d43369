"""What a segment may ask about a contact: its fields, consents, custom attribute types and
behaviours, with their French and English words."""

from __future__ import annotations

from dataclasses import dataclass, field

from habitue.domain.enums import ContactKind, ProductFamily


@dataclass(frozen=True)
class ContactField:
    """A contact field a condition may compare. ``kind`` is the operand kind of
    ``operators.OPS``; text fields compare case-insensitively."""

    name: str
    kind: str
    fr: str
    en: str
    values: tuple[str, ...] = ()  # enumerations
    value_labels: dict[str, tuple[str, str]] = field(default_factory=dict)  # value -> (fr, en)

    def label(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en


_KIND_LABELS = {"INDIVIDUAL": ("Particulier", "Individual"),
                "STRUCTURE": ("Structure", "Organisation")}

FIELDS: tuple[ContactField, ...] = (
    ContactField("kind", "enum", "Type de contact", "Contact kind",
                 tuple(k.value for k in ContactKind), _KIND_LABELS),
    ContactField("structure_type", "text", "Type de structure", "Structure type"),
    ContactField("postal_code", "text", "Code postal", "Postal code"),
    ContactField("city", "text", "Ville", "City"),
    ContactField("country", "text", "Pays", "Country"),
    ContactField("language", "text", "Langue", "Language"),
    ContactField("email", "text", "E-mail", "Email"),
    ContactField("phone", "text", "Téléphone", "Phone"),
    ContactField("birth_date", "date", "Date de naissance", "Birth date"),
    ContactField("age", "integer", "Âge", "Age"),  # whole years on D, from the birth date
    ContactField("created_at", "date", "Date de création", "Creation date"),  # its day
    ContactField("parent_contact_id", "id", "Structure de rattachement", "Parent contact"),
    ContactField("child_count", "count", "Nombre de contacts rattachés", "Linked contacts"),
)
FIELD_BY_NAME: dict[str, ContactField] = {f.name: f for f in FIELDS}

CHANNELS = ("email", "sms", "post")
CHANNEL_COLUMNS = {c: f"{c}_opt_in" for c in CHANNELS}
CHANNEL_LABELS = {"email": ("les e-mails", "email"), "sms": ("les SMS", "SMS"),
                  "post": ("le courrier", "post")}
CONSENT_STATES = ("opt_in", "opt_out", "unknown")

ATTRIBUTE_TYPES = ("text", "number", "date", "boolean")
# Attribute names travel in JSON paths: keep to letters, digits and a few harmless signs
# (Ibis/sqlglot read '.', '[', '$', ':' and quotes in a key as path syntax).
ATTRIBUTE_NAME_PATTERN = r"^[\w \-°/(),+#&]+$"

BEHAVIOURS = ("bought", "attended", "missed")
ROLES = ("holder", "buyer", "payer")
FAMILIES = tuple(f.value for f in ProductFamily)
# measures per behaviour; the operand kind of each
MEASURES: dict[str, str] = {"lines": "count", "orders": "count", "performances": "count",
                            "amount": "amount", "first_purchase": "date",
                            "last_purchase": "date"}
BEHAVIOUR_MEASURES = {"bought": tuple(MEASURES), "attended": ("lines", "performances"),
                      "missed": ("lines", "performances")}
SEASON_WORDS = ("current", "previous")
