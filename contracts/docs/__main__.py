"""Command line of the docs site: ``build`` writes it, ``serve`` builds it and serves it on loopback."""

from __future__ import annotations

import argparse
import functools
import http.server
import logging
import sys
from pathlib import Path

from contracts.docs.site import DocsBuildError, build
from contracts.protoc import ProtocError, default_contracts_dir


def _serve(site: Path, port: int) -> None:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        print(f"lingo docs: serving {site} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contracts.docs", description="Build or serve the partner docs site.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("build", "write the static site"), ("serve", "build, then serve it on 127.0.0.1")):
        command = commands.add_parser(name, help=text)
        command.add_argument(
            "--results", type=Path, nargs="+", action="extend", default=[], metavar="DIR",
            help="results bundles (results/<run-id>/) or folders of them (results/); repeatable",
        )
        command.add_argument("--out", type=Path, default=Path("site"), help="output folder, replaced (default: site/)")
        command.add_argument("--contracts-dir", type=Path, default=default_contracts_dir(), help=argparse.SUPPRESS)
        if name == "serve":
            command.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000; 0 picks a free one)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        site = build(args.out, args.results, args.contracts_dir.resolve())
    except (DocsBuildError, ProtocError) as error:
        print(f"docs: {error}", file=sys.stderr)
        return 1
    print(f"docs: wrote {site}")
    if args.command == "serve":
        _serve(site, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
