"""The category catalogue: what residents can raise, in whose words, and how fast it is owed.

The same catalogue is the Open311 service list. SLA hours are the village's promise for a
first resolution; overdue issues climb one level per further SLA period.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    code: str
    name: str  # as villagers and cadres say it
    name_en: str
    group: str
    sla_hours: int
    keywords: tuple[str, ...] = ()


CATEGORIES: dict[str, Category] = {
    c.code: c
    for c in (
        Category("drainage", "下水排水", "Drainage and sewers", "民生工程", 72, ("下水", "积水")),
        Category("water_leak", "漏水点", "Water leak", "民生工程", 48, ("漏水", "水管")),
        Category("road", "道路破损", "Road damage", "民生工程", 168, ("道路", "坑洼")),
        Category("street_light", "路灯照明", "Street lighting", "民生工程", 72, ("路灯",)),
        Category("garbage", "垃圾清运", "Garbage", "人居环境", 24, ("垃圾",)),
        Category("sanitation", "环境卫生", "Sanitation", "人居环境", 48, ("卫生", "杂草")),
        Category("illegal_building", "违章建筑", "Illegal building", "人居环境", 168, ("违建",)),
        Category(
            "dispute", "矛盾纠纷", "Dispute between neighbours", "平安建设", 120, ("纠纷", "调解")
        ),
        Category("safety_hazard", "安全隐患", "Safety hazard", "平安建设", 24, ("隐患",)),
        Category("elderly_care", "老人照料", "Care for the elderly", "为民服务", 48, ("老人",)),
        Category("other", "其他诉求", "Other", "为民服务", 120, ()),
    )
}


def category(code: str) -> Category:
    return CATEGORIES[code]
