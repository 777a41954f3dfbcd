"""How the harness gets a Kafka and a PostgreSQL it has to start itself: stack providers.

The kit does not know how to run the servers the way the project runs them (the broker's
settings, the launcher's processes): that knowledge lives in deploy, which depends on the kit,
never the other way round. So deploy registers providers under the entry point group
``xiangzhi.stack_providers``, each under the name of the way it starts the servers
(``testcontainers``, ``local``), and the harness picks one by that name.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Protocol, runtime_checkable

GROUP = "xiangzhi.stack_providers"


@runtime_checkable
class StackProvider(Protocol):
    """Starts the servers for one test session and stops them again."""

    def start(self) -> tuple[str, str]:
        """Return when both answer: (Kafka bootstrap servers, a superuser's PostgreSQL DSN to
        the maintenance database)."""
        ...

    def stop(self) -> None:
        """Undo what ``start`` did (a provider may leave alone what it found running)."""
        ...


class NoStackProviderError(LookupError):
    pass


def load_provider(name: str) -> StackProvider:
    """A new provider registered under ``name``: the registered object is called without
    arguments (a class or a factory)."""
    found = entry_points(group=GROUP, name=name)
    if not found:
        raise NoStackProviderError(
            f"no stack provider {name!r} in the entry point group {GROUP!r}: install the "
            "project's launcher (deploy/local, `make deps`), or name running servers with "
            "XZ_TEST_KAFKA_BOOTSTRAP and XZ_TEST_POSTGRES_DSN"
        )
    # Two distributions registering one name would make the choice arbitrary: refuse it.
    if len(found) > 1:
        sources = ", ".join(sorted(ep.value for ep in found))
        raise NoStackProviderError(f"stack provider {name!r} is registered twice: {sources}")
    provider = next(iter(found)).load()()
    if not isinstance(provider, StackProvider):
        raise TypeError(f"stack provider {name!r} has no start() and stop(): {provider!r}")
    return provider
