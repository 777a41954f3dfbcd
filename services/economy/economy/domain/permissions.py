"""Who may issue each of economy's commands (the county's default; see docs/permissions.md).

The village's secretary and its staff — the accountant (会计) among them — keep the register of
contracts, clear them and keep the income ledger (domain.md: "contracts, clearing, income");
starting a clearing campaign is the secretary's decision.
"""

from __future__ import annotations

from xiangzhi.permissions import Permission, grants, table_of

SECRETARY, STAFF = "village_secretary", "village_staff"

REGISTER_ASSET = Permission(
    "economy.asset.register", "register a collective asset (三资)", grants(SECRETARY, STAFF)
)
REGISTER_CONTRACT = Permission(
    "economy.contract.register",
    "register a contract from the books, or award a new one (citing 四议两公开)",
    grants(SECRETARY, STAFF),
)
IMPORT_REGISTER = Permission(
    "economy.contract.import",
    "import a register of contracts from a CSV or XLSX file",
    grants(SECRETARY, STAFF),
)
START_CAMPAIGN = Permission(
    "economy.campaign.start", "start a contract-clearing campaign (合同清理)", grants(SECRETARY)
)
REVIEW_CONTRACT = Permission(
    "economy.contract.review", "record a contract's review and findings", grants(SECRETARY, STAFF)
)
RECTIFY_CONTRACT = Permission(
    "economy.contract.rectify", "record a rectification of a contract", grants(SECRETARY, STAFF)
)
CLEAR_CONTRACT = Permission(
    "economy.contract.clear", "declare a contract cleared", grants(SECRETARY, STAFF)
)
RECORD_INCOME = Permission(
    "economy.income.record", "record an entry of collective income", grants(SECRETARY, STAFF)
)
REGISTER_COOPERATIVE = Permission(
    "economy.cooperative.register", "register a co-operative", grants(SECRETARY, STAFF)
)
RECORD_HARVEST = Permission(
    "economy.harvest.record", "record a co-operative's harvest", grants(SECRETARY, STAFF)
)
RECORD_SALE = Permission(
    "economy.sale.record", "record a co-operative's sale", grants(SECRETARY, STAFF)
)
REGISTER_ENTERPRISE = Permission(
    "economy.enterprise.register", "register an enterprise", grants(SECRETARY, STAFF)
)
RECORD_EMPLOYMENT = Permission(
    "economy.employment.record",
    "record the villagers an enterprise employs (就业)",
    grants(SECRETARY, STAFF),
)

PERMISSIONS = table_of(
    "economy",
    [
        REGISTER_ASSET,
        REGISTER_CONTRACT,
        IMPORT_REGISTER,
        START_CAMPAIGN,
        REVIEW_CONTRACT,
        RECTIFY_CONTRACT,
        CLEAR_CONTRACT,
        RECORD_INCOME,
        REGISTER_COOPERATIVE,
        RECORD_HARVEST,
        RECORD_SALE,
        REGISTER_ENTERPRISE,
        RECORD_EMPLOYMENT,
    ],
)
