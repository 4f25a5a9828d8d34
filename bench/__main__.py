"""``python -m bench [--quick | --full] [--mode embedded|production|both] [--scenario NAME]
[--workers N]``."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

import uvloop

from bench import report
from bench.backends import MODES, REPO, Mode
from bench.profiler import find_py_spy
from bench.profiles import PROFILES
from bench.runner import Options, run
from bench.scenarios import registry


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def parse(argv: list[str]) -> tuple[Options, Path | None, list[Path] | None]:
    names = list(registry())
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        "--full",
        dest="size",
        action="store_const",
        const="full",
        help="the issue's sizes (default)",
    )
    size.add_argument(
        "--quick",
        dest="size",
        action="store_const",
        const="quick",
        help="small sizes, a few minutes",
    )
    size.add_argument(
        "--tiny",
        dest="size",
        action="store_const",
        const="tiny",
        help="seconds; for the smoke test",
    )
    parser.add_argument("--mode", choices=[*MODES, "both"], default="both")
    parser.add_argument(
        "--scenario",
        action="append",
        choices=names,
        metavar="NAME",
        help=f"repeatable; default all: {', '.join(names)}",
    )
    parser.add_argument(
        "--workers",
        type=_positive,
        metavar="N",
        help="server processes in production mode (default: one per CPU core); "
        "embedded is always one",
    )
    parser.add_argument("--results-dir", type=Path, default=REPO / "bench" / "results")
    parser.add_argument(
        "--docs",
        type=Path,
        default=REPO / "docs" / "benchmarks.md",
        help="the Markdown report to rewrite",
    )
    parser.add_argument("--no-docs", action="store_true", help="leave the Markdown report alone")
    parser.add_argument(
        "--profile", action="store_true", help="record the server with py-spy (a dev dependency)"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="DIR",
        help="a checkout of the code to compare against (e.g. `git worktree add DIR main`): "
        "the REST series run on its server and this one in turn, and report the ratios",
    )
    parser.add_argument(
        "--render",
        type=Path,
        nargs="+",
        metavar="RESULTS",
        help="run nothing: rewrite the Markdown report from these results files (partial "
        "runs too; several runs' modes and scenarios are merged, later files first)",
    )
    args = parser.parse_args(argv)
    if args.baseline is not None and not (args.baseline / "owlistic" / "__init__.py").is_file():
        parser.error(f"--baseline {args.baseline}: no owlistic package there")
    modes: tuple[Mode, ...] = MODES if args.mode == "both" else (args.mode,)
    chosen = tuple(n for n in names if n in (args.scenario or names))
    py_spy = None
    if args.profile:
        py_spy = find_py_spy()
        if py_spy is None:
            parser.error("--profile needs py-spy (make .venv/.installed-stamp installs it)")
    options = Options(
        profile=PROFILES[args.size or "full"],
        modes=modes,
        scenarios=chosen,
        results_dir=args.results_dir,
        command=shlex.join(["python", "-m", "bench", *argv]),
        py_spy=py_spy,
        workers=args.workers,
        baseline=args.baseline.resolve() if args.baseline else None,
    )
    return options, None if args.no_docs else args.docs, args.render


def main(argv: list[str] | None = None) -> int:
    options, docs, render = parse(sys.argv[1:] if argv is None else argv)
    if render:
        if docs is not None:
            report.write(report.merged(render), docs)
            print(f"[bench] wrote {docs}")
        return 0
    path, document = uvloop.run(run(options))
    if docs is not None:
        report.write(document, docs)
        print(f"[bench] wrote {docs}")
    print(f"[bench] results: {path}")
    failed = [
        f"{name}/{mode}"
        for name, by_mode in document["results"].items()
        for mode, result in by_mode.items()
        if result.get("status") in ("failed", "partial")
    ]
    if failed:
        print(f"[bench] failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
