"""The `egca` command (README "Use"; the JSON of `analyze --json`: docs/ENGINE_API.md)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from egca.errors import EgcaError, InfrastructureError, InvalidInput

EXIT_INVALID, EXIT_INFRA = 2, 3


def _runtime_addresses(values: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in values or []:
        lang, sep, addrs = item.partition("=")
        if not sep or not addrs:
            raise InvalidInput(f"--runtime expects LANGUAGE=HOST:PORT[,HOST:PORT...], got '{item}'")
        out.setdefault(lang.strip(), []).extend(a.strip() for a in addrs.split(",") if a.strip())
    return out


def _add_runtime_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--runtime", action="append", metavar="LANG=HOST:PORT[,...]",
                   help="use running Tracer server(s) for a language instead of starting a local one "
                        "(repeatable; also EGCA_RUNTIME_<LANG>=addr,addr)")


def _languages() -> list[str]:
    """The installed adapters' languages (each has a runtime)."""
    from egca.plugin import available_adapters

    return sorted(available_adapters())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="egca", description="Execution-grounded credit assignment for GRPO on code.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("analyze", help="analyse one candidate completion of a problem")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--dataset", help="built-in dataset (see `egca datasets`)")
    src.add_argument("--problem", type=Path,
                     help="problem file: .json/.jsonl/.parquet in any problem format (docs/PROBLEMS.md)")
    p.add_argument("--task", help="task id within --dataset (or within a --problem file of many rows)")
    p.add_argument("--format", help="the --problem file's format (default: detected; see docs/PROBLEMS.md)")
    p.add_argument("--candidate", type=Path, required=True, help="file holding the completion text")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--timings", action="store_true", help="include per-stage timings in --json output")
    p.add_argument("--html", type=Path, metavar="FILE",
                   help="also write a self-contained HTML page of what the engine blamed and why")
    p.add_argument("--weighting", default="span",
                   help="token weighting: span (default), span_mix, uniform, narrow, narrow_mix")
    p.add_argument("--reward", default="binary", choices=["binary", "fraction"])
    p.add_argument("--engine", metavar="HOST:PORT", default=os.environ.get("EGCA_ENGINE"),
                   help="use a running Engine service instead of the embedded one (also EGCA_ENGINE)")
    _add_runtime_option(p)

    p = sub.add_parser("serve", help="run the Engine gRPC service")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; 0.0.0.0 for all)")
    p.add_argument("--port", type=int, default=50051, help="port (default 50051; 0 picks a free one)")
    _add_runtime_option(p)

    p = sub.add_parser("datasets", help="list datasets, a dataset's tasks, or print one problem; "
                                        "`datasets import FILE --name NAME` imports a file of problems",
                       usage="egca datasets [NAME [TASK_ID]] [--json]\n"
                             "       egca datasets import FILE --name NAME [--format FORMAT] [--strict]")
    p.add_argument("name", nargs="?")
    p.add_argument("task_id", nargs="?")
    p.add_argument("--json", action="store_true")
    p.add_argument("--name", dest="import_name", help="import: the dataset's name")
    p.add_argument("--format", help="import: the file's format (default: detected; docs/PROBLEMS.md)")
    p.add_argument("--strict", action="store_true", help="import: stop at the first malformed row")

    p = sub.add_parser("demo", help="analyse the bundled failing completions (the quick start's main job)")
    p.add_argument("--json", action="store_true",
                   help="one JSON record per line: the analysis, the problem and the completion (`egca report` reads it)")

    p = sub.add_parser("report", help="an HTML report over analyses (JSON lines: analyze/demo --json, training logs)")
    p.add_argument("inputs", nargs="+", metavar="ANALYSES", help="JSON-lines files of analysis records ('-': stdin)")
    p.add_argument("-o", "--output", type=Path, default=Path("report.html"), help="the page (default report.html)")
    p.add_argument("--title", help="the page's title")
    p.add_argument("--views", type=int, default=1000,
                   help="embed the full view of at most this many candidates, the latest (default 1000; 0: all)")

    p = sub.add_parser("train", help="EGCA-GRPO training from a YAML config",
                       description="EGCA-GRPO training (TRL) from a YAML config. Exit codes: 2 bad config or "
                                   "input, 3 infrastructure failure (engine, runtime, sandbox).")
    from egca.train.cli import add_arguments as add_train_arguments
    add_train_arguments(p)

    p = sub.add_parser("runtimes", help="the runtimes' conformance suite; the engine and runtimes as containers "
                                        "(Docker or Podman's Docker API)")
    p.add_argument("action", choices=["build", "up", "down", "status", "conformance"])
    p.add_argument("--language", action="append", choices=_languages(),
                   help="conformance: check this language's runtime (repeatable; default: every language with a suite)")
    p.add_argument("--address", metavar="HOST:PORT",
                   help="conformance: a running Tracer to check (default: start the local runtime)")
    p.add_argument("--only", action="append", choices=["engine", *_languages()], help="build: these images")
    p.add_argument("--replicas", type=int, default=1, help="up: replicas of each runtime (default 1)")
    p.add_argument("--scale", action="append", metavar="LANG=N", help="up: replicas of one runtime (repeatable)")
    p.add_argument("--host", default="127.0.0.1", help="up: host address the engine's port is published on")
    p.add_argument("--port", type=int, default=50051, help="up: host port for the engine (default 50051)")
    p.add_argument("--json", action="store_true", help="status: print JSON")

    p = sub.add_parser("bench", help="benchmarks (run `egca bench -h`)")
    p.add_argument("rest", nargs=argparse.REMAINDER, help="benchmark name and its options")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s: %(message)s")
    try:
        return COMMANDS[args.command](args)
    except InvalidInput as e:
        print(f"egca: error: {e}", file=sys.stderr)
        return EXIT_INVALID
    except InfrastructureError as e:
        print(f"egca: infrastructure error (not the candidate's fault): {e}", file=sys.stderr)
        return EXIT_INFRA
    except EgcaError as e:
        print(f"egca: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def cmd_analyze(args) -> int:
    from egca import datasets
    from egca.problem import load_problem_file, read_candidate_file

    if args.dataset:
        if not args.task:
            raise InvalidInput("--dataset needs --task (see `egca datasets NAME` for task ids)")
        problem = datasets.get(args.dataset, args.task)
    else:
        problem = _problem_from_file(args.problem, args.format, args.task, load_problem_file)
    completion = read_candidate_file(args.candidate)
    offsets = None
    if args.html:   # the page's heatmap: the engine weights a simple split of the completion
        from egca.report.record import pieces

        offsets = [pieces(completion)]
    if args.engine:
        from egca.service import EngineClient

        with EngineClient(args.engine) as client:
            result = client.analyze(problem, [completion], token_offsets=offsets, weighting=args.weighting,
                                    reward=args.reward)[0]
    else:
        from egca.engine import Engine, EngineConfig

        with Engine(EngineConfig(runtimes=_runtime_addresses(args.runtime), workers=1,
                                 trace_window=3 if args.html else 0)) as engine:
            result = engine.analyze(problem, [completion], token_offsets=offsets, weighting=args.weighting,
                                    reward=args.reward)[0]
    _print_result(args, problem, completion, result)
    return 0


def _problem_from_file(path: Path, fmt: str | None, task: str | None, load_native):
    """One problem of a file: the own format's single problem as before; any other format
    (or --task) through egca.formats."""
    from egca import formats

    rows = formats.read_rows(path)
    if not rows:
        raise InvalidInput(f"problem file {path} holds no problem")
    if not fmt and not task and formats.detect(rows[0]) == "egca" and path.suffix in (".json", ".jsonl"):
        return load_native(path)
    if not task:
        return formats.convert_row(rows[0], fmt or formats.detect(rows[0]), 0)
    converted = formats.convert_rows(rows, fmt)
    found = next((p for p in converted.problems if p.task_id == task), None)
    if found is None:
        bad = next((e for e in converted.errors if f"({task})" in e), None)
        raise InvalidInput(bad or f"no task '{task}' in {path}")
    return found


def _print_result(args, problem, completion: str, result) -> None:
    from egca.engine import compose
    from egca.plugin import get_adapter
    from egca.render import render

    if getattr(args, "html", None):
        from egca.report.candidate import candidate_page
        from egca.report.record import analysis_record, pieces

        record = analysis_record(problem, completion, result, tokens=pieces(completion), tokens_from="split")
        try:
            args.html.write_text(candidate_page(record), encoding="utf-8")
        except OSError as e:
            raise InvalidInput(f"cannot write {args.html}: {e.strerror or e}") from None
        print(f"egca: wrote {args.html}", file=sys.stderr)
    if args.json:
        from egca.report.record import problem_keys

        out = {**result.to_dict(timings=getattr(args, "timings", False)),
               **problem_keys(problem, completion, result.failing_test)}
        print(json.dumps(out, indent=2))
        return
    program, _ = compose(get_adapter(problem.language), problem, completion)
    print(render(problem.task_id, result, program, problem.reference_program, color=sys.stdout.isatty()))
    for note in getattr(result, "notes", None) or ():
        print(f"note: {note}")


def cmd_serve(args) -> int:
    from egca.engine import EngineConfig
    from egca.service import serve

    serve(args.host, args.port, EngineConfig(runtimes=_runtime_addresses(args.runtime)))
    return 0


def cmd_datasets(args) -> int:
    from egca import datasets

    if args.name == "import":
        return cmd_datasets_import(args)
    if args.name is None:
        table = datasets.list_datasets()
        if args.json:
            print(json.dumps({n: {"language": lang, "description": desc, "size": len(datasets.load(n))}
                              for n, (lang, desc) in table.items()}, indent=2))
        else:
            for name, (lang, desc) in table.items():
                print(f"{name:14s} {lang:11s} {len(datasets.load(name)):4d} problems  {desc}")
        return 0
    if args.task_id is None:
        ids = [p.task_id for p in datasets.load(args.name)]
        print(json.dumps(ids) if args.json else "\n".join(ids))
        return 0
    print(json.dumps(datasets.get(args.name, args.task_id).to_dict(), indent=None if args.json else 2))
    return 0


def cmd_datasets_import(args) -> int:
    from egca import datasets

    if not args.task_id or not args.import_name:
        raise InvalidInput("usage: egca datasets import FILE --name NAME [--format FORMAT] [--strict]")
    converted = datasets.import_file(args.task_id, args.import_name, args.format, args.strict)
    for error in converted.errors:
        print(f"egca: skipped {error}", file=sys.stderr)
    kinds = ", ".join(f"{sum(p.kind == k for p in converted.problems)} {k}" for k in ("function", "program")
                      if any(p.kind == k for p in converted.problems))
    print(f"imported {len(converted.problems)} of {converted.rows} rows ({converted.format} format; {kinds}) "
          f"as '{args.import_name}' in {datasets.user_dir()}")
    return 0


def cmd_demo(args) -> int:
    from egca.demo import run_demo

    return run_demo(as_json=args.json)


def cmd_report(args) -> int:
    from egca.report.runreport import main as report_main

    return report_main(args)


def cmd_train(args) -> int:
    from egca.train.cli import run_args

    return run_args(args)


def cmd_bench(args) -> int:
    from egca.bench import main as bench_main

    return bench_main(args.rest)


def cmd_runtimes(args) -> int:
    if args.action == "conformance":
        return cmd_conformance(args)
    from egca.containers import main as containers_main

    return containers_main(args)


def cmd_conformance(args) -> int:
    """Run the conformance suite of each language against its runtime (local, or --address)."""
    from egca_kit.conformance import load_suite, run_suite
    from egca_kit.conformance.__main__ import print_check, report

    from egca.plugin import get_adapter
    from egca.runtimes import RuntimePool

    languages = args.language or [n for n in _languages() if get_adapter(n).conformance_suite()]
    if args.address and len(languages) != 1:
        raise InvalidInput("--address checks one runtime: give exactly one --language")
    checks = []
    with_pool = RuntimePool()
    try:
        for lang in languages:
            suite = get_adapter(lang).conformance_suite()
            if suite is None:
                raise InvalidInput(f"the {lang} runtime has no conformance suite")
            address = args.address or with_pool.client(lang).addresses[0]
            print(f"== {lang} ({address})", flush=True)
            checks += run_suite(address, load_suite(suite), on_check=print_check)
    finally:
        with_pool.close()
    return report(checks)


COMMANDS = {"analyze": cmd_analyze, "serve": cmd_serve, "datasets": cmd_datasets, "demo": cmd_demo,
            "train": cmd_train, "bench": cmd_bench, "runtimes": cmd_runtimes, "report": cmd_report}

if __name__ == "__main__":
    sys.exit(main())
