"""Who may issue each of grid's commands (the county's default; see docs/permissions.md).

Rules beyond the role are checked where the data is: ``own_grids`` against the chiefs of the
issue's grid (or its parent), ``own_name``/``own_issues`` against the issue's reporter,
``team_leader`` against the team's leaders, ``township_escalations`` against the issue's level.
"""

from __future__ import annotations

from xiangzhi.permissions import Permission, grants, table_of

SECRETARY, STAFF = "village_secretary", "village_staff"

ESTABLISH_GRID = Permission(
    "grid.grid.establish", "establish a grid or micro-grid", grants(SECRETARY, STAFF)
)
ASSIGN_CHIEF = Permission(
    "grid.grid.assign_chief", "appoint one of a grid's three chiefs", grants(SECRETARY, STAFF)
)
FORM_TEAM = Permission("grid.team.form", "form a volunteer team", grants(SECRETARY, STAFF))
JOIN_TEAM = Permission(
    "grid.team.join", "enrol a villager in a volunteer team", grants(SECRETARY, STAFF)
)
LOG_SERVICE = Permission(
    "grid.team.log_service",
    "log hours of volunteer service",
    # A team's leader may be a grid worker or a villager (a students' team leads itself).
    grants(SECRETARY, STAFF, grid_worker="team_leader", resident="team_leader"),
)
RAISE_ISSUE = Permission(
    "grid.issue.raise",
    "raise an issue",
    grants(SECRETARY, STAFF, "grid_worker", resident="own_name", api_client="own_name"),
)
ASSIGN_ISSUE = Permission(
    "grid.issue.assign",
    "assign an issue to a chief or a team",
    grants(SECRETARY, STAFF, grid_worker="own_grids", township_officer="township_escalations"),
)
ESCALATE_ISSUE = Permission(
    "grid.issue.escalate",
    "escalate an issue",
    grants(SECRETARY, STAFF, grid_worker="own_grids", township_officer="township_escalations"),
)
RESOLVE_ISSUE = Permission(
    "grid.issue.resolve",
    "resolve an issue",
    grants(SECRETARY, STAFF, grid_worker="own_grids", township_officer="township_escalations"),
)
CONFIRM_ISSUE = Permission(
    "grid.issue.confirm",
    "confirm and rate a resolved issue",
    grants(resident="own_issues", village_secretary="on_behalf", village_staff="on_behalf"),
)
REOPEN_ISSUE = Permission(
    "grid.issue.reopen",
    "reopen a resolved issue",
    # Staff reopen what was not really done, whoever raised it (the resident told them).
    grants(SECRETARY, STAFF, resident="own_issues"),
)
CLOSE_ISSUE = Permission("grid.issue.close", "file an issue away", grants(SECRETARY, STAFF))

PERMISSIONS = table_of(
    "grid",
    [
        ESTABLISH_GRID,
        ASSIGN_CHIEF,
        FORM_TEAM,
        JOIN_TEAM,
        LOG_SERVICE,
        RAISE_ISSUE,
        ASSIGN_ISSUE,
        ESCALATE_ISSUE,
        RESOLVE_ISSUE,
        CONFIRM_ISSUE,
        REOPEN_ISSUE,
        CLOSE_ISSUE,
    ],
)
