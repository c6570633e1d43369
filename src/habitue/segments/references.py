"""Segments that use other saved segments: resolving them, and refusing cycles.

``resolve`` maps a saved segment's key to its definition and raises ``KeyError`` for an unknown
key (the storage layer provides it). Errors point at the reference in the definition being
checked; the message says where, inside the other segments, it went wrong.
"""

from __future__ import annotations

from collections.abc import Callable

from habitue.segments.definition import SegmentDefinition
from habitue.segments.errors import SpecError

Resolver = Callable[[str], SegmentDefinition]


def no_segments(key: str) -> SegmentDefinition:
    """The resolver of a store without saved segments."""
    raise KeyError(key)


def resolve_references(definition: SegmentDefinition, resolve: Resolver, *,
                       key: str | None = None) -> dict[str, SegmentDefinition]:
    """Every saved segment ``definition`` uses, directly or not, by key. ``key`` is the
    definition's own key when it is saved (a reference back to it is then a cycle)."""
    found: dict[str, SegmentDefinition] = {}
    _visit(definition, resolve, [key] if key else [], found, outer=None)
    return found


def _visit(definition: SegmentDefinition, resolve: Resolver, chain: list[str],
           found: dict[str, SegmentDefinition], outer: str | None) -> None:
    for path, ref in definition.segment_refs():
        where = outer or f"{path}.segment"
        inside_en = f" (in segment '{chain[-1]}' at {path})" if outer else ""
        inside_fr = f" (dans le segment « {chain[-1]} » en {path})" if outer else ""
        if ref.segment in chain:
            loop = " → ".join([*chain[chain.index(ref.segment):], ref.segment])
            raise SpecError("cycle", where,
                            f"segment '{ref.segment}' contains itself: {loop}{inside_en}",
                            f"le segment « {ref.segment} » se contient lui-même : "
                            f"{loop}{inside_fr}")
        if ref.segment not in found:
            try:
                found[ref.segment] = resolve(ref.segment)
            except KeyError:
                raise SpecError("unknown_segment", where,
                                f"unknown segment '{ref.segment}'{inside_en}",
                                f"segment inconnu « {ref.segment} »{inside_fr}") from None
        _visit(found[ref.segment], resolve, [*chain, ref.segment], found, outer=where)
