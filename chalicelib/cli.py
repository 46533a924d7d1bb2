"""Command-line administration: create the first admin and further agents.

    python -m chalicelib.cli create-agent --email a@b.c --name Ann --role admin
        (asks for the password, or reads it from stdin with --password-stdin)
    python -m chalicelib.cli create-site --site-key demo --name "Demo site"
    python -m chalicelib.cli reseal-site-secrets
        (after the token secret rotated: re-seal sites' identity secrets under the new key
        before the previous key is dropped; docs/security.md)

It uses the same services and tables as the app: point it at a stage with the same
environment variables the Lambda functions get (PARLEY_TABLE_*, AWS credentials/region).
"""
from __future__ import annotations

import argparse
import getpass
import json
import sys

from chalicelib.errors import AppError


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    ca = sub.add_parser("create-agent", help="create an agent, supervisor or admin")
    ca.add_argument("--email", required=True)
    ca.add_argument("--name", required=True)
    ca.add_argument("--role", default="agent", choices=["agent", "supervisor", "admin"])
    ca.add_argument("--capacity", type=int, default=5)
    ca.add_argument("--team", action="append", default=[])
    ca.add_argument("--password-stdin", action="store_true",
                    help="read the password from standard input")
    cs = sub.add_parser("create-site", help="create a site (a website served by Parley)")
    cs.add_argument("--site-key", required=True)
    cs.add_argument("--name", required=True)
    sub.add_parser("reseal-site-secrets",
                   help="re-seal every site's identity secret under the current key")
    args = parser.parse_args(argv)

    from chalicelib.services.deps import build_default
    deps = build_default()
    try:
        if args.command == "create-agent":
            if args.password_stdin:
                password = sys.stdin.readline().rstrip("\n")
            else:
                password = getpass.getpass("Password: ")
                if password != getpass.getpass("Repeat password: "):
                    print("error: the passwords differ", file=sys.stderr)
                    return 2
            from chalicelib.services.agents import create_agent
            payload = {"email": args.email, "name": args.name, "password": password,
                       "role": args.role, "capacity": args.capacity}
            if args.team:
                from chalicelib.services.admin import _check_teams_exist
                _check_teams_exist(deps, args.team)    # as the admin API does
                payload["teams"] = args.team
            agent = create_agent(deps, payload)
            print(json.dumps(agent, default=str))
        elif args.command == "create-site":
            from chalicelib.services.sites import create_site, identity_secrets
            site = create_site(deps, args.site_key, args.name)
            print(json.dumps({"site_key": site["site_key"], "name": site["name"],
                              "identity_secret": identity_secrets(deps, site)[0]}))
        elif args.command == "reseal-site-secrets":
            from chalicelib.services.sites import reseal_secrets
            print(json.dumps(reseal_secrets(deps)))
    except AppError as err:
        print(f"error: {err.code}: {err.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
