"""The kit's ServiceSettings: what production refuses, and the public key read from a file."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from xiangzhi.auth import generate_keypair
from xiangzhi.settings import DEFAULT_POSTGRES_PASSWORD, ServiceSettings, dsn_password

pytestmark = pytest.mark.unit

PUBLIC = generate_keypair()[1]
OWN_DSN = "postgresql://xiangzhi:s3cret-of-this-county@db.internal:5432/grid"


@pytest.fixture(autouse=True)
def _no_settings_from_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    # ServiceSettings reads XZ_*; a developer's shell must not decide these tests.
    for key in (
        "XZ_ENVIRONMENT",
        "XZ_POSTGRES_DSN",
        "XZ_AUTH_PUBLIC_KEY",
        "XZ_AUTH_PUBLIC_KEY_FILE",
    ):
        monkeypatch.delenv(key, raising=False)


def test_production_refuses_the_default_database_password() -> None:
    with pytest.raises(ValidationError, match="postgres_dsn") as raised:
        ServiceSettings(service_name="grid", environment="production", auth_public_key=PUBLIC)
    assert DEFAULT_POSTGRES_PASSWORD in str(raised.value)


def test_production_refuses_it_in_a_key_value_dsn_too() -> None:
    dsn = f"host=db.internal user=xiangzhi password={DEFAULT_POSTGRES_PASSWORD} dbname=grid"
    with pytest.raises(ValidationError, match="postgres_dsn"):
        ServiceSettings(
            service_name="grid", environment="production", postgres_dsn=dsn, auth_public_key=PUBLIC
        )


def test_production_with_its_own_password_and_a_key_starts() -> None:
    settings = ServiceSettings(
        service_name="grid", environment="production", postgres_dsn=OWN_DSN, auth_public_key=PUBLIC
    )
    assert settings.postgres_dsn == OWN_DSN


def test_production_still_requires_the_public_key() -> None:
    with pytest.raises(ValidationError, match="auth_public_key is required in production"):
        ServiceSettings(service_name="grid", environment="production", postgres_dsn=OWN_DSN)


def test_production_reads_the_password_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XZ_ENVIRONMENT", "production")
    monkeypatch.setenv("XZ_AUTH_PUBLIC_KEY", PUBLIC)
    with pytest.raises(ValidationError, match="postgres_dsn"):
        ServiceSettings(service_name="grid")


@pytest.mark.parametrize("environment", ["development", "test"])
def test_elsewhere_the_default_password_is_fine(environment: str) -> None:
    settings = ServiceSettings(service_name="grid", environment=environment)  # type: ignore[arg-type]
    assert dsn_password(settings.postgres_dsn) == DEFAULT_POSTGRES_PASSWORD


def test_the_public_key_is_read_from_its_file(tmp_path: Path) -> None:
    key_file = tmp_path / "public.pem"
    key_file.write_text(PUBLIC)
    settings = ServiceSettings(service_name="grid", auth_public_key_file=key_file)
    assert settings.auth_public_key == PUBLIC
    production = ServiceSettings(
        service_name="grid",
        environment="production",
        postgres_dsn=OWN_DSN,
        auth_public_key_file=key_file,
    )
    assert production.auth_public_key == PUBLIC


def test_the_key_file_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "public.pem"
    key_file.write_text(PUBLIC)
    monkeypatch.setenv("XZ_AUTH_PUBLIC_KEY_FILE", str(key_file))
    assert ServiceSettings(service_name="grid").auth_public_key == PUBLIC


def test_a_key_given_inline_wins_over_the_file(tmp_path: Path) -> None:
    settings = ServiceSettings(
        service_name="grid", auth_public_key=PUBLIC, auth_public_key_file=tmp_path / "absent.pem"
    )
    assert settings.auth_public_key == PUBLIC


def test_a_missing_key_file_is_a_settings_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"auth_public_key_file: cannot read .*absent\.pem"):
        ServiceSettings(service_name="grid", auth_public_key_file=tmp_path / "absent.pem")


def test_an_empty_key_file_is_a_settings_error(tmp_path: Path) -> None:
    empty = tmp_path / "public.pem"
    empty.write_text("\n")
    with pytest.raises(ValidationError, match=r"auth_public_key_file: .* is empty"):
        ServiceSettings(service_name="grid", auth_public_key_file=empty)


@pytest.mark.parametrize(
    ("dsn", "password"),
    [
        ("postgresql://u:p%40ss@h:5432/d", "p@ss"),
        ("postgresql://u@h/d", None),
        ("host=h password='quoted' dbname=d", "quoted"),
        ("host=h dbname=d", None),
    ],
)
def test_the_password_is_found_in_either_dsn_form(dsn: str, password: str | None) -> None:
    assert dsn_password(dsn) == password


@pytest.mark.parametrize(
    "dsn",
    [
        "postgresql://xiangzhi@db.internal/grid?password=xiangzhi-local",
        "host=db.internal password = xiangzhi-local dbname=grid",
        "host=db.internal password='xiangzhi-local' dbname=grid",
    ],
)
def test_the_default_password_is_found_however_the_dsn_spells_it(dsn: str) -> None:
    assert dsn_password(dsn) == DEFAULT_POSTGRES_PASSWORD
