"""The ``iam2rego`` command line: one module per subcommand under :mod:`iam2rego.commands`.

Each command module defines ``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``.
Exit codes: 0 ok, 1 findings / failed scenarios / gate denials, 2 usage, IO or engine errors.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from . import __version__

# Order is the order shown in --help.
COMMANDS = ("check", "compile", "eval", "explain", "test", "gate", "conftest-pack")

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 on usage errors; keep that, say it plainly
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="iam2rego",
        description="Compile AWS IAM policies into OPA/Rego that decides DynamoDB backup and restore "
        "requests as AWS does; test the decisions with YAML scenarios; gate Terraform plans.",
        epilog="Exit codes: 0 ok, 1 findings or failed checks, 2 usage, input or engine error.",
    )
    parser.add_argument("--version", action="version", version=f"iam2rego {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f".commands.{name.replace('-', '_')}", __package__)
        except ModuleNotFoundError as exc:  # a command not built yet in this tree
            if exc.name and exc.name.endswith(name.replace("-", "_")):
                continue
            raise
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args._run(args))
    except KeyboardInterrupt:
        print("iam2rego: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
