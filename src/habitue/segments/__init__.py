"""Segments: a rule language over contacts (definition, parser, pure compiler to Ibis,
sentences in French and English).

    definition = load_definition(yaml_text)             # or parse_definition(dict)
    members = compile_segment(definition, scope=Scope.on(org, inst, as_of, seasons))
    describe(definition, "fr")   # "Abonné : Oui, et a acheté au moins 2 billets d'opéra …"
"""

from habitue.segments.compiler import compile_segment, segment_sql, uses_facts
from habitue.segments.definition import SegmentDefinition
from habitue.segments.describe import describe, describe_nodes
from habitue.segments.errors import SpecError
from habitue.segments.parser import Vocabulary, load_definition, parse_definition
from habitue.segments.phrases import Names
from habitue.segments.references import resolve_references
from habitue.segments.tables import Scope, SegmentTables, segment_tables

__all__ = [
    "Names", "Scope", "SegmentDefinition", "SegmentTables", "SpecError", "Vocabulary",
    "compile_segment", "describe", "describe_nodes", "load_definition", "parse_definition",
    "resolve_references", "segment_sql", "segment_tables", "uses_facts",
]
