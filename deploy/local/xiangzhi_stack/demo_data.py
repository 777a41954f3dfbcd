"""What `make demo` loads, as plain data: Dongzhuang as ``docs``' domain.md tells it, and the
further villages of Wenshui county, each generated from its code (the same village every run).

Pure: no I/O. :mod:`xiangzhi_stack.demo` sends these plans to the gateway as commands. Every id
is the client's own (``dz-demo-…``, ``demo-…``, ``DEMO-HT-…``), so that a second run finds what
the first created, and nothing here meets the ids the e2e tests use in the same villages.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

COUNTY = "141121"  # 文水县
COUNTY_NAME = "文水县"
DONGZHUANG = "141121100201"  # 南武乡 东庄村, as the project names it
YEAR = 2026
MAX_VILLAGES = 300

# The townships the further villages belong to (the project's own code for 南武乡; the rest in
# the county's order). Township 300 is left to the tests, which register villages there.
TOWNSHIPS: tuple[tuple[str, str], ...] = (
    ("100", "南武乡"), ("101", "凤城镇"), ("102", "开栅镇"), ("103", "南庄镇"),
    ("104", "南安镇"), ("105", "刘胡兰镇"), ("106", "下曲镇"), ("107", "孝义镇"),
    ("108", "西城乡"), ("109", "北张乡"), ("110", "马西乡"), ("111", "西槽头乡"),
)  # fmt: skip
VILLAGES_PER_TOWNSHIP = MAX_VILLAGES // len(TOWNSHIPS)

SURNAMES = "王李张刘陈杨赵黄周吴孙马胡郭高梁宋武任贾韩冀温郝段田白康成牛"
GIVEN = (
    "建国", "秀英", "志强", "桂兰", "海军", "丽华", "文斌", "玉梅", "国庆", "春燕", "永刚",
    "金花", "俊杰", "晓红", "宏伟", "美玲", "振华", "淑芬", "保平", "翠萍", "二虎", "爱莲",
    "满仓", "巧云", "拴柱", "改花", "铁柱", "引弟", "富贵", "月娥", "红旗", "润生",
)  # fmt: skip
PLACE_SUFFIXES = ("庄", "堡", "寨", "营", "屯", "湾", "坡", "沟", "岭", "峪")

Role = Literal[
    "county_admin", "township_officer", "village_secretary", "village_staff", "grid_worker",
    "resident",
]  # fmt: skip


def person_name(n: int) -> str:
    """A villager's name, the same for the same number."""
    return SURNAMES[n % len(SURNAMES)] + GIVEN[(n * 7 + n // len(SURNAMES)) % len(GIVEN)]


def past(day: date, today: date) -> date:
    """``day``, or yesterday if ``day`` has not come yet (the services refuse the future)."""
    return min(day, today - timedelta(days=1))


def deadline(today: date) -> date:
    """A deadline for a practical thing that has not passed."""
    return max(date(YEAR + 1, 6, 30), today + timedelta(days=90))


# ------------------------------------------------------------------ the plan of a village


@dataclass(frozen=True)
class Person:
    """A user the demo creates (``label`` names them in the plan: secretary, staff …)."""

    label: str
    username: str
    role: Role
    name: str
    person_id: str
    villages: tuple[str, ...] = ()
    county: str | None = None
    township: str | None = None
    logs_in: bool = True  # whether the demo acts as them (a login costs the gateway a hash)


@dataclass(frozen=True)
class Chief:
    role: Literal["grid_chief", "party_group_leader", "villager_group_leader"]
    person_id: str
    name: str
    party_member_id: str | None = None


@dataclass(frozen=True)
class Grid:
    grid_id: str
    name: str
    level: Literal["grid", "micro_grid"]
    households: int
    parent_id: str | None = None
    chiefs: tuple[Chief, ...] = ()


@dataclass(frozen=True)
class Team:
    team_id: str
    name: str
    kind: str
    members: tuple[tuple[str, str, str, bool], ...]  # person, name, background, leader
    services: tuple[tuple[str, str, str, date], ...]  # person, hours, what, served on


IssueStatus = Literal["raised", "assigned", "resolved", "confirmed", "closed"]
ISSUE_FLOW: tuple[IssueStatus, ...] = ("raised", "assigned", "resolved", "confirmed", "closed")


@dataclass(frozen=True)
class Issue:
    issue_id: str
    grid_id: str
    category: str
    title: str
    description: str
    address: str
    resident: str  # the label of the resident it is raised for
    by_resident: bool  # raised in the resident's own name (else the staff record it for them)
    assignee: tuple[Literal["chief", "team"], str]
    resolver: str  # label: staff, or the grid worker on their own grid
    resolution: str
    target: IssueStatus
    satisfaction: int = 5


@dataclass(frozen=True)
class Org:
    org_id: str
    name: str
    kind: Literal["general_branch", "branch", "party_group"]
    parent_id: str | None = None
    grid_id: str | None = None


@dataclass(frozen=True)
class Member:
    member_id: str
    name: str
    org_id: str
    joined_on: date
    status: Literal["full", "probationary"] = "full"
    veteran: bool = False
    scores: tuple[tuple[str, str], ...] = ()  # (rule, reason): each given once


@dataclass(frozen=True)
class Rule:
    rule_id: str
    name: str
    category: Literal["study", "service", "example", "discipline"]
    points: str
    cap: str | None = None


@dataclass(frozen=True)
class Activity:
    activity_id: str
    kind: Literal["theme_party_day", "party_lesson", "study_tour", "other"]
    title: str
    on: date
    attendees: tuple[str, ...]
    lecturer: str | None = None
    destination: str | None = None


@dataclass(frozen=True)
class Deliberation:
    """Through all six steps (收集意见 … 发布公告); a matter of 四议两公开 with both meetings."""

    deliberation_id: str
    kind: Literal["sentiment_talk", "villager_deliberation", "women_deliberation"]
    topic: str
    matter: str
    opinions: str
    agenda: str
    questions: tuple[tuple[str, str, str], ...]  # question, asked by, answer
    report: str
    plan: tuple[str, ...]
    announcement: str
    meetings: tuple[tuple[int, int, int], tuple[bool, int, int]] | None = None


@dataclass(frozen=True)
class Contract:
    contract_id: str
    asset_id: str
    asset_name: str
    contractor_id: str
    contractor: str
    area_mu: Decimal
    annual_fee: Decimal
    starts_on: date
    ends_on: date
    written: bool
    findings: dict[str, Any]  # the review's body but the campaign
    rectifications: tuple[dict[str, Any], ...]  # a "cites" key names the deliberation to cite
    cleared_on: date | None


@dataclass(frozen=True)
class Coop:
    coop_id: str
    name: str
    crops: tuple[str, ...]
    members: int
    registered_on: date
    pooled_land_mu: str | None
    brand: str | None
    harvests: tuple[dict[str, str], ...]
    sales: tuple[dict[str, str], ...]


@dataclass(frozen=True)
class Enterprise:
    enterprise_id: str
    name: str
    sector: str
    employed: int
    as_of: date
    park: str | None = None
    state_owned: bool = False


@dataclass(frozen=True)
class Economy:
    campaign_id: str
    campaign_name: str
    campaign_starts: date
    filename: str
    contracts: tuple[Contract, ...]
    income: tuple[dict[str, Any], ...] = ()
    coops: tuple[Coop, ...] = ()
    enterprises: tuple[Enterprise, ...] = ()


WorksStage = Literal["proposed", "approved", "in_progress", "completed", "accepted"]
WORKS_FLOW: tuple[WorksStage, ...] = (
    "proposed",
    "approved",
    "in_progress",
    "completed",
    "accepted",
)


@dataclass(frozen=True)
class Works:
    works_id: str
    category: str
    title: str
    quantity: Decimal
    unit: str
    budget: Decimal
    cost: Decimal
    deliberation_id: str
    started_on: date
    completed_on: date
    target: WorksStage
    contractor: tuple[str, str]  # id, name

    @property
    def funding(self) -> tuple[tuple[str, Decimal], ...]:
        county = (self.budget * Decimal("0.6")).quantize(Decimal("0.01"))
        return (("county", county), ("collective", self.budget - county))


@dataclass(frozen=True)
class Remediation:
    campaign_id: str
    name: str
    starts_on: date
    partners: tuple[str, ...]
    actions: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Thing:
    item_id: str
    title: str
    deadline: date
    resident: str | None  # the label of the resident who asked
    deliberation_id: str | None
    done_on: date | None
    beneficiaries: int
    acknowledged: bool = False


@dataclass
class Village:
    code: str
    name: str
    township: str
    people: dict[str, Person]
    grids: list[Grid] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    orgs: list[Org] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    deliberations: list[Deliberation] = field(default_factory=list)
    notice: int | None = None  # the year whose points notice is published
    economy: Economy | None = None
    works: list[Works] = field(default_factory=list)
    remediation: Remediation | None = None
    things: list[Thing] = field(default_factory=list)
    clerk: str = "staff"  # who keeps the contracts (Dongzhuang: its accountant)

    @property
    def township_code(self) -> str:
        return self.code[:9]

    @property
    def micro_grids(self) -> list[Grid]:
        return [g for g in self.grids if g.level == "micro_grid"]


def village_people(code: str, extra: tuple[str, ...] = (), n: int = 0) -> dict[str, Person]:
    """The village's users: its secretary (created by the county), staff, a grid worker and
    two residents (created by the secretary)."""
    roles: list[tuple[str, Role, bool]] = [
        ("secretary", "village_secretary", True),
        ("staff", "village_staff", True),
        *((label, "village_staff", True) for label in extra),
        ("grid-worker", "grid_worker", code == DONGZHUANG),
        ("resident-1", "resident", code == DONGZHUANG),
        ("resident-2", "resident", code == DONGZHUANG),
    ]
    return {
        label: Person(
            label=label,
            username=f"demo-{code}-{label}",
            role=role,
            name=person_name(n + i * 3),
            person_id=f"demo-p-{code}-{label}",
            villages=(code,),
            logs_in=logs_in,
        )
        for i, (label, role, logs_in) in enumerate(roles)
    }


def county_admin() -> Person:
    return Person(
        "admin", "demo-admin", "county_admin", "文水县管理员", "demo-p-county-admin",
        county=COUNTY,
    )  # fmt: skip


def township_officer(township: str) -> Person:
    name = dict(TOWNSHIPS).get(township[6:], township)
    return Person(
        f"township-{township}", f"demo-township-{township}", "township_officer", f"{name}干部",
        f"demo-p-township-{township}", county=COUNTY, township=township, logs_in=False,
    )  # fmt: skip


# ------------------------------------------------------------------ Dongzhuang (domain.md)

AREAS = ("东片", "西片", "南片", "北片")
TEAMS = (
    ("emergency_rescue", "应急救助队"), ("daily_service", "日常服务队"),
    ("dispute_mediation", "矛盾调解队"), ("environment", "人居环境整治队"),
    ("elderly_care", "敬老助老队"), ("culture", "文化宣传队"), ("safety_patrol", "平安巡逻队"),
)  # fmt: skip
STUDY_TOURS = (
    ("shandong", "山东", "赴山东寿光观摩学习蔬菜产业化"),
    ("fangshan", "房山", "赴北京房山观摩学习美丽乡村建设"),
    ("qixian", "祁县", "赴祁县观摩学习集体经济发展"),
    ("pingyao", "平遥", "赴平遥观摩学习乡村旅游"),
    ("fenyang", "汾阳", "赴汾阳观摩学习人居环境整治"),
)
CONTRACT_HEADER = (
    "合同编号,资产编号,资产类别,资产名称,承包方编号,承包方,承包面积(亩),年承包费(元),"
    "起始日期,终止日期,书面合同"
)
DZ_CONTRACTS = 98
DZ_AREA_MU = Decimal("624.16")
# domain.md §4: id, category, title, quantity, unit, budget, cost (the field roads in three
# sections, the leaks in two batches).
DZ_WORKS: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("dz-demo-lh-service-centre", "service_centre", "党群服务中心提标改造", "400", "m2",
     "680000.00", "652300.00"),
    ("dz-demo-lh-elderly-care", "elderly_care", "老年人日间照料中心", "300", "m2",
     "450000.00", "438150.50"),
    ("dz-demo-lh-drainage", "drainage", "正街下水", "300", "m", "360000.00", "351200.00"),
    ("dz-demo-lh-entry-road", "road", "入村主干道拓宽", "800", "m", "1200000.00",
     "1185000.00"),
    ("dz-demo-lh-field-road-north", "field_road", "田间道路平整拓宽（北片）", "3500", "m",
     "420000.00", "411800.00"),
    ("dz-demo-lh-field-road-south", "field_road", "田间道路平整拓宽（南片）", "3000", "m",
     "360000.00", "352400.00"),
    ("dz-demo-lh-field-road-west", "field_road", "田间道路平整拓宽（西片）", "2800", "m",
     "336000.00", "329990.00"),
    ("dz-demo-lh-leaks-1", "leak_repair", "自来水管网漏水点维修（一期）", "30", "spot",
     "45000.00", "43800.00"),
    ("dz-demo-lh-leaks-2", "leak_repair", "自来水管网漏水点维修（二期）", "22", "spot",
     "33000.00", "31950.00"),
)  # fmt: skip
# 六乱治理 with the village's enterprise (村企联建): id, kind, count, quantity, partner.
DZ_ACTIONS: tuple[tuple[str, str, int, str | None, str | None], ...] = (
    ("dz-demo-lh-garbage-points", "garbage_point_removed", 10, None, None),
    ("dz-demo-lh-garbage", "garbage_cleared", 1, "8200", "新光华铸管"),
    ("dz-demo-lh-weeds", "weeds_cleared", 720, None, None),
    ("dz-demo-lh-illegal-buildings", "illegal_building_demolished", 43, "1320", "新光华铸管"),
    ("dz-demo-lh-park", "park_built", 1, "2500", None),
    ("dz-demo-lh-square", "square_built", 1, "1000", None),
    ("dz-demo-lh-walls", "wall_painted", 1, "5670", None),
    ("dz-demo-lh-murals", "mural_painted", 1, "480", None),
    ("dz-demo-lh-ruined-walls", "ruined_wall_removed", 1, "500", None),
)
THINGS = (
    "村口路灯维修", "独居老人家中安装扶手", "小学门口增设减速带", "东街排水沟清淤",
    "卫生室配备血压计", "北街破损井盖更换", "老年活动室添置桌椅", "困难户冬季取暖补助",
    "村委会便民服务代办点", "南街积水点整治", "广场健身器材维修", "田间机井电路检修",
    "幼儿园周边安全护栏", "垃圾桶增设50个", "村内公交站点遮雨棚", "农家书屋图书更新",
    "残疾人家庭无障碍改造", "自来水水压改善", "西街危墙拆除", "留守儿童暑期托管",
    "村史馆展板更新", "主干道绿化补植",
)  # fmt: skip


def dz_areas() -> list[Decimal]:
    """98 parcels whose areas add up to exactly 624.16 mu (as the article reports)."""
    areas = [Decimal("6.37") + Decimal("0.11") * ((i % 7) - 3) for i in range(DZ_CONTRACTS)]
    areas[0] -= Decimal("0.10")
    assert sum(areas) == DZ_AREA_MU
    return areas


def dz_findings(i: int) -> dict[str, Any]:
    """What the review of contract i finds (a mix, as a real register has)."""
    if i % 3 == 0:
        return {"findings": ["fee_arrears"], "arrears_yuan": f"{11000 + 25 * i}.50"}
    if i % 3 == 1:
        return {"findings": ["below_market_price", "no_written_contract"],
                "market_fee_yuan": "4200.00"}  # fmt: skip
    return {"findings": ["fee_arrears", "below_market_price"],
            "arrears_yuan": f"{4000 + 10 * i}.00", "market_fee_yuan": "4500.00"}  # fmt: skip


def dz_recovered() -> Decimal:
    """What clearing the 98 contracts brings the collective: arrears and fee increases."""
    total = Decimal(0)
    for i in range(DZ_CONTRACTS):
        found = dz_findings(i)
        total += Decimal(found.get("arrears_yuan", "0"))
        if "market_fee_yuan" in found:
            total += Decimal(found["market_fee_yuan"]) - Decimal("3000.00")
    return total


def _chiefs(prefix: str, grid_id: str, n: int) -> tuple[Chief, ...]:
    nnn = grid_id[-3:]
    return (
        Chief("grid_chief", f"{prefix}-{nnn}-gc", person_name(n)),
        Chief(
            "party_group_leader",
            f"{prefix}-{nnn}-pg",
            person_name(n + 1),
            party_member_id=f"{prefix}-pm-{nnn}",
        ),
        Chief("villager_group_leader", f"{prefix}-{nnn}-vg", person_name(n + 2)),
    )


def dongzhuang(today: date) -> Village:
    """东庄村, every figure of domain.md, reproduced by commands."""
    v = DONGZHUANG
    people = village_people(v, extra=("accountant",), n=5)
    secretary, staff = people["secretary"], people["staff"]
    worker = people["grid-worker"]
    village = Village(v, "东庄村", "南武乡", people, clerk="accountant")

    # Grid: four area grids, 3 → 1 merged; 40 micro-grids with their three chiefs each.
    for a, area in enumerate(AREAS, start=1):
        area_id = f"{v}{300 + a}"
        village.grids.append(Grid(area_id, f"{area}网格", "grid", 0))
        for m in range(1, 11):
            micro = f"{v}{310 + (a - 1) * 10 + m}"
            n = a * 37 + m * 3
            chiefs = _chiefs("dz-demo", micro, n)
            if micro.endswith("311"):  # the demo's grid worker is this grid's chief
                chiefs = (Chief("grid_chief", worker.person_id, worker.name), *chiefs[1:])
            village.grids.append(
                Grid(micro, f"{area}第{m}微网格", "micro_grid", 28 + (a * m) % 9, area_id, chiefs)
            )
    # Seven volunteer teams of students and young villagers.
    for t, (kind, name) in enumerate(TEAMS, start=1):
        members = tuple(
            (f"dz-demo-v-{t}-{k}", person_name(200 + t * 5 + k),
             "student" if k % 2 else "youth", k == 1)
            for k in range(1, 6)
        )  # fmt: skip
        services = (
            (f"dz-demo-v-{t}-1", "2.5", f"{name}例行服务", past(date(YEAR, 6, 10 + t), today)),
            (f"dz-demo-v-{t}-2", "3", f"{name}入户服务", past(date(YEAR, 10, 10 + t), today)),
        )
        village.teams.append(Team(f"dz-demo-team-{t}", name, kind, members, services))

    # Residents' issues: raised, handled and answered ("the last metre").
    issues = (
        ("water_leak", "东街自来水管漏水", "管道接口漏水，路面结冰", "311", "resident-1"),
        ("street_light", "北街路灯不亮", "晚上出行不便", "312", "resident-2"),
        ("garbage", "南片垃圾未及时清运", "垃圾箱已满三天", "331", "resident-1"),
        ("drainage", "正街雨后积水", "下水口堵塞", "313", "resident-2"),
        ("dispute", "邻里宅基地界线纠纷", "两户对院墙位置有争议", "341", "resident-1"),
        ("elderly_care", "独居老人需要定期探访", "老人腿脚不便", "322", "resident-2"),
        ("road", "田间道路坑洼", "农机通行困难", "345", "resident-1"),
        ("sanitation", "院外杂草丛生", "影响环境卫生", "314", "resident-2"),
        ("safety_hazard", "废弃机井未封口", "存在安全隐患", "348", "resident-1"),
        ("illegal_building", "村口私搭乱建", "占用公共道路", "325", "resident-2"),
        ("street_light", "村委会门口路灯闪烁", "线路老化", "311", "resident-1"),
        ("other", "希望增加文化活动", "冬季农闲时组织文艺演出", "336", "resident-2"),
    )
    targets: tuple[IssueStatus, ...] = (
        "closed", "confirmed", "confirmed", "confirmed", "resolved", "confirmed", "assigned",
        "confirmed", "confirmed", "assigned", "raised", "confirmed",
    )  # fmt: skip
    for k, ((category, title, words, nnn, resident), target) in enumerate(
        zip(issues, targets, strict=True), start=1
    ):
        grid_id = f"{v}{nnn}"
        team = category in ("dispute", "elderly_care")
        assignee: tuple[Literal["chief", "team"], str] = (
            ("team", "dz-demo-team-3" if category == "dispute" else "dz-demo-team-5")
            if team
            else ("chief", worker.person_id if nnn == "311" else f"dz-demo-{nnn}-gc")
        )
        village.issues.append(
            Issue(
                f"demo-{v}-issue-{k:02d}", grid_id, category, title, words,
                f"东庄村{AREAS[(int(nnn) - 311) // 10]}{k}号", resident, True, assignee,
                "grid-worker" if nnn == "311" else "staff", "已处理并回访", target,
                satisfaction=5 if k % 4 else 4,
            )
        )  # fmt: skip

    # Party: organisation over the 40 micro-grids, members, study days, deliberation, points.
    village.orgs.append(Org("dz-demo-zongzhi", "东庄村党总支", "general_branch"))
    for a, area in enumerate(AREAS, start=1):
        village.orgs.append(
            Org(f"dz-demo-zhibu-{a}", f"{area}党支部", "branch", parent_id="dz-demo-zongzhi")
        )
    village.rules.extend(_rules())
    for g in village.micro_grids:
        nnn = g.grid_id[-3:]
        a = (int(nnn) - 311) // 10 + 1
        org_id = f"dz-demo-pg-{nnn}"
        village.orgs.append(
            Org(org_id, f"{g.name}党小组", "party_group", f"dz-demo-zhibu-{a}", g.grid_id)
        )
        leader = next(c for c in g.chiefs if c.role == "party_group_leader")
        assert leader.party_member_id is not None
        n = int(nnn)
        village.members.append(
            Member(
                leader.party_member_id, leader.name, org_id,
                date(1982 + n % 38, 1 + n % 12, 1), veteran=n % 9 == 0, scores=_scores(n),
            )
        )  # fmt: skip
    cadres = [
        Member(secretary.person_id, secretary.name, "dz-demo-zongzhi", date(1996, 7, 1),
               scores=_scores(4, extra=4)),
        Member(staff.person_id, staff.name, "dz-demo-zongzhi", date(2008, 7, 1),
               scores=_scores(3)),
        Member("dz-demo-pm-lao-1", person_name(301), "dz-demo-zongzhi", date(1968, 7, 1),
               veteran=True, scores=_scores(2)),
        Member("dz-demo-pm-lao-2", person_name(302), "dz-demo-zongzhi", date(1975, 7, 1),
               veteran=True, scores=_scores(1)),
    ]  # fmt: skip
    village.members[:0] = cadres
    everyone = tuple(m.member_id for m in village.members)
    leaders = tuple(m.member_id for m in cadres[:2]) + everyone[4:8]
    village.activities.extend(
        [
            Activity("dz-demo-day-2026-03", "theme_party_day", "两日活动：学习全国两会精神",
                     past(date(YEAR, 3, 5), today), everyone),
            Activity("dz-demo-day-2026-09", "theme_party_day", "两日活动：人居环境整治志愿服务",
                     past(date(YEAR, 9, 5), today), everyone),
            Activity("dz-demo-lesson-2026", "party_lesson", "老党员讲党课：东庄村的变迁",
                     past(date(YEAR, 6, 28), today), everyone, lecturer="dz-demo-pm-lao-1"),
            *(
                Activity(f"dz-demo-tour-{key}", "study_tour", title,
                         past(date(YEAR, 4 + k, 12), today), leaders, destination=where)
                for k, (key, where, title) in enumerate(STUDY_TOURS)
            ),
        ]
    )  # fmt: skip
    village.deliberations.extend(_dz_deliberations())
    village.notice = YEAR

    village.economy = _dz_economy(today)
    village.works = [
        Works(
            works_id,
            category,
            title,
            Decimal(quantity),
            unit,
            Decimal(budget),
            Decimal(cost),
            "dz-demo-works-2026",
            past(date(YEAR, 4, n + 1), today),
            past(date(YEAR, 10, n + 10), today),
            "accepted",
            ("dz-demo-builder-1", "东庄建筑队"),
        )
        for n, (works_id, category, title, quantity, unit, budget, cost) in enumerate(DZ_WORKS)
    ]
    village.remediation = Remediation(
        "dz-demo-liuluan-2026",
        "东庄村人居环境整治（六乱治理）",
        date(YEAR, 3, 1),
        ("新光华铸管",),
        tuple(
            {
                "action_id": action_id,
                "kind": kind,
                "count": count,
                "done_on": past(date(YEAR, 3 + n % 6, 10 + n), today).isoformat(),
                **({"quantity": quantity} if quantity else {}),
                **({"partner": partner} if partner else {}),
            }
            for n, (action_id, kind, count, quantity, partner) in enumerate(DZ_ACTIONS)
        ),
    )
    half = len(THINGS) // 2
    village.things = [
        Thing(
            f"dz-demo-thing-{n:02d}",
            title,
            deadline(today),
            ("resident-1" if n % 2 == 0 else "resident-2") if n < half else None,
            None if n < half else "dz-demo-works-2026",
            past(date(YEAR, 5 + n % 6, 15), today),
            10 + n,
            acknowledged=n == 0,
        )
        for n, title in enumerate(THINGS)
    ]
    return village


def _rules() -> list[Rule]:
    return [
        Rule("base_score", "党员年度基础分", "example", "60", "60"),
        Rule("vanguard_service", "先锋模范作用突出", "service", "10", "40"),
    ]


def _scores(n: int, extra: int | None = None) -> tuple[tuple[str, str], ...]:
    """The year's base score and 0-4 awards for leading by example (stars 1-5)."""
    times = n % 5 if extra is None else extra
    awards = tuple(("vanguard_service", f"{YEAR}年第{q}季度先锋模范") for q in range(1, times + 1))
    return (("base_score", f"{YEAR}年度基础分"), *awards)


def _dz_deliberations() -> list[Deliberation]:
    four_two = ((90, 72, 70), (True, 43, 2))
    return [
        Deliberation(
            "dz-demo-land-2026", "villager_deliberation", "集体土地承包合同清理与重新议价",
            "land_contracting", "入户收集对承包合同的意见 86 条",
            "确定议题：低于市场价的合同重新议价",
            (("承包费按什么标准调整?", "村民代表", "参照周边村近三年的市场价"),
             ("欠缴的承包费怎么收?", "承包户", "分期清缴，年底前结清")),
            "向全体村民通报合同清理情况", ("低于市场价的合同按市场价重新签订", "欠费限期清缴"),
            "东庄村集体土地承包合同清理方案公告", four_two,
        ),
        Deliberation(
            "dz-demo-works-2026", "villager_deliberation",
            "民生工程：党群服务中心、照料中心、下水、道路与漏水点", "public_works",
            "收集群众对民生工程的意见 120 条", "确定年度民生工程项目",
            (("资金从哪里来?", "村民代表", "县级补助六成，村集体四成"),
             ("田间道路什么时候修?", "种植户", "春耕前完成平整拓宽")),
            "通报民生工程预算与进度安排", ("党群服务中心提标改造", "正街下水", "田间道路平整拓宽"),
            "东庄村2026年民生工程实施方案公告", four_two,
        ),
        Deliberation(
            "dz-demo-minqing-2026", "sentiment_talk", "民情恳谈：冬季取暖与出行安全", "livelihood",
            "走访农户 210 户收集民情", "确定议题：冬季取暖与路灯维修",
            (("困难户取暖有没有补助?", "村民", "列入为民办实事，入冬前发放"),
             ("路灯坏了找谁?", "村民", "向网格长反映，三天内修好")),
            "通报民情恳谈收集问题的办理情况", ("困难户冬季取暖补助", "路灯维修"),
            "民情恳谈会议定事项公告：事事有回应，件件有落实",
        ),
        Deliberation(
            "dz-demo-women-2026", "women_deliberation", "妇女议事：广场舞场地与留守儿童托管",
            "livelihood", "妇女代表收集意见 45 条", "确定议题：活动场地与暑期托管",
            (("广场舞能不能用新建的广场?", "妇女代表", "村民活动广场建成后开放使用"),
             ("暑期孩子没人看怎么办?", "妇女代表", "开办留守儿童暑期托管班")),
            "通报议事结果", ("村民活动广场开放", "留守儿童暑期托管"), "妇女议事会议定事项公告",
        ),
    ]  # fmt: skip


def _dz_economy(today: date) -> Economy:
    areas = dz_areas()
    contracts = []
    for i, area in enumerate(areas):
        found = dz_findings(i)
        rectifications: list[dict[str, Any]] = []
        if "arrears_yuan" in found:
            rectifications.append(
                {"action": "arrears_recovered", "recovered_yuan": found["arrears_yuan"]}
            )
        if "market_fee_yuan" in found:
            rectifications.append(
                {"action": "renegotiated", "new_annual_fee_yuan": found["market_fee_yuan"],
                 "deliberation_id": "dz-demo-land-2026", "note": "按市场价重新议价并签订书面合同",
                 "cites": "dz-demo-land-2026"}
            )  # fmt: skip
        contracts.append(
            Contract(
                f"DEMO-HT-{i:03d}", f"DEMO-GD-{i:03d}", f"东庄第{i % 40 + 1}网格承包地",
                f"DEMO-CB-{i:03d}", person_name(400 + i), area, Decimal("3000.00"),
                date(2019, 1, 1), date(2028, 12, 31), i % 3 != 1, found, tuple(rectifications),
                past(date(YEAR, 7 + i % 3, 15), today),
            )
        )  # fmt: skip
    coop = Coop(
        "dz-demo-tianyuan", "田园薯业专业合作社", ("马铃薯", "西兰花"), 126, date(2017, 3, 15),
        "620.00", "东庄田园",
        (
            {"harvest_id": "dz-demo-potato-2026", "crop": "马铃薯", "area_mu": "420.00",
             "output_kg": "1260000", "season": f"{YEAR}-autumn",
             "harvested_on": past(date(YEAR, 9, 25), today).isoformat()},
            {"harvest_id": "dz-demo-broccoli-2026", "crop": "西兰花", "area_mu": "200.00",
             "output_kg": "300000.5", "season": f"{YEAR}-autumn",
             "harvested_on": past(date(YEAR, 9, 25), today).isoformat()},
        ),
        (
            {"sale_id": "dz-demo-broccoli-2026-1", "crop": "西兰花", "quantity_kg": "150000",
             "amount_yuan": "420000.00", "buyer": "太原河西农产品市场",
             "sold_on": past(date(YEAR, 10, 3), today).isoformat()},
            {"sale_id": "dz-demo-potato-2026-1", "crop": "马铃薯", "quantity_kg": "600000",
             "amount_yuan": "840000.00", "buyer": "山西薯业加工有限公司",
             "sold_on": past(date(YEAR, 10, 12), today).isoformat()},
        ),
    )  # fmt: skip
    as_of = past(date(YEAR, 10, 31), today)
    park = "东庄铸造产业园区"
    enterprises = (
        Enterprise("dz-demo-casting-park", park, "casting", 310, as_of, park=park),
        Enterprise("dz-demo-xinguanghua", "新光华铸管", "casting", 145, as_of, park=park,
                   state_owned=True),
        Enterprise("dz-demo-garden", "东庄农业休闲观光采摘植物园", "tourism", 26, as_of),
    )  # fmt: skip
    income = (
        {"entry_id": "dz-demo-in-garden-2026", "source": "tourism", "amount_yuan": "48600.00",
         "year": YEAR, "received_on": past(date(YEAR, 10, 8), today).isoformat(),
         "reference": "农业休闲观光采摘植物园门票与采摘收入"},
        {"entry_id": "dz-demo-in-park-2026", "source": "enterprise", "amount_yuan": "120000.00",
         "year": YEAR, "received_on": past(date(YEAR, 6, 30), today).isoformat(),
         "reference": "铸造产业园区场地租金"},
        {"entry_id": "dz-demo-in-coop-2026", "source": "cooperative_dividend",
         "amount_yuan": "36000.00", "year": YEAR,
         "received_on": past(date(YEAR, 11, 10), today).isoformat(),
         "reference": "田园薯业专业合作社集体股分红"},
    )  # fmt: skip
    return Economy(
        "dz-demo-qingli-2026", "东庄村2026年农村集体经济合同清理", date(YEAR, 3, 1),
        "东庄村承包合同台账.csv", tuple(contracts), income, (coop,), enterprises,
    )  # fmt: skip


# ------------------------------------------------------------------ the further villages


def village_codes(count: int) -> list[tuple[str, str, str]]:
    """(code, name, township name) of the first ``count`` further villages: round the
    townships, 2xx villages in each (南武乡 from 202: 201 is Dongzhuang)."""
    if not 0 <= count <= MAX_VILLAGES:
        raise ValueError(f"between 0 and {MAX_VILLAGES} further villages")
    found = []
    for i in range(count):
        township, township_name = TOWNSHIPS[i % len(TOWNSHIPS)]
        first = 202 if township == "100" else 201
        code = f"{COUNTY}{township}{first + i // len(TOWNSHIPS):03d}"
        found.append((code, village_name(i), township_name))
    return found


def village_name(i: int) -> str:
    if i == 0:
        return "西庄村"  # Dongzhuang's neighbour, as the tests name it too
    surname = SURNAMES[i % len(SURNAMES)]
    suffix = PLACE_SUFFIXES[(i // len(SURNAMES)) % len(PLACE_SUFFIXES)]
    return f"{surname}家{suffix}村"


ISSUE_KINDS: tuple[tuple[str, str, str], ...] = (
    ("garbage", "垃圾未及时清运", "垃圾箱满了没人清"),
    ("water_leak", "自来水管漏水", "水管破裂，路面有积水"),
    ("street_light", "路灯不亮", "晚上出行不便"),
    ("road", "村内道路坑洼", "雨后积水难行"),
    ("drainage", "下水道堵塞", "污水外溢"),
    ("sanitation", "房前屋后杂草", "影响环境卫生"),
    ("dispute", "邻里纠纷", "因排水问题发生争执"),
    ("elderly_care", "独居老人需要照料", "子女在外务工"),
    ("safety_hazard", "电线私拉乱接", "存在火灾隐患"),
    ("other", "希望开展技能培训", "农闲时学习种植技术"),
)
WORKS_KINDS: tuple[tuple[str, str, str, int, int, int], ...] = (
    # category, title, unit, least, most, yuan a unit
    ("drainage", "主街下水改造", "m", 120, 600, 1200),
    ("road", "村内道路硬化", "m", 300, 1500, 1500),
    ("leak_repair", "自来水管网漏水点维修", "spot", 5, 25, 1500),
    ("service_centre", "党群服务中心改造", "m2", 150, 400, 1700),
    ("elderly_care", "老年人日间照料中心", "m2", 120, 300, 1500),
    ("field_road", "田间道路平整", "m", 800, 4000, 120),
    ("square", "村民文化广场", "m2", 400, 1500, 300),
)
REMEDIATION_KINDS: tuple[tuple[str, int, int, int | None], ...] = (
    # kind, least count, most count, quantity per count (None: counted only)
    ("garbage_point_removed", 1, 6, None),
    ("garbage_cleared", 1, 1, 1500),
    ("weeds_cleared", 40, 400, None),
    ("illegal_building_demolished", 2, 15, 30),
    ("wall_painted", 1, 1, 1800),
    ("mural_painted", 1, 1, 160),
    ("ruined_wall_removed", 1, 1, 300),
)
COOPS = (
    ("小杂粮专业合作社", ("谷子", "高粱")),
    ("核桃专业合作社", ("核桃",)),
    ("葡萄专业合作社", ("葡萄",)),
    ("蔬菜专业合作社", ("西红柿", "黄瓜")),
)
ENTERPRISES = (
    ("铸造厂", "casting"), ("老陈醋厂", "food"), ("农机服务站", "agri_services"),
    ("服装加工厂", "textile"),
)  # fmt: skip
STREETS = ("东街", "西街", "南街", "北街", "前街", "后街")


def further_village(code: str, name: str, township: str, index: int, today: date) -> Village:
    """A village of the county with modest, varied activity over the year (the same every
    time: drawn from its code)."""
    rng = random.Random(f"xiangzhi-demo-{code}")  # noqa: S311 - plausible data, not secrets
    stem = name.removesuffix("村")
    people = village_people(code, n=index * 11)
    village = Village(code, name, township, people)
    worker = people["grid-worker"]
    prefix = f"demo-{code[-6:]}"

    # Grids: 2-3 area grids of 2-3 micro-grids; a few lack one of the three chiefs.
    for a in range(1, rng.randint(2, 3) + 1):
        area_id = f"{code}{300 + a}"
        village.grids.append(Grid(area_id, f"第{a}网格", "grid", 0))
        for m in range(1, rng.randint(2, 3) + 1):
            micro = f"{code}{310 + (a - 1) * 10 + m}"
            n = index * 7 + a * 5 + m
            chiefs = _chiefs(prefix, micro, n)
            if a == 1 and m == 1:
                chiefs = (Chief("grid_chief", worker.person_id, worker.name), *chiefs[1:])
            elif rng.random() < 0.15:
                chiefs = chiefs[:2]
            village.grids.append(
                Grid(micro, f"第{a}网格{m}组", "micro_grid", rng.randint(22, 45), area_id, chiefs)
            )
    micro_grids = village.micro_grids
    for t, (kind, team_name) in enumerate(rng.sample(TEAMS, rng.randint(1, 2)), start=1):
        members = tuple(
            (f"{prefix}-v-{t}-{k}", person_name(index * 13 + t * 3 + k),
             rng.choice(("student", "youth", "villager")), k == 1)
            for k in range(1, rng.randint(3, 5) + 1)
        )  # fmt: skip
        served = past(date(YEAR, rng.randint(4, 10), rng.randint(1, 28)), today)
        services = ((members[0][0], rng.choice(("1.5", "2", "3")), f"{team_name}服务", served),)
        village.teams.append(Team(f"demo-team-{t}", team_name, kind, members, services))

    # Issues: most handled and confirmed, some still open.
    statuses: tuple[IssueStatus, ...] = ISSUE_FLOW
    for k in range(1, rng.randint(4, 9) + 1):
        category, title, words = rng.choice(ISSUE_KINDS)
        grid = rng.choice(micro_grids)
        target = rng.choices(statuses, weights=(1, 2, 2, 6, 1))[0]
        chief = next(c for c in grid.chiefs if c.role == "grid_chief")
        village.issues.append(
            Issue(
                f"demo-{code}-issue-{k:02d}", grid.grid_id, category, title, words,
                f"{stem}{rng.choice(STREETS)}{rng.randint(1, 60)}号",
                rng.choice(("resident-1", "resident-2")), False, ("chief", chief.person_id),
                "staff", "已处理", target,
                satisfaction=rng.choice((3, 4, 5, 5, 5)),
            )
        )  # fmt: skip

    # Party: a branch, party groups over most micro-grids, members scored, a study day.
    branch = "demo-zhibu"
    village.orgs.append(Org(branch, f"{stem}村党支部", "general_branch"))
    village.rules.extend(_rules())
    secretary = people["secretary"]
    village.members.append(
        Member(secretary.person_id, secretary.name, branch, date(rng.randint(1990, 2012), 7, 1),
               scores=_scores(rng.randint(0, 4)))
    )  # fmt: skip
    covered = micro_grids if rng.random() < 0.6 else micro_grids[: max(1, len(micro_grids) - 2)]
    for g in covered:
        nnn = g.grid_id[-3:]
        org_id = f"demo-pg-{nnn}"
        village.orgs.append(Org(org_id, f"{g.name}党小组", "party_group", branch, g.grid_id))
        leader = next(c for c in g.chiefs if c.role == "party_group_leader")
        assert leader.party_member_id is not None
        village.members.append(
            Member(leader.party_member_id, leader.name, org_id,
                   date(rng.randint(1978, 2020), rng.randint(1, 12), 1),
                   veteran=rng.random() < 0.15, scores=_scores(rng.randint(0, 4)))
        )  # fmt: skip
    everyone = tuple(m.member_id for m in village.members)
    for d in range(1, rng.randint(1, 2) + 1):
        on = past(date(YEAR, 3 + d * 3, rng.randint(1, 10)), today)
        attending = tuple(m for m in everyone if rng.random() < 0.85) or everyone[:1]
        village.activities.append(
            Activity(
                f"demo-day-{d}", "theme_party_day", f"两日活动：{stem}村主题党日", on, attending
            )
        )
    works_id = "demo-works-2026"
    members_total = rng.randint(20, 60)
    present = min(members_total, -(-members_total * 2 // 3) + 1)  # two thirds and more
    village.deliberations.append(
        Deliberation(
            works_id, "villager_deliberation", f"{stem}村2026年民生工程", "public_works",
            "入户收集群众意见", "确定年度民生工程项目",
            (("资金从哪里来?", "村民代表", "县级补助与村集体自筹"),),
            "通报工程预算", ("按方案实施民生工程",), f"{stem}村2026年民生工程实施方案公告",
            ((members_total, present, present - 1),
             (True, rng.randint(25, 45), rng.randint(0, 4))),
        )
    )  # fmt: skip
    if rng.random() < 0.4:
        kind = rng.choice(("sentiment_talk", "women_deliberation"))
        topic = "民情恳谈：冬季取暖与环境卫生" if kind == "sentiment_talk" else "妇女议事：文体活动"
        village.deliberations.append(
            Deliberation(
                "demo-talk-2026", kind,  # type: ignore[arg-type]
                topic,
                "livelihood", "收集意见", "确定议题", (("什么时候办?", "村民", "本月内落实"),),
                "通报情况", ("落实议定事项",), "议定事项公告",
            )
        )  # fmt: skip
    village.notice = YEAR if rng.random() < 0.5 else None

    village.economy = _economy(rng, code, stem, index, today)

    # Livelihood: 1-3 works at various stages, a remediation campaign, practical things.
    for w, (category, title, unit, least, most, per) in enumerate(
        rng.sample(WORKS_KINDS, rng.randint(1, 3)), start=1
    ):
        quantity = Decimal(rng.randint(least, most))
        budget = quantity * per
        cost = (budget * Decimal(rng.randint(93, 99)) / 100).quantize(Decimal("0.01"))
        stage = rng.choices(WORKS_FLOW, weights=(1, 1, 3, 2, 6))[0]
        village.works.append(
            Works(
                f"demo-works-{w}", category, f"{stem}村{title}", quantity, unit,
                budget.quantize(Decimal("0.01")), cost, works_id,
                past(date(YEAR, rng.randint(4, 6), rng.randint(1, 28)), today),
                past(date(YEAR, rng.randint(8, 11), rng.randint(1, 20)), today), stage,
                (f"{prefix}-builder", f"{stem}村建筑队"),
            )
        )  # fmt: skip
    actions = []
    for n, (kind, least_count, most_count, per_count) in enumerate(
        rng.sample(REMEDIATION_KINDS, rng.randint(2, 4))
    ):
        count = rng.randint(least_count, most_count)
        action: dict[str, Any] = {
            "action_id": f"demo-act-{n + 1}", "kind": kind, "count": count,
            "done_on": past(date(YEAR, rng.randint(3, 10), rng.randint(1, 28)), today).isoformat(),
        }  # fmt: skip
        if per_count is not None:
            action["quantity"] = str(count * rng.randint(per_count // 2, per_count))
        actions.append(action)
    village.remediation = Remediation(
        "demo-liuluan-2026", f"{stem}村人居环境整治", date(YEAR, 3, 1), (), tuple(actions)
    )
    for n, title in enumerate(rng.sample(THINGS, rng.randint(2, 5))):
        asked = n % 2 == 0
        done = rng.random() < 0.75
        village.things.append(
            Thing(
                f"demo-thing-{n + 1:02d}", title, deadline(today),
                rng.choice(("resident-1", "resident-2")) if asked else None,
                None if asked else works_id,
                past(date(YEAR, rng.randint(5, 11), rng.randint(1, 20)), today) if done else None,
                rng.randint(5, 120),
            )
        )  # fmt: skip
    return village


def _economy(rng: random.Random, code: str, stem: str, index: int, today: date) -> Economy:
    contracts = []
    for k in range(rng.randint(4, 12)):
        area = Decimal(rng.randint(150, 1500)) / 100
        fee = (area * rng.choice((450, 500, 550, 600))).quantize(Decimal("1.00"))
        kind = rng.choices(("clean", "arrears", "unwritten", "both"), weights=(3, 4, 2, 2))[0]
        written = kind not in ("unwritten", "both")
        findings: dict[str, Any] = {"findings": []}
        rectifications: list[dict[str, Any]] = []
        if kind in ("arrears", "both"):
            arrears = f"{rng.randint(5, 60) * 100}.00"
            findings = {"findings": ["fee_arrears"], "arrears_yuan": arrears}
            rectifications.append({"action": "arrears_recovered", "recovered_yuan": arrears})
        if not written:
            findings["findings"] = [*findings["findings"], "no_written_contract"]
            rectifications.append({"action": "written_contract_signed", "note": "补签书面合同"})
        finished = rng.random() < 0.85
        contracts.append(
            Contract(
                f"DEMO-HT-{k:03d}", f"DEMO-GD-{k:03d}", f"{stem}第{k + 1}块承包地",
                f"DEMO-CB-{k:03d}", person_name(index * 17 + k), area, fee,
                date(rng.randint(2012, 2020), 1, 1), date(rng.randint(2027, 2035), 12, 31),
                written, findings, tuple(rectifications) if finished else (),
                past(date(YEAR, rng.randint(5, 10), rng.randint(1, 25)), today)
                if finished else None,
            )
        )  # fmt: skip
    income: list[dict[str, Any]] = [
        {"entry_id": "demo-in-subsidy-2026", "source": "subsidy",
         "amount_yuan": f"{rng.randint(20, 80) * 1000}.00", "year": YEAR,
         "received_on": past(date(YEAR, 6, 30), today).isoformat(),
         "reference": "县级乡村振兴衔接资金补助"},
    ]  # fmt: skip
    coops: list[Coop] = []
    if rng.random() < 0.35:
        kind_name, crops = rng.choice(COOPS)
        coop_id = "demo-coop-1"
        season = f"{YEAR}-autumn"
        harvested = past(date(YEAR, 9, rng.randint(10, 30)), today).isoformat()
        kg = rng.randint(20, 400) * 1000
        coops.append(
            Coop(
                coop_id, f"文水县{stem}{kind_name}", crops, rng.randint(20, 150),
                date(rng.randint(2012, 2022), rng.randint(1, 12), 1),
                f"{rng.randint(50, 600)}.00", None,
                ({"harvest_id": "demo-harvest-2026", "crop": crops[0],
                  "area_mu": f"{rng.randint(30, 300)}.00", "output_kg": str(kg),
                  "season": season, "harvested_on": harvested},),
                ({"sale_id": "demo-sale-2026", "crop": crops[0], "quantity_kg": str(kg // 2),
                  "amount_yuan": f"{kg // 2 * rng.randint(2, 6)}.00",
                  "buyer": "文水县农产品批发市场",
                  "sold_on": past(date(YEAR, 10, rng.randint(5, 30)), today).isoformat()},),
            )
        )  # fmt: skip
        income.append(
            {"entry_id": "demo-in-coop-2026", "source": "cooperative_dividend",
             "amount_yuan": f"{rng.randint(3, 30) * 1000}.00", "year": YEAR,
             "received_on": past(date(YEAR, 11, 5), today).isoformat(),
             "reference": f"{coops[0].name}集体股分红"}
        )  # fmt: skip
    enterprises: list[Enterprise] = []
    if rng.random() < 0.3:
        kind_name, sector = rng.choice(ENTERPRISES)
        enterprises.append(
            Enterprise("demo-ent-1", f"{stem}{kind_name}", sector, rng.randint(8, 120),
                       past(date(YEAR, 10, 31), today))
        )  # fmt: skip
        income.append(
            {"entry_id": "demo-in-enterprise-2026", "source": "enterprise",
             "amount_yuan": f"{rng.randint(10, 90) * 1000}.00", "year": YEAR,
             "received_on": past(date(YEAR, 7, 15), today).isoformat(),
             "reference": "集体建设用地租金"}
        )  # fmt: skip
    return Economy(
        "demo-qingli-2026", f"{stem}村2026年合同清理", date(YEAR, 3, 1),
        f"{stem}村承包合同台账.csv",
        tuple(contracts), tuple(income), tuple(coops), tuple(enterprises),
    )  # fmt: skip


def register_csv(economy: Economy) -> bytes:
    """The village's register of contracts, as the accountant's spreadsheet has it."""
    rows = [CONTRACT_HEADER]
    for k in economy.contracts:
        rows.append(
            f"{k.contract_id},{k.asset_id},耕地,{k.asset_name},{k.contractor_id},{k.contractor},"
            f"{k.area_mu},{k.annual_fee},{k.starts_on},{k.ends_on},{'是' if k.written else '否'}"
        )
    return ("\n".join(rows) + "\n").encode("utf-8-sig")


def plan(villages: int, today: date) -> list[Village]:
    """Dongzhuang, then the further villages."""
    return [
        dongzhuang(today),
        *(
            further_village(code, name, township, i, today)
            for i, (code, name, township) in enumerate(village_codes(villages))
        ),
    ]
