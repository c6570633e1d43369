"""Saved segments: create, read, change, delete; count, preview, compare and export their
members; count an unsaved definition.

A segment belongs to an organisation: the caller sees the segments of the organisations it
sees (another organisation's segment is "not found") and changes those it may write in.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from habitue.api.deps import NowDep, PrincipalDep, TodayDep, WorkspaceDep
from habitue.api.downloads import EXPORT_RESPONSES, export_response, scratch_dir
from habitue.api.errors import ERROR_RESPONSES, ApiError, not_found
from habitue.api.schemas import Lang
from habitue.api.schemas_segments import (
    SegmentCount,
    SegmentCountRequest,
    SegmentCreate,
    SegmentOverlap,
    SegmentPreview,
    SegmentPublic,
    SegmentSize,
    SegmentUpdate,
)
from habitue.domain.access import Principal
from habitue.segments import SpecError
from habitue.services.segment_evaluation import SegmentError
from habitue.services.workspace import Workspace

router = APIRouter(tags=["segments"], responses=ERROR_RESPONSES)

AsOf = Annotated[date | None, Query(description="The reference date of behaviours and "
                                                "relative dates (default: today).")]


@contextmanager
def segment_errors(lang: str = "en", field: str | None = None,
                   definition_field: str = "body.definition") -> Iterator[None]:
    """A bad definition: 422 with the definition error's code and the node's path under
    ``definition_field``; another refusal of the segment services: 422 ``refused`` on
    ``field``. (``invalid`` is kept for requests that do not match the schema.)"""
    try:
        yield
    except SpecError as exc:
        where = f"{definition_field}.{exc.path}" if exc.path else definition_field
        raise ApiError(422, exc.code, exc.sentence(lang), where) from exc
    except SegmentError as exc:
        raise ApiError(422, "refused", str(exc), field) from exc


def visible_segment(ws: Workspace, principal: Principal, key: str, lang: str = "en"):
    """The segment's details, if the caller sees its organisation (else 404)."""
    try:
        details = ws.show_segment(key, lang=lang)
    except SegmentError:
        details = None
    if details is None or not principal.sees(details.segment.organisation_id):
        raise not_found("segment", key, "path.key")
    return details


def _organisation(ws: Workspace, principal: Principal, organisation: str | None,
                  field: str) -> str:
    known = [o["organisation_id"] for o in ws.organisations()]
    if organisation is None:
        visible = principal.visible(known)
        if len(visible) != 1:
            raise ApiError(422, "missing", "give the organisation: the caller sees "
                           + (", ".join(visible) or "none"), field)
        return visible[0]
    principal.require_read(organisation)
    if organisation not in known:
        raise ApiError(422, "unknown_organisation", f"no organisation {organisation!r}", field)
    return organisation


def _public(details, *, with_sizes: bool) -> SegmentPublic:
    seg = details.segment
    sizes = [SegmentSize(as_of=a, size=n, batch_id=b) for a, n, b in details.sizes]
    return SegmentPublic(
        key=seg.key, organisation_id=seg.organisation_id, name=seg.name,
        definition=seg.definition, sentence=details.sentence, created_at=seg.created_at,
        created_by=seg.created_by, updated_at=seg.updated_at, updated_by=seg.updated_by,
        last_size=sizes[0] if sizes else None, sizes=sizes if with_sizes else None)


@router.get("/segments", response_model=list[SegmentPublic])
def list_segments(ws: WorkspaceDep, principal: PrincipalDep,
                  organisation: str | None = None,
                  lang: Lang | None = None) -> list[SegmentPublic]:
    """The saved segments of the organisations the caller sees (or of ``organisation``),
    with their sentence and last recorded size."""
    if organisation is not None:
        principal.require_read(organisation)
    out = []
    for s in ws.list_segments(organisation=organisation, lang=lang or ws.settings.lang):
        if not principal.sees(s.segment.organisation_id):
            continue
        last = (SegmentSize(as_of=s.last_size[0], size=s.last_size[1])
                if s.last_size else None)
        seg = s.segment
        out.append(SegmentPublic(
            key=seg.key, organisation_id=seg.organisation_id, name=seg.name,
            definition=seg.definition, sentence=s.sentence, created_at=seg.created_at,
            created_by=seg.created_by, updated_at=seg.updated_at, updated_by=seg.updated_by,
            last_size=last))
    return out


@router.post("/segments", response_model=SegmentPublic, status_code=201)
def create_segment(body: SegmentCreate, ws: WorkspaceDep, principal: PrincipalDep,
                   now: NowDep, lang: Lang | None = None) -> SegmentPublic:
    """Save a segment under a new key. The definition is checked against what the
    organisation has (its enabled indicators, segments, attributes, seasons)."""
    lang = lang or ws.settings.lang
    org = _organisation(ws, principal, body.organisation_id, "body.organisation_id")
    principal.require_write(org)
    try:
        ws.show_segment(body.key)
    except SegmentError:
        pass
    else:
        raise ApiError(409, "conflict", f"a segment {body.key!r} already exists", "body.key")
    with segment_errors(lang, "body.key"):
        ws.create_segment(body.key, body.definition, now=now, organisation=org,
                          name=body.name, by=principal.login)
    ws.audit.record(principal, "segment.create", body.key, org, None, now=now)
    return _public(visible_segment(ws, principal, body.key, lang), with_sizes=True)


@router.get("/segments/{key}", response_model=SegmentPublic)
def get_segment(key: str, ws: WorkspaceDep, principal: PrincipalDep,
                lang: Lang | None = None) -> SegmentPublic:
    """The segment, its sentence and its recent sizes."""
    return _public(visible_segment(ws, principal, key, lang or ws.settings.lang),
                   with_sizes=True)


@router.put("/segments/{key}", response_model=SegmentPublic)
def update_segment(key: str, body: SegmentUpdate, ws: WorkspaceDep, principal: PrincipalDep,
                   now: NowDep, lang: Lang | None = None) -> SegmentPublic:
    """Change the segment's name and/or definition."""
    lang = lang or ws.settings.lang
    org = visible_segment(ws, principal, key).segment.organisation_id
    principal.require_write(org)
    with segment_errors(lang):
        ws.update_segment(key, now=now, definition=body.definition, name=body.name,
                          by=principal.login)
    ws.audit.record(principal, "segment.update", key, org,
                    {"fields": sorted(body.model_dump(exclude_unset=True))}, now=now)
    return _public(visible_segment(ws, principal, key, lang), with_sizes=True)


@router.delete("/segments/{key}", status_code=204, response_class=Response)
def delete_segment(key: str, ws: WorkspaceDep, principal: PrincipalDep,
                   now: NowDep) -> Response:
    """Delete the segment (not the lists frozen from it). A segment other segments use is
    kept: 409."""
    org = visible_segment(ws, principal, key).segment.organisation_id
    principal.require_write(org)
    try:
        ws.delete_segment(key)
    except SegmentError as exc:
        raise ApiError(409, "conflict", str(exc), "path.key") from exc
    ws.audit.record(principal, "segment.delete", key, org, None, now=now)
    return Response(status_code=204)


@router.get("/segments/{key}/count", response_model=SegmentCount)
def count_segment(key: str, ws: WorkspaceDep, principal: PrincipalDep, today: TodayDep,
                  as_of: AsOf = None) -> SegmentCount:
    """How many contacts are members as of ``as_of``."""
    seg = visible_segment(ws, principal, key).segment
    as_of = as_of or today
    with segment_errors(definition_field="segment"):
        count = ws.count_segment(ws.segment_target(key), as_of=as_of)
    return SegmentCount(key=key, organisation_id=seg.organisation_id, as_of=as_of, count=count)


@router.post("/segments/count", response_model=SegmentCount)
def count_definition(body: SegmentCountRequest, ws: WorkspaceDep, principal: PrincipalDep,
                     today: TodayDep) -> SegmentCount:
    """Check an unsaved definition and count its members (the segment builder's live
    count); a bad definition is a 422 whose ``field`` is the rule's path."""
    lang = body.lang or ws.settings.lang
    org = _organisation(ws, principal, body.organisation_id, "body.organisation_id")
    as_of = body.as_of or today
    with segment_errors(lang):
        target = ws.segment_target(definition=body.definition, organisation=org)
        sentence = ws.describe_segment(body.definition, organisation=org, lang=lang)
        count = ws.count_segment(target, as_of=as_of)
    return SegmentCount(organisation_id=org, as_of=as_of, count=count, sentence=sentence)


@router.get("/segments/{key}/preview", response_model=SegmentPreview)
def preview_segment(key: str, ws: WorkspaceDep, principal: PrincipalDep, today: TodayDep,
                    limit: Annotated[int, Query(ge=1, le=200)] = 20,
                    as_of: AsOf = None, lang: Lang | None = None) -> SegmentPreview:
    """How many members, and the first ``limit`` by contact id with their name, email and
    the levels and labels of a few indicators."""
    visible_segment(ws, principal, key)
    as_of = as_of or today
    with segment_errors(definition_field="segment"):
        p = ws.preview_segment(ws.segment_target(key), as_of=as_of, limit=limit,
                               lang=lang or ws.settings.lang)
    return SegmentPreview(key=key, as_of=as_of, count=p.count, columns=p.headers,
                          rows=[dict(zip(p.headers, r, strict=True)) for r in p.rows])


@router.get("/segments/{key}/overlap", response_model=SegmentOverlap)
def overlap_segments(key: str, other: Annotated[str, Query(description="Another segment.")],
                     ws: WorkspaceDep, principal: PrincipalDep, today: TodayDep,
                     as_of: AsOf = None) -> SegmentOverlap:
    """How many contacts are in this segment only, in both, in the other only."""
    visible_segment(ws, principal, key)
    try:
        visible_segment(ws, principal, other)
    except ApiError as exc:
        raise not_found("segment", other, "query.other") from exc
    as_of = as_of or today
    with segment_errors(definition_field="segment"):
        o = ws.overlap_segments(ws.segment_target(key), ws.segment_target(other), as_of=as_of)
    return SegmentOverlap(key=key, other=other, as_of=as_of, **o.as_dict())


@router.get("/segments/{key}/export", response_class=Response, responses=EXPORT_RESPONSES)
def export_segment(
    key: str, ws: WorkspaceDep, principal: PrincipalDep, today: TodayDep, now: NowDep,
    format: Literal["csv", "xlsx"] = "csv",
    purpose: Annotated[Literal["email", "sms", "post"] | None, Query(
        description="Only the members with that opt-in and a usable address.")] = None,
    columns: Annotated[str | None, Query(
        max_length=2000, description="Comma-separated columns: contact fields, CODE, "
                                     "CODE:level, CODE:label, attribute:NAME…")] = None,
    as_of: AsOf = None, lang: Lang | None = None,
) -> Response:
    """Download the members, one row each by contact id (CSV or XLSX). The headers
    ``X-Habitue-Members``, ``X-Habitue-Exported`` and ``X-Habitue-Left-Out`` say how many
    members there are, how many were written, and (with a purpose) why the others were not.
    Every export is recorded in the audit log."""
    visible_segment(ws, principal, key)
    as_of = as_of or today
    with scratch_dir() as folder, segment_errors(field="query.columns",
                                                 definition_field="segment"):
        summary = ws.export_segment(ws.segment_target(key), as_of=as_of,
                                    path=folder / f"{key}.{format}", fmt=format,
                                    columns=columns, purpose=purpose,
                                    lang=lang or ws.settings.lang, by=principal, now=now,
                                    note={"columns": columns})
        return export_response(summary, folder, f"{key}-{as_of.isoformat()}.{format}")
