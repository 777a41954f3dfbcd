"""Projections: read models built from Kafka with exactly-once effect.

Each projection keeps its tables in a PostgreSQL schema of its own (``proj_<name>``). By
concern: ``base`` (the read model), ``runner`` (the consumer loop), ``positions`` (the schema
and the exactly-once bookkeeping), ``parking`` (poison events: DLQ and replay), ``rebuild``
(rebuild and swap), ``wait`` (read-your-writes), ``policy`` (a reaction to another service's
events that issues this service's commands).
"""

from .base import Projection
from .parking import AlreadyResolvedError, Parked
from .policy import Policy
from .positions import create_schema
from .runner import ProjectionRunner
from .wait import wait_for

__all__ = [
    "AlreadyResolvedError",
    "Parked",
    "Policy",
    "Projection",
    "ProjectionRunner",
    "create_schema",
    "wait_for",
]
