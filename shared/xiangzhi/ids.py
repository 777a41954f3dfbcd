"""The shapes of the ids the platform's paths and commands take, written once.

Anything else matches nothing anyway; refusing it at the edge names the field (422) instead of
letting a stray byte reach PostgreSQL.
"""

from __future__ import annotations

# An aggregate's id: a client-chosen issue id, an activity, a deliberation, an organisation.
ID_PATTERN = r"^[A-Za-z0-9-]{1,64}$"
# A person's or a party member's id (dots and underscores allowed: ids from other registers).
PERSON_ID_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"
