"""The platform's services, each named once: name, default port, topic and database.

Platform configuration rather than any service's domain, so it lives in the kit where every
reader can import it without reaching into a service or into deploy: the local launcher (its
topics, databases and ports), the gateway (what it fronts), the AsyncAPI generator's input and
the tests that keep docker-compose.yml equal to the launcher all read this list. A service added
here is created, started and routed to everywhere at once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Service:
    name: str
    # Where `make run` starts it, and so where the gateway looks for it unless told otherwise.
    port: int
    # The gateway keeps users and keys but records no events: it has no topic.
    owns_events: bool = True

    @property
    def topic(self) -> str | None:
        """Its events' topic (``<name>.events``, the kit's default), or None if it has none."""
        return f"{self.name}.events" if self.owns_events else None

    @property
    def database(self) -> str:
        """Its own database: no service reads another's tables."""
        return self.name


GATEWAY = Service("gateway", 8000, owns_events=False)

SERVICES: tuple[Service, ...] = (
    Service("grid", 8001),
    Service("party", 8002),
    Service("economy", 8003),
    Service("livelihood", 8004),
    # Last: it fronts the others, so it is started after them and stopped before them.
    GATEWAY,
)

# The services behind the gateway: every one but the gateway itself.
UPSTREAMS: tuple[Service, ...] = tuple(s for s in SERVICES if s is not GATEWAY)
UPSTREAM_NAMES: tuple[str, ...] = tuple(s.name for s in UPSTREAMS)

TOPICS: tuple[str, ...] = tuple(s.topic for s in SERVICES if s.topic is not None)
# The key service's database (``xiangzhi.keys``): every person's data key, apart from the
# events those keys open; shared by the services, owned by none of them.
KEYS_DATABASE = "keys"
DATABASES: tuple[str, ...] = (*(s.database for s in SERVICES), KEYS_DATABASE)


def named(name: str) -> Service:
    for service in SERVICES:
        if service.name == name:
            return service
    raise KeyError(f"no service named {name!r}")
