"""No Docker engine runs here, so the compose file is checked against the code instead: every
command parses with the real CLI, every variable is a real setting, ports and URLs agree."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml
from sqlalchemy import make_url

from shared.cli import build_parser, settings_class
from shared.services import SERVICES
from shared.settings import SERVICE_PORTS

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "deploy" / "docker-compose.yml").read_text())
SVC = COMPOSE["services"]
_VAR = re.compile(r"\$\{(\w+)(?::?[?-][^}]*)?\}")


def substitute(value: str) -> str:
    return _VAR.sub(lambda m: f"dummy-{m.group(1).lower()}-value-long-enough-for-a-secret", value)


def env_of(name: str) -> dict[str, str]:
    return {k: substitute(str(v)) for k, v in SVC[name]["environment"].items()}


@pytest.mark.parametrize("service", SERVICES)
def test_service_command_port_and_healthcheck_agree_with_the_code(service: str) -> None:
    spec = SVC[service]
    command = spec["command"]
    assert command[0] == "snx"
    args = build_parser().parse_args(command[1:])
    assert (args.command, args.service, args.port) == ("serve", service, SERVICE_PORTS[service])
    assert args.host == "0.0.0.0"
    assert f"127.0.0.1:{SERVICE_PORTS[service]}/readyz" in " ".join(spec["healthcheck"]["test"])
    published = [p.split(":") for p in spec.get("ports", [])]
    assert all(container == str(SERVICE_PORTS[service]) for _, container in published)
    if service == "matching":
        assert not published, "matching is internal: it must not publish a port"
    assert spec["depends_on"][f"migrate-{service}"] == {"condition": "service_completed_successfully"}
    assert spec["depends_on"]["postgres"] == {"condition": "service_healthy"}


@pytest.mark.parametrize("service", SERVICES)
def test_environment_is_made_of_real_settings_and_validates_in_prod(service: str) -> None:
    cls = settings_class(service)
    prefix = cls.env_prefix()
    for job in (service, f"migrate-{service}"):
        env = env_of(job)
        fields = {f"{prefix}{name.upper()}" for name in cls.model_fields}
        assert set(env) <= fields, f"{job}: unknown variables {set(env) - fields}"
        settings = cls(**{k[len(prefix) :].lower(): v for k, v in env.items()})
        assert settings.env == "prod"
        url = make_url(settings.database_url)
        assert (url.get_backend_name(), url.host, url.database) == ("postgresql", "postgres", service)
        for peer in SERVICES:
            if peer == service or f"{prefix}{peer.upper()}_URL" not in env:
                continue
            target = urlparse(settings.url_of(peer))
            assert (target.hostname, target.port) == (peer, SERVICE_PORTS[peer])


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_a_migrate_job_that_parses(service: str) -> None:
    job = SVC[f"migrate-{service}"]
    args = build_parser().parse_args(job["command"][1:])
    assert (args.command, args.services) == ("migrate", [service])
    assert job["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert job["restart"] == "no"


def test_postgres_has_a_healthcheck_and_creates_each_database() -> None:
    pg: dict[str, Any] = SVC["postgres"]
    assert "pg_isready" in " ".join(pg["healthcheck"]["test"])
    init = ROOT / "deploy" / "postgres-init.sql"
    assert any(str(v).startswith("./postgres-init.sql:") for v in pg["volumes"])
    created = re.findall(r"CREATE DATABASE (\w+);", init.read_text())
    assert sorted(created) == sorted(SERVICES)


def test_one_image_from_the_root_dockerfile_with_the_snx_script() -> None:
    images = {SVC[n]["image"] for n in SVC if n != "postgres"}
    assert images == {"snx:latest"}
    for name in SVC:
        if name != "postgres":
            assert SVC[name]["build"] == {"context": "..", "dockerfile": "Dockerfile"}
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert (
        "COPY shared" in dockerfile
        and "COPY services" in dockerfile
        and "COPY pyproject.toml setup.py" in dockerfile
    )
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["snx"] == "shared.cli:main"
