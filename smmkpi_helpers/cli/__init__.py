"""The ``smmkpi`` command.

Each group of subcommands lives in its own module with a ``register(subparsers)`` function;
this module wires them together and turns every error into a message and an exit code:
0 success (warnings allowed), 1 the data or the run failed, 2 the command line is wrong.
No Python traceback reaches the user (set ``SMMKPI_DEBUG=1`` to see one).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback

from ..errors import SmmKpiError

__all__ = ["build_parser", "main"]

#: Modules that register subcommands, in the order ``smmkpi --help`` lists them.
COMMAND_MODULES = (
    "data_cmd",
    "kpis_cmd",
    "integrity_cmd",
    "score_cmd",
    "evaluate_cmd",
    "import_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every available subcommand."""
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="smmkpi",
        description="Judge the work of SMM specialists fairly: KPIs chosen by business goal, "
        "checks for gamed metrics, reproducible evaluations.",
        epilog="Exit codes: 0 success, 1 the data or the run failed, 2 the command line is "
        "wrong. Run 'smmkpi COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"smmkpi {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{name}":
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.handler(args) or 0)
    except SmmKpiError as exc:
        print(f"smmkpi: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("smmkpi: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # no traceback reaches a user
        if os.environ.get("SMMKPI_DEBUG"):
            traceback.print_exc()
        print(
            f"smmkpi: internal error: {exc.__class__.__name__}: {exc}\n"
            "This is a bug in smmkpi; run again with SMMKPI_DEBUG=1 to see the details and "
            "report them.",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
