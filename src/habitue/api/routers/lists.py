"""Marketing lists: the members of a saved segment frozen on a date. Freeze, read, export,
delete. A list belongs to its segment's organisation and is seen as the segment is."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from habitue.api.deps import NowDep, PrincipalDep, TodayDep, WorkspaceDep
from habitue.api.downloads import EXPORT_RESPONSES, export_response, scratch_dir
from habitue.api.errors import ERROR_RESPONSES, ApiError, not_found
from habitue.api.routers.segments import segment_errors, visible_segment
from habitue.api.schemas import Lang
from habitue.api.schemas_segments import ListCreate, ListPublic
from habitue.domain.access import Principal
from habitue.services.segment_evaluation import SegmentError
from habitue.services.workspace import Workspace
from habitue.storage.segment_store import MarketingList

router = APIRouter(tags=["lists"], responses=ERROR_RESPONSES)

def _public(m: MarketingList) -> ListPublic:
    return ListPublic(**m.__dict__)


def visible_list(ws: Workspace, principal: Principal, list_id: int) -> MarketingList:
    for m in ws.list_marketing_lists():
        if m.list_id == list_id and principal.sees(m.organisation_id):
            return m
    raise not_found("list", str(list_id), "path.list_id")


@router.get("/lists", response_model=list[ListPublic])
def list_lists(ws: WorkspaceDep, principal: PrincipalDep,
               organisation: str | None = None) -> list[ListPublic]:
    """The lists of the organisations the caller sees (or of ``organisation``), oldest
    first."""
    if organisation is not None:
        principal.require_read(organisation)
    return [_public(m) for m in ws.list_marketing_lists(organisation=organisation)
            if principal.sees(m.organisation_id)]


@router.post("/lists", response_model=ListPublic, status_code=201)
def freeze_list(body: ListCreate, ws: WorkspaceDep, principal: PrincipalDep, now: NowDep,
                today: TodayDep) -> ListPublic:
    """Freeze the members of a saved segment as of ``as_of`` (default: today) into a new
    list."""
    try:
        seg = visible_segment(ws, principal, body.segment_key).segment
    except ApiError as exc:
        raise not_found("segment", body.segment_key, "body.segment_key") from exc
    principal.require_write(seg.organisation_id)
    with segment_errors(field="body.name", definition_field="segment"):
        m = ws.freeze_list(body.segment_key, name=body.name, as_of=body.as_of or today,
                           now=now, by=principal.login)
    ws.audit.record(principal, "list.create", str(m.list_id), m.organisation_id,
                    {"segment": m.segment_key, "members": m.member_count,
                     "as_of": m.as_of.isoformat()}, now=now)
    return _public(m)


@router.get("/lists/{list_id}", response_model=ListPublic)
def get_list(list_id: int, ws: WorkspaceDep, principal: PrincipalDep) -> ListPublic:
    return _public(visible_list(ws, principal, list_id))


@router.get("/lists/{list_id}/export", response_class=Response, responses=EXPORT_RESPONSES)
def export_list(
    list_id: int, ws: WorkspaceDep, principal: PrincipalDep, now: NowDep,
    format: Literal["csv", "xlsx"] = "csv",
    purpose: Annotated[Literal["email", "sms", "post"] | None, Query(
        description="Only the members with that opt-in and a usable address.")] = None,
    columns: Annotated[str | None, Query(
        max_length=2000, description="Comma-separated columns: contact fields, CODE, "
                                     "CODE:level, CODE:label, attribute:NAME…")] = None,
    lang: Lang | None = None,
) -> Response:
    """Download the list's members (their contact fields and indicators as they are now),
    as the segment export does. Every export is recorded in the audit log."""
    m = visible_list(ws, principal, list_id)
    with scratch_dir() as folder, segment_errors(field="query.columns"):
        summary = ws.export_list(str(m.list_id), path=folder / f"list-{m.list_id}.{format}",
                                 fmt=format, columns=columns, purpose=purpose,
                                 lang=lang or ws.settings.lang, by=principal, now=now,
                                 note={"columns": columns})
        return export_response(summary, folder, f"list-{m.list_id}.{format}")


@router.delete("/lists/{list_id}", status_code=204, response_class=Response)
def delete_list(list_id: int, ws: WorkspaceDep, principal: PrincipalDep,
                now: NowDep) -> Response:
    m = visible_list(ws, principal, list_id)
    principal.require_write(m.organisation_id)
    try:
        ws.delete_list(str(m.list_id))
    except SegmentError as exc:
        raise ApiError(409, "conflict", str(exc), "path.list_id") from exc
    ws.audit.record(principal, "list.delete", str(m.list_id), m.organisation_id,
                    {"name": m.name}, now=now)
    return Response(status_code=204)

