"""Command line: 'asyncguard check' for CI and pre-commit, 'asyncguard lsp' for editors."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import NoReturn, TextIO

from . import __version__
from .config import SCOPES, Config, ConfigError, ExtraBlocking, find_pyproject, load_pyproject
from .engine.environment import PythonEnvironmentError
from .engine.rules import ALL_SEVERITIES, RULES
from .engine.session import CheckRun, project_root

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Progress:
    """A progress bar on stderr, shown only on a terminal and only once a run passes 1 s."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled and stream.isatty()
        self.start = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or time.monotonic() - self.start < 1.0 or total == 0:
            return
        width = 30
        filled = int(width * done / total)
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} files")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 60 + "\r")
            self.stream.flush()


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="asyncguard",
        description="Find blocking calls that freeze the event loop of async Python web apps.",
    )
    parser.add_argument("--version", action="version", version=f"asyncguard {__version__}")
    sub = parser.add_subparsers(dest="command")

    check = sub.add_parser("check", help="check files or folders (default: the current directory)")
    check.add_argument("paths", nargs="*", type=Path, help="files or folders to check")
    check.add_argument("--python", metavar="ENV", help="the project's venv folder or interpreter")
    check.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    check.add_argument("--min-severity", choices=ALL_SEVERITIES, help="hide findings below this severity")
    check.add_argument(
        "--scope", choices=SCOPES, help="all coroutines (default) or only code reached from routes"
    )
    check.add_argument("--max-depth", type=int, metavar="N", help="how many helper calls deep to follow")
    check.add_argument(
        "--follow-libraries", action="store_true", default=None, help="also follow third-party code"
    )
    check.add_argument("--cpu-heavy", action="store_true", default=None, help="also report CPU-heavy hashing")
    check.add_argument(
        "--extra-blocking", action="append", metavar="PATTERN", help="treat PATTERN as blocking"
    )
    check.add_argument("--allow", action="append", metavar="PATTERN", help="never report PATTERN")
    check.add_argument("--exclude", action="append", metavar="GLOB", help="skip files matching GLOB")
    check.add_argument(
        "--config", type=Path, metavar="PYPROJECT", help="read [tool.asyncguard] from this file"
    )
    check.add_argument("--jobs", "-j", type=int, metavar="N", help="worker processes for cold runs")
    check.add_argument("--no-cache", action="store_true", help="do not read or write the on-disk cache")
    check.add_argument("--no-progress", action="store_true", help="never show the progress bar")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto")

    lsp = sub.add_parser("lsp", help="run the language server on stdio")
    lsp.add_argument("--stdio", action="store_true", help="accepted for compatibility; stdio is the default")

    sub.add_parser("rules", help="list the rule codes")
    return parser


def _config_for(args: argparse.Namespace, root: Path) -> Config:
    config = Config()
    pyproject = args.config or find_pyproject(root)
    if args.config is not None and not args.config.is_file():
        raise ConfigError(f"{args.config}: no such file")
    if pyproject is not None:
        config = config.merged(load_pyproject(pyproject))
    overrides: dict[str, object] = {}
    for flag in ("python", "scope", "min_severity", "follow_libraries", "cpu_heavy"):
        value = getattr(args, flag)
        if flag == "python" and value is not None:
            # A path typed on the command line is relative to where it was typed; the same
            # setting in pyproject.toml is relative to the project.
            value = str(Path(value).expanduser().absolute())
        if value is not None:
            overrides[flag] = value
    if args.max_depth is not None:
        if not 1 <= args.max_depth <= 64:
            raise ConfigError(f"--max-depth must be from 1 to 64, not {args.max_depth}")
        overrides["max_depth"] = args.max_depth
    if args.extra_blocking:
        overrides["extra_blocking"] = (
            *config.extra_blocking,
            *(ExtraBlocking(p) for p in args.extra_blocking),
        )
    if args.allow:
        overrides["allow"] = (*config.allow, *args.allow)
    if args.exclude:
        overrides["exclude"] = (*config.exclude, *args.exclude)
    return replace(config, **overrides)  # type: ignore[arg-type]


def _check(args: argparse.Namespace) -> int:
    cwd = Path.cwd()
    targets = [p if p.is_absolute() else cwd / p for p in (args.paths or [Path(".")])]
    missing = [t for t in targets if not t.exists()]
    if missing:
        print(f"asyncguard: error: {missing[0]}: no such file or directory", file=sys.stderr)
        return EXIT_ERROR
    root = project_root(targets)
    try:
        config = _config_for(args, root)
    except ConfigError as exc:
        print(f"asyncguard: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    progress = _Progress(sys.stderr, enabled=not args.no_progress)
    try:
        run = CheckRun(root, config, jobs=args.jobs, use_cache=not args.no_cache)
        result = run.check(targets, progress=progress)
    except PythonEnvironmentError as exc:
        progress.close()
        print(f"asyncguard: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    progress.close()
    for error in result.errors:
        print(f"asyncguard: error: {error}", file=sys.stderr)
    for warning in result.warnings:
        print(f"asyncguard: warning: {warning}", file=sys.stderr)
    if args.format == "json":
        from .output.json_format import render as render_json

        sys.stdout.write(render_json(result.findings, result.errors, cwd))
    elif args.format == "sarif":
        from .output.sarif import render as render_sarif

        sys.stdout.write(render_sarif(result.findings, result.errors, cwd))
    else:
        from .output.text import render as render_text

        color = args.color == "always" or (
            args.color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        )
        sys.stdout.write(render_text(result.findings, result.errors, cwd, result.files, color=color))
    if result.errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if result.findings else EXIT_CLEAN


def run() -> NoReturn:
    """The command's entry point: main(), then leave at once. A whole-program check leaves
    hundreds of megabytes of syntax trees and inference caches behind; freeing them one object
    at a time at exit took a fifth as long as the check itself. Everything has been written
    (the cache atomically) by then; only the standard streams need flushing."""
    try:
        code = main()
    except SystemExit as exc:  # argparse's --help and usage errors
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else EXIT_ERROR
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe ('| head'), a closed stream
            stream.flush()
    logging.shutdown()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command == "check":
        try:
            return _check(args)
        except KeyboardInterrupt:
            print("asyncguard: interrupted", file=sys.stderr)
            return 130
    if args.command == "lsp":
        from .lsp.server import serve

        serve()
        return 0
    if args.command == "rules":
        for rule in RULES:
            print(f"{rule.code}  {rule.name:<28} {rule.severity:<8} {rule.title}")
        return 0
    parser.print_help()
    return EXIT_ERROR
