"""The indicator catalogue, and which indicators each institution computes.

Every caller reads the catalogue and the settings of the institutions it sees. Enabling or
disabling an indicator changes it for every organisation of the institution (and a disabled
indicator's stored values are cleared), so only an administrator who sees every organisation of
the institution may do it.
"""

from __future__ import annotations

from fastapi import APIRouter

from habitue.api.deps import NowDep, PrincipalDep, WorkspaceDep
from habitue.api.errors import ERROR_RESPONSES, ApiError, not_found
from habitue.api.schemas import (
    IndicatorDefinitionPublic,
    IndicatorSettingsPublic,
    IndicatorSettingUpdate,
)
from habitue.domain.access import AccessDenied
from habitue.indicators.catalogue import INDICATOR_BY_CODE, INDICATORS

router = APIRouter(tags=["indicators"], responses=ERROR_RESPONSES)


@router.get("/indicators", response_model=list[IndicatorDefinitionPublic])
def list_indicators(principal: PrincipalDep) -> list[IndicatorDefinitionPublic]:
    """The twelve indicators: codes, names, value types, levels with their French and
    English labels, refresh cadences."""
    return [IndicatorDefinitionPublic.from_def(ind) for ind in INDICATORS]


@router.get("/indicators/settings", response_model=list[IndicatorSettingsPublic])
def list_indicator_settings(ws: WorkspaceDep,
                            principal: PrincipalDep) -> list[IndicatorSettingsPublic]:
    """Per institution the caller sees, each indicator and whether it is enabled."""
    seen = ws.contacts.visibility(principal)
    return [IndicatorSettingsPublic(institution_id=inst, enabled=enabled,
                                    organisations=seen.organisations_of(inst))
            for inst, enabled in ws.indicator_settings().items() if seen.sees(inst)]


@router.get("/indicators/{code}", response_model=IndicatorDefinitionPublic)
def get_indicator(code: str, principal: PrincipalDep) -> IndicatorDefinitionPublic:
    if code not in INDICATOR_BY_CODE:
        raise not_found("indicator", code, "path.code")
    return IndicatorDefinitionPublic.from_def(INDICATOR_BY_CODE[code])


@router.put("/indicators/{code}/settings", response_model=IndicatorSettingsPublic)
def set_indicator_enabled(code: str, body: IndicatorSettingUpdate, ws: WorkspaceDep,
                          principal: PrincipalDep, now: NowDep) -> IndicatorSettingsPublic:
    """Enable or disable an indicator for an institution (administrators who see every
    organisation of it). Disabling clears its stored values; enabling it again shows the
    default until the next computation."""
    if code not in INDICATOR_BY_CODE:
        raise not_found("indicator", code, "path.code")
    principal.require_admin()
    orgs = ws.contacts.organisations_of_institution(body.institution_id)
    if orgs is None or (principal.organisations is not None and not principal.visible(orgs)):
        raise ApiError(422, "unknown_institution", f"no institution {body.institution_id!r}",
                       "body.institution_id")
    if principal.organisations is not None and not set(orgs) <= principal.organisations:
        raise AccessDenied(f"{principal.login} does not see every organisation of institution "
                           f"{body.institution_id!r}")
    ws.set_indicator_enabled(code, body.enabled, body.institution_id)
    ws.audit.record(principal, "indicator.enable" if body.enabled else "indicator.disable",
                    code, None, {"institution_id": body.institution_id}, now=now)
    return IndicatorSettingsPublic(institution_id=body.institution_id,
                                   enabled=ws.indicator_settings()[body.institution_id],
                                   organisations=principal.visible(orgs))
