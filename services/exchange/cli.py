"""``snx audit …``: the audit trail from the command line.

snx audit verify [--database-url URL]   (default: the service's database, from EXCHANGE_* settings)
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def _verify(args: argparse.Namespace) -> int:
    from services.exchange.config import ExchangeSettings
    from services.exchange.service.audit import verify_chain
    from shared.db import Database

    url = args.database_url or ExchangeSettings().database_url
    db = Database(url)
    try:
        with db.unit_of_work() as uow:
            checked, found = verify_chain(uow.session)
    finally:
        db.dispose()
    if found is None:
        print(f"audit chain intact: {checked:,} records", file=sys.stderr)
        return 0
    print(f"audit chain BROKEN at record {found.seq}: {found.reason} ({checked:,} read)", file=sys.stderr)
    return 1


def add_commands(sub: Any) -> None:
    audit = sub.add_parser("audit", help="the audit trail of personal-data reads")
    verbs = audit.add_subparsers(dest="verb", required=True)
    verify = verbs.add_parser("verify", help="check the hash chain: altered, missing, re-ordered records")
    verify.add_argument("--database-url", help="exchange's database (default: EXCHANGE_DATABASE_URL)")
    verify.set_defaults(func=_verify)
