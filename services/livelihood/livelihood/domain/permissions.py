"""Who may issue each of livelihood's commands (the county's default; see docs/permissions.md).

The village's secretary and staff run works, remediation and practical things; a township
officer approves the works the county funds; a grid worker reports progress on site; a
resident asks for a practical thing in their own name and acknowledges it when done.
"""

from __future__ import annotations

from xiangzhi.permissions import Permission, grants, table_of

SECRETARY, STAFF = "village_secretary", "village_staff"

PROPOSE_WORKS = Permission(
    "livelihood.works.propose", "propose public works (民生工程)", grants(SECRETARY, STAFF)
)
APPROVE_WORKS = Permission(
    "livelihood.works.approve",
    "approve public works on a deliberation that passed 四议两公开",
    grants(SECRETARY, township_officer="county_funded"),
)
FUND_WORKS = Permission("livelihood.works.fund", "record works' funding", grants(SECRETARY, STAFF))
START_WORKS = Permission("livelihood.works.start", "record works started", grants(SECRETARY, STAFF))
REPORT_PROGRESS = Permission(
    "livelihood.works.report_progress",
    "report works' progress on site",
    grants(SECRETARY, STAFF, "grid_worker"),
)
APPROVE_CHANGE = Permission(
    "livelihood.works.approve_change", "approve a change of budget or plan", grants(SECRETARY)
)
COMPLETE_WORKS = Permission(
    "livelihood.works.complete", "record works completed", grants(SECRETARY, STAFF)
)
ACCEPT_WORKS = Permission(
    "livelihood.works.accept", "inspect completed works (验收)", grants(SECRETARY, STAFF)
)
START_REMEDIATION = Permission(
    "livelihood.remediation.start",
    "start an environment remediation campaign (人居环境整治)",
    grants(SECRETARY, STAFF),
)
RECORD_REMEDIATION = Permission(
    "livelihood.remediation.record", "record a remediation action", grants(SECRETARY, STAFF)
)
PROMISE = Permission(
    "livelihood.practical_thing.promise",
    "promise a practical thing (为民办实事): a resident asks in their own name",
    grants(SECRETARY, STAFF, resident="own_name"),
)
MARK_DONE = Permission(
    "livelihood.practical_thing.done", "record a practical thing done", grants(SECRETARY, STAFF)
)
ACKNOWLEDGE = Permission(
    "livelihood.practical_thing.acknowledge",
    "acknowledge a practical thing done (the resident who asked)",
    grants(resident="own_requests"),
)

PERMISSIONS = table_of(
    "livelihood",
    [
        PROPOSE_WORKS, APPROVE_WORKS, FUND_WORKS, START_WORKS, REPORT_PROGRESS, APPROVE_CHANGE,
        COMPLETE_WORKS, ACCEPT_WORKS, START_REMEDIATION, RECORD_REMEDIATION, PROMISE, MARK_DONE,
        ACKNOWLEDGE,
    ],
)  # fmt: skip
