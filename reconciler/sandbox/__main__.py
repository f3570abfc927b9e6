"""`python -m reconciler.sandbox [--port N]`: serve the sandbox in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
from pathlib import Path

from reconciler.sandbox.server import serve
from reconciler.sandbox.tenant import Tenant

DEFAULT_PORT = 8765


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m reconciler.sandbox", description=__doc__)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"TCP port (0 = any free port; default {DEFAULT_PORT})")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--tenant", type=Path, help="a tenant JSON file (default: the demo tenant)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each API answer")
    args = parser.parse_args(argv)
    tenant = Tenant.from_json(args.tenant.read_text(encoding="utf-8")) if args.tenant else None
    serve(args.port, host=args.host, tenant=tenant, seed=args.seed, fault_rate=args.fault_rate, latency=args.latency)


if __name__ == "__main__":
    main()
