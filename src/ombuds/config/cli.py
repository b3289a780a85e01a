"""The `ombuds` command: every Django management command, under one name."""

import os
import sys


def wants_demo(argv: list[str]) -> bool:
    """`ombuds serve --demo`: the settings must know before Django loads them."""
    return len(argv) > 1 and argv[1] == "serve" and "--demo" in argv[2:]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ombuds.config.settings")
    if wants_demo(sys.argv):
        # Demo mode prints outgoing mail on the console and needs no secret key.
        os.environ["OMBUDS_DEMO"] = "1"
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ombuds", *sys.argv[1:]])


if __name__ == "__main__":
    main()
