"""The gateway's signing key: from settings, or (in development only) made on start."""

from __future__ import annotations

import structlog
from cryptography.hazmat.primitives import serialization
from xiangzhi.auth import generate_keypair

from .settings import GatewaySettings

log = structlog.get_logger(__name__)


def signing_keys(settings: GatewaySettings) -> tuple[str, str]:
    """(private PEM, public PEM)."""
    if settings.signing_key is not None:
        private = settings.signing_key.get_secret_value()
    elif settings.signing_key_file is not None:
        private = settings.signing_key_file.read_text()
    elif settings.environment == "development":
        log.warning("gateway.ephemeral_signing_key", reason="no GATEWAY_SIGNING_KEY configured")
        return generate_keypair()
    else:
        raise RuntimeError("GATEWAY_SIGNING_KEY or GATEWAY_SIGNING_KEY_FILE is required")
    key = serialization.load_pem_private_key(private.encode(), password=None)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public.decode()
