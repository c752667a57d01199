"""The ``iam2rego`` command line: one module per subcommand under :mod:`iam2rego.commands`.

Each command module defines ``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``;
:data:`COMMANDS` lists them (adding a command = one module + one line here). Exit codes are mapped
here once (:class:`iam2rego.errors.ExitCode`): a command returns OK/FINDINGS/USAGE, and any
:class:`~iam2rego.errors.Iam2RegoError` or ``OSError`` it raises becomes one message and exit 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import NoReturn

from . import __version__, deadline, procs
from .commands import access, check, compile, conftest_pack, eval, explain, gate, test
from .errors import EngineError, ExitCode, Iam2RegoError

# name -> module, in the order shown in --help.
COMMANDS: dict[str, ModuleType] = {
    "check": check,
    "compile": compile,
    "eval": eval,
    "explain": explain,
    "test": test,
    "gate": gate,
    "access": access,
    "conftest-pack": conftest_pack,
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 on usage errors; keep that, say it plainly
        self.print_usage(sys.stderr)
        self.exit(ExitCode.USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="iam2rego",
        description="Compile AWS IAM policies into OPA/Rego that decides DynamoDB backup and restore "
        "requests as AWS does; test the decisions with YAML scenarios; gate Terraform plans.",
        epilog="Exit codes: 0 ok, 1 findings or failed checks, 2 usage, input or engine error.",
    )
    parser.add_argument("--version", action="version", version=f"iam2rego {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, module in COMMANDS.items():
        p = sub.add_parser(
            name,
            help=module.HELP,
            description=module.HELP,
            epilog=getattr(module, "EPILOG", None),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def _message(command: str, exc: BaseException) -> str:
    what = "engine error: " if isinstance(exc, EngineError) else ""
    return f"iam2rego {command}: {what}{exc}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] | None = getattr(args, "_run", None)
    if run is None:
        parser.print_help(sys.stderr)
        return ExitCode.USAGE
    procs.handle_sigterm()  # SIGTERM unwinds like Ctrl-C: children, containers, temp dirs cleaned up
    seconds = getattr(args, "timeout", None)
    try:
        if isinstance(seconds, (int, float)) and seconds > 0:  # --timeout: one deadline for the whole run
            deadline.start(args.command, float(seconds))
        return int(run(args))
    except deadline.TimedOut as exc:
        print(deadline.message(args.command, exc.seconds), file=sys.stderr)
        return ExitCode.USAGE
    except KeyboardInterrupt as exc:
        print(
            "iam2rego: interrupted" if not isinstance(exc, procs.Terminated) else "iam2rego: terminated",
            file=sys.stderr,
        )
        return procs.exit_code(exc)
    except BrokenPipeError:
        return ExitCode.OK
    except (Iam2RegoError, OSError) as exc:
        print(_message(args.command, exc), file=sys.stderr)
        return exc.exit_code if isinstance(exc, Iam2RegoError) else ExitCode.USAGE
    finally:
        deadline.stop()


if __name__ == "__main__":
    sys.exit(main())
