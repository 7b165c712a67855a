"""The console's menu: each entry with the least role that sees it (the routes check the role again)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_
from bot.services.staff import Role


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str  # a catalog msgid, translated in the template
    role: Role


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("/", N_("Start"), Role.VIEWER),
    NavItem("/applications", N_("Applications"), Role.COORDINATOR),
    NavItem("/indicators", N_("Indicators"), Role.VIEWER),
    NavItem("/surveys", N_("Surveys"), Role.VIEWER),
    NavItem("/cohorts", N_("Cohorts"), Role.COORDINATOR),
    NavItem("/placements", N_("Placements"), Role.COORDINATOR),
    NavItem("/people", N_("People"), Role.COORDINATOR),
    NavItem("/openings", N_("Openings"), Role.COORDINATOR),
    NavItem("/broadcasts", N_("Broadcasts"), Role.COORDINATOR),
    NavItem("/audit", N_("Audit trail"), Role.ADMIN),
    NavItem("/staff", N_("Staff accounts"), Role.ADMIN),
)
