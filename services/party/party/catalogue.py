"""The county's standard points rules, defined in a village's catalogue the first time the
village scores; a village may then change them, each change a new version."""

from __future__ import annotations

from decimal import Decimal

from .domain.events import RuleCategory

RESOLVED_ISSUE = "resolved_issue"
VOLUNTEER_SERVICE = "volunteer_service"
ATTENDED_STUDY = "attended_study"
GAVE_LESSON = "gave_party_lesson"

# rule id → (name, category, points, cap per year)
STANDARD: dict[str, tuple[str, RuleCategory, Decimal, Decimal | None]] = {
    RESOLVED_ISSUE: (
        "解决群众诉求 (resolved a resident's issue)",
        "service",
        Decimal(2),
        Decimal(30),
    ),
    VOLUNTEER_SERVICE: (
        "志愿服务 (volunteer service, per 2 hours)",
        "service",
        Decimal(1),
        Decimal(20),
    ),
    ATTENDED_STUDY: ("参加两日活动 (attended a study day)", "study", Decimal(1), Decimal(24)),
    GAVE_LESSON: ("讲党课 (gave a party lesson)", "study", Decimal(3), Decimal(12)),
    "missed_meeting": (
        "无故缺席组织生活 (missed a meeting without leave)",
        "discipline",
        Decimal(-2),
        None,
    ),
}
