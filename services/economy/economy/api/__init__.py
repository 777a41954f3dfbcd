"""The economy service's HTTP API: thin routes, one module per part of the domain."""

from __future__ import annotations

from . import contracts, ledger, public

ROUTERS = [contracts.router, ledger.router, ledger.county]
PUBLIC_READ_ROUTERS = [public.public]
