"""The gateway's public API, one module per concern; every path is under ``/api/v1``.

The routers are included in this order (that of the OpenAPI document). Each authenticates its
own callers (``callers.py``): they are the app's ``open_routers``.
"""

from __future__ import annotations

from . import county, identity, permissions, personal_data, routing

# personal_data before routing: its paths would otherwise be taken for a service's.
ROUTERS = [
    identity.router,
    personal_data.router,
    routing.router,
    permissions.router,
    county.router,
    county.public,
]
