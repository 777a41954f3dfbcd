"""Who may issue each of party's commands (the county's default; see docs/permissions.md).

The branch's secretary keeps the points (rules, manual scores, public notice) and announces a
deliberation's outcome; village staff record organisation, study days and deliberation steps;
a resident who is a registered party member may object to a published score.
"""

from __future__ import annotations

from xiangzhi.permissions import Permission, grants, table_of

SECRETARY, STAFF = "village_secretary", "village_staff"

ESTABLISH_ORG = Permission(
    "party.organization.establish",
    "set up a branch or a party group",
    grants(SECRETARY, STAFF),
)
REGISTER_MEMBER = Permission(
    "party.member.register", "register a party member", grants(SECRETARY, STAFF)
)
TRANSFER_MEMBER = Permission(
    "party.member.transfer", "move a member to another branch or group", grants(SECRETARY, STAFF)
)
DEFINE_RULE = Permission("party.points_rule.define", "define a points rule", grants(SECRETARY))
SCORE_MEMBER = Permission("party.member.score", "score a member by hand", grants(SECRETARY))
PUBLISH_NOTICE = Permission(
    "party.points_notice.publish", "put the year's points up for public notice", grants(SECRETARY)
)
OBJECT = Permission(
    "party.points_notice.object",
    "object to a published score",
    grants(resident="party_member"),
)
ANSWER_OBJECTION = Permission(
    "party.points_notice.answer", "answer an objection (and adjust)", grants(SECRETARY)
)
CLOSE_NOTICE = Permission("party.points_notice.close", "close the notice", grants(SECRETARY))
HOLD_ACTIVITY = Permission(
    "party.activity.hold", "record a study day (两日活动)", grants(SECRETARY, STAFF)
)
ATTEND_ACTIVITY = Permission(
    "party.activity.attend", "record a member's attendance", grants(SECRETARY, STAFF)
)
OPEN_DELIBERATION = Permission(
    "party.deliberation.open", "open a deliberation", grants(SECRETARY, STAFF)
)
COMPLETE_STEP = Permission(
    "party.deliberation.complete_step",
    "record a deliberation's next step",
    grants(SECRETARY, STAFF),
)
RECORD_MEETING = Permission(
    "party.deliberation.record_meeting",
    "record the party members' or the villagers' meeting (四议)",
    grants(SECRETARY, STAFF),
)
ANNOUNCE = Permission(
    "party.deliberation.announce", "publish a deliberation's announcement", grants(SECRETARY)
)
SCHEDULE_ROTATION = Permission(
    "party.representative.schedule_rotation",
    "give a villagers' representative a turn (轮岗)",
    grants(SECRETARY, STAFF),
)

PERMISSIONS = table_of(
    "party",
    [
        ESTABLISH_ORG,
        REGISTER_MEMBER,
        TRANSFER_MEMBER,
        DEFINE_RULE,
        SCORE_MEMBER,
        PUBLISH_NOTICE,
        OBJECT,
        ANSWER_OBJECTION,
        CLOSE_NOTICE,
        HOLD_ACTIVITY,
        ATTEND_ACTIVITY,
        OPEN_DELIBERATION,
        COMPLETE_STEP,
        RECORD_MEETING,
        ANNOUNCE,
        SCHEDULE_ROTATION,
    ],
)
