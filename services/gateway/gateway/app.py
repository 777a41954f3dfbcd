"""The gateway service's composition root."""

from __future__ import annotations

from fastapi import FastAPI
from xiangzhi.app import create_app as kit_create_app

from .settings import GatewaySettings


def create_app() -> FastAPI:
    return kit_create_app(GatewaySettings())
