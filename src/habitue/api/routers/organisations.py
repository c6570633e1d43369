"""Organisations and their seasons, those the caller sees."""

from __future__ import annotations

from fastapi import APIRouter

from habitue.api.deps import PrincipalDep, TodayDep, WorkspaceDep
from habitue.api.errors import ERROR_RESPONSES, not_found
from habitue.api.schemas import OrganisationPublic, SeasonPublic

router = APIRouter(tags=["organisations"], responses=ERROR_RESPONSES)


@router.get("/organisations", response_model=list[OrganisationPublic])
def list_organisations(ws: WorkspaceDep, principal: PrincipalDep) -> list[OrganisationPublic]:
    """The organisations the caller sees, by id."""
    return [OrganisationPublic(**o) for o in ws.organisations()
            if principal.sees(o["organisation_id"])]


def _visible(ws, principal, organisation_id: str) -> dict:
    for o in ws.organisations():
        if o["organisation_id"] == organisation_id and principal.sees(organisation_id):
            return o
    raise not_found("organisation", organisation_id, "path.organisation_id")


@router.get("/organisations/{organisation_id}", response_model=OrganisationPublic)
def get_organisation(organisation_id: str, ws: WorkspaceDep,
                     principal: PrincipalDep) -> OrganisationPublic:
    return OrganisationPublic(**_visible(ws, principal, organisation_id))


@router.get("/organisations/{organisation_id}/seasons", response_model=list[SeasonPublic])
def list_seasons(organisation_id: str, ws: WorkspaceDep, principal: PrincipalDep,
                 today: TodayDep) -> list[SeasonPublic]:
    """The organisation's seasons, oldest first; ``current`` marks the one containing today."""
    _visible(ws, principal, organisation_id)
    return [SeasonPublic(**s, current=s["start_date"] <= today <= s["end_date"])
            for s in ws.seasons_of(organisation_id)]
