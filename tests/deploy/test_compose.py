"""docker-compose.yml is valid Compose and runs the same stack as the local launcher."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from xiangzhi.services import KEYS_DATABASE
from xiangzhi.services import SERVICES as SERVICE_LIST
from xiangzhi.services import UPSTREAM_NAMES as UPSTREAMS
from xiangzhi_stack import kafka, postgres
from xiangzhi_stack.config import SERVICE_DATABASES, StackSettings

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
# The Compose Specification's schema as dclint (npm, deploy/tools) carries it.
SCHEMA = ROOT / "deploy/tools/node_modules/dclint/schemas/compose.schema.json"
# The kit's one list of services (the gateway last), which the launcher reads too.
SERVICES = tuple(s.name for s in SERVICE_LIST)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def _validator() -> jsonschema.protocols.Validator:
    # The schema names draft-07 by an https URL jsonschema does not recognise; say it plainly.
    return jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))


def _docker_compose_plugin() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    return probe.returncode == 0


def test_compose_file_is_valid_against_the_compose_specification(compose: dict[str, Any]) -> None:
    if _docker_compose_plugin():
        result = subprocess.run(
            ["docker", "compose", "-f", str(ROOT / "docker-compose.yml"), "config", "--quiet"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    assert SCHEMA.exists(), "run `make deps` (npm installs the Compose schema into deploy/tools)"
    errors = sorted(_validator().iter_errors(compose), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_schema_check_rejects_a_broken_file(compose: dict[str, Any]) -> None:
    """The validation above can fail: an unknown key in a service is refused."""
    broken = json.loads(json.dumps(compose))
    broken["services"]["kafka"]["healthcheck"]["intervall"] = "5s"
    assert list(_validator().iter_errors(broken))


def test_kafka_image_runs_the_launchers_broker_settings(compose: dict[str, Any]) -> None:
    settings = StackSettings()
    env = compose["services"]["kafka"]["environment"]
    for key, value in kafka.container_env(settings).items():
        if key == "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP":
            # Compose adds a HOST listener for clients outside the Docker network.
            assert set(value.split(",")) <= set(env[key].split(","))
        else:
            assert str(env[key]) == value, key
    assert compose["services"]["kafka"]["image"] == f"apache/kafka:{settings.kafka_version}"


def test_kafka_version_is_the_same_in_pom_launcher_and_image(compose: dict[str, Any]) -> None:
    pom = ET.parse(ROOT / "deploy/local/pom.xml").getroot()
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    pom_version = pom.find("m:properties/m:kafka.version", ns)
    assert pom_version is not None
    assert pom_version.text == StackSettings().kafka_version
    assert compose["services"]["kafka"]["image"].endswith(f":{pom_version.text}")


def test_postgres_image_runs_the_launchers_server_options(compose: dict[str, Any]) -> None:
    local = postgres._server_options(StackSettings(), Path("/tmp"))
    # Port, address and socket differ by nature between a container and the host.
    placement = {"listen_addresses", "unix_socket_directories"}
    local_settings = [
        local[i + 1]
        for i, flag in enumerate(local)
        if flag == "-c" and local[i + 1].split("=")[0] not in placement
    ]
    command = compose["services"]["postgres"]["command"]
    assert command[0] == "postgres"
    image_settings = [command[i + 1] for i, flag in enumerate(command) if flag == "-c"]
    assert image_settings == local_settings


def test_one_database_per_service_in_both_stacks() -> None:
    sql = (ROOT / "deploy/postgres/init-databases.sql").read_text()
    created = {
        line.split()[2].rstrip(";") for line in sql.splitlines() if line.startswith("CREATE")
    }
    assert created == set(SERVICE_DATABASES) == {*SERVICES, KEYS_DATABASE}


def test_services_start_in_order_and_report_health(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in SERVICES:
        service = services[name]
        assert service["build"]["args"]["SERVICE"] == name
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        assert "healthcheck" in service
        depends = service["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["kafka"]["condition"] == "service_healthy"
        assert depends["topics"]["condition"] == "service_completed_successfully"
        prefix = name.upper()
        assert service["environment"][f"{prefix}_POSTGRES_DSN"].endswith(f"/{name}")
    for upstream in UPSTREAMS:
        assert services["gateway"]["depends_on"][upstream]["condition"] == "service_healthy"
    for infra in ("kafka", "postgres"):
        assert "healthcheck" in services[infra]
    assert set(compose["volumes"]) == {"kafka-data", "postgres-data", "keys"}


def test_every_service_restarts_unless_stopped(compose: dict[str, Any]) -> None:
    for name in SERVICES:
        assert compose["services"][name]["restart"] == "unless-stopped", name


def test_a_keys_job_makes_the_key_pair_once(compose: dict[str, Any]) -> None:
    keys = compose["services"]["keys"]
    # The project's image that carries gateway-admin.
    assert keys["build"]["dockerfile"] == "deploy/Dockerfile"
    assert keys["build"]["args"]["SERVICE"] == "gateway"
    assert keys.get("restart") == "no"
    assert "keys:/keys" in keys["volumes"]
    script = " ".join(keys["command"])
    assert "gateway-admin keygen /keys" in script
    # Only when no key exists yet: a new pair on every start would invalidate every token.
    assert "test -f /keys/signing.pem" in script
    assert "||" in script
    assert script.index("test -f /keys/signing.pem") < script.index("||")
    assert script.index("||") < script.index("gateway-admin keygen")
    # The key-encryption key likewise: a new one would make every person's data unreadable.
    assert "test -f /keys/kek.key" in script
    assert script.index("test -f /keys/kek.key") < script.index("gateway-admin kek /keys/kek.key")


def test_every_service_checks_tokens_with_the_keys_volume(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in SERVICES:
        service = services[name]
        prefix = name.upper()
        assert service["environment"][f"{prefix}_AUTH_PUBLIC_KEY_FILE"] == "/keys/public.pem"
        # Every service reaches the key service: personal data is sealed per person.
        assert service["environment"][f"{prefix}_KEK_FILE"] == "/keys/kek.key"
        assert service["environment"][f"{prefix}_KEYS_DSN"].endswith(f"/{KEYS_DATABASE}")
        assert "keys:/keys:ro" in service["volumes"], name
        assert service["depends_on"]["keys"]["condition"] == "service_completed_successfully"
    assert services["gateway"]["environment"]["GATEWAY_SIGNING_KEY_FILE"] == "/keys/signing.pem"
    # Only the gateway signs: no other service is given the private key.
    for name in UPSTREAMS:
        assert not any("SIGNING_KEY" in key for key in services[name]["environment"]), name


def test_the_key_file_variables_are_settings_the_services_read(
    compose: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each variable compose sets is one the service's settings read (prefix and field name)."""
    from economy.settings import EconomySettings
    from gateway.settings import GatewaySettings
    from grid.settings import GridSettings
    from livelihood.settings import LivelihoodSettings
    from party.settings import PartySettings

    classes = {
        "grid": GridSettings,
        "party": PartySettings,
        "economy": EconomySettings,
        "livelihood": LivelihoodSettings,
        "gateway": GatewaySettings,
    }
    public = tmp_path / "public.pem"
    public.write_text("-----BEGIN PUBLIC KEY-----\nstub\n-----END PUBLIC KEY-----\n")
    for name in SERVICES:
        environment = compose["services"][name]["environment"]
        variable = f"{name.upper()}_AUTH_PUBLIC_KEY_FILE"
        monkeypatch.setenv(variable, str(tmp_path / environment[variable].removeprefix("/keys/")))
        monkeypatch.delenv(f"{name.upper()}_AUTH_PUBLIC_KEY", raising=False)
        assert classes[name]().auth_public_key == public.read_text(), name


def test_dockerfile_is_parameterised_by_service() -> None:
    dockerfile = (ROOT / "deploy/Dockerfile").read_text()
    assert "ARG SERVICE" in dockerfile
    assert '--package "xiangzhi-${SERVICE}"' in dockerfile
    for name in (*SERVICES, "stack"):
        pyproject = (
            ROOT / ("deploy/local" if name == "stack" else f"services/{name}") / "pyproject.toml"
        )
        assert f'name = "xiangzhi-{name}"' in pyproject.read_text()
