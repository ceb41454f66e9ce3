"""``snx``: the one command line of the project.

snx run                  all three services on loopback, embedded SQLite, migrations applied
snx serve SERVICE        one service (what compose and the end-to-end tests start)
snx migrate [SERVICE …]  bring databases to the head of their migrations
snx token …              mint a development token
snx match dedup|train    batch matching of NDJSON person records (services/matching/cli.py)
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.services import SERVICES

# numpy's OpenBLAS starts a thread per core that spins for a while after it starts; nothing here
# does linear algebra, and on a 2-core machine those threads took CPU from the batch matcher.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

if TYPE_CHECKING:  # the heavier imports wait for the commands that need them (snx match starts fast)
    from shared.settings import ServiceSettings

DEV_SCOPES = ("intake:read", "intake:write", "intake:check", "intake:decide", "events:read")


def settings_class(service: str) -> type[ServiceSettings]:
    module = importlib.import_module(f"services.{service}.config")
    cls: type[ServiceSettings] = getattr(module, f"{service.capitalize()}Settings")
    return cls


def _settings_reference(_: argparse.Namespace) -> int:
    from shared.settings_reference import reference

    print(reference(), end="")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    overrides: dict[str, Any] = {}
    if args.host:
        overrides["host"] = args.host
    if args.port:
        overrides["port"] = args.port
    settings = settings_class(args.service)(**overrides)
    if args.workers > 1:
        # Several processes: each builds its app from the environment (host/port given here).
        uvicorn.run(
            f"services.{args.service}.app:create_app",
            factory=True,
            workers=args.workers,
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
        )
        return 0
    app = importlib.import_module(f"services.{args.service}.app").create_app(settings)
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=False)
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from shared.migrations import upgrade

    unknown = sorted(set(args.services) - set(SERVICES))
    if unknown:
        print(f"snx migrate: unknown service(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    for service in args.services or SERVICES:
        settings = settings_class(service)()
        upgrade(service, settings.database_url)
        print(f"{service}: migrated to head", file=sys.stderr)
    return 0


def _token(args: argparse.Namespace) -> int:
    from shared.auth import mint_token
    from shared.settings import audience_for

    services = SERVICES if args.service == "all" else (args.service,)
    settings = settings_class(services[0])()
    token = mint_token(
        settings.jwt_secret.get_secret_value(),
        subject=args.subject,
        audience=[audience_for(s) for s in services],
        scopes=args.scope or DEV_SCOPES,
        division=args.division,
        ttl_seconds=args.ttl,
        issuer=settings.jwt_issuer,
    )
    print(token)
    return 0


def _wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float) -> bool:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False


def _run(args: argparse.Namespace) -> int:
    from shared.settings import SERVICE_PORTS

    ports = dict(zip(SERVICES, args.ports or [SERVICE_PORTS[s] for s in SERVICES], strict=True))
    var = Path(args.var_dir)
    var.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    for service in SERVICES:
        prefix = service.upper()
        env.setdefault(f"{prefix}_DATABASE_URL", f"sqlite:///{(var / f'{service}.db').resolve()}")
        env[f"{prefix}_HOST"] = args.host
        env[f"{prefix}_PORT"] = str(ports[service])
        for peer in SERVICES:
            env[f"{prefix}_{peer.upper()}_URL"] = f"http://{args.host}:{ports[peer]}"
    migrate = [sys.executable, "-m", "shared.cli", "migrate"]
    if subprocess.run(migrate, env=env, check=False).returncode != 0:
        print("snx run: migrations failed", file=sys.stderr)
        return 1
    procs = {s: subprocess.Popen([sys.executable, "-m", "shared.cli", "serve", s], env=env) for s in SERVICES}
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        for service, proc in procs.items():
            url = f"http://{args.host}:{ports[service]}"
            if not _wait_ready(url, proc, timeout=600):  # matching loads its person index first
                print(f"snx run: {service} did not become ready", file=sys.stderr)
                return 1
        token_args = argparse.Namespace(
            service="all", subject="dev:cli", scope=None, division=None, ttl=86400
        )
        print("\nsnx is running (Ctrl-C stops all three):", file=sys.stderr)
        for service in SERVICES:
            print(f"  {service:<9} http://{args.host}:{ports[service]}/docs", file=sys.stderr)
        print("\nA development token (24 h, all three services):", file=sys.stderr)
        sys.stderr.flush()
        _token(token_args)
        sys.stdout.flush()
        while not stopping and all(p.poll() is None for p in procs.values()):
            time.sleep(0.2)
        return 0 if stopping else 1
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        print("snx: stopped", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="snx", description="Safety Net Exchange")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run all three services on loopback (embedded SQLite)")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--ports", type=int, nargs=3, metavar=("INTAKE", "MATCHING", "EXCHANGE"))
    run.add_argument("--var-dir", default="var", help="where the SQLite files live (default ./var)")
    run.set_defaults(func=_run)

    serve = sub.add_parser("serve", help="run one service")
    serve.add_argument("service", choices=SERVICES)
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=1, help="processes (each one a full replica)")
    serve.set_defaults(func=_serve)

    migrate = sub.add_parser("migrate", help="apply migrations (creates a missing PostgreSQL database)")
    migrate.add_argument(
        "services", nargs="*", metavar="SERVICE", help=f"any of {', '.join(SERVICES)} (default all)"
    )
    migrate.set_defaults(func=_migrate)

    token = sub.add_parser("token", help="mint a development token")
    token.add_argument("--service", choices=[*SERVICES, "all"], default="all", help="audience")
    token.add_argument("--scope", action="append", help="repeat for several (default: the dev scopes)")
    token.add_argument("--division", help="limit to a division (township 9 digits, county 6 …)")
    token.add_argument("--subject", default="dev:cli")
    token.add_argument("--ttl", type=int, default=3600, help="seconds")
    token.set_defaults(func=_token)

    reference = sub.add_parser("settings-reference", help="print every setting as a Markdown table")
    reference.set_defaults(func=_settings_reference)

    from services.exchange.cli import add_commands as audit_commands
    from services.matching.cli import add_commands  # the engine's commands live with the engine

    add_commands(sub)
    audit_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
