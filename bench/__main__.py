"""`python -m bench`: run every benchmark on SQLite and/or PostgreSQL, print a table of each
measure against its goal, and record it in docs/BENCHMARKS.md with the machine, date and command.

    .venv/bin/python -m bench                      # SQLite; PostgreSQL too if TEST_DATABASE_URL
    .venv/bin/python -m bench --database both --postgres-url postgresql+asyncpg://.../bench
    .venv/bin/python -m bench --database sqlite --only latency   # a subset: printed, not recorded

The ack latency serves the Slack stand-in in a process of its own (--standin process), so its
Block Kit validation does not delay the acks measured; --standin in-process serves it in the
benchmark's process as the other measures do.

The PostgreSQL database's public schema is dropped and created again: never point it at data.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench.latency import measure_latency
from bench.report import Row, facts, render_markdown, render_table, write_results
from bench.scale import (
    add_outbox_messages,
    add_reminders,
    seed_secondments,
    startup_seconds,
    sweep_in_subprocess,
)
from bench.setup import TimedStandIn, fresh_database, quiet_logs, reset_postgres, start_standin
from bench.standin_process import InProcess, start_standin_process
from bench.statements import INTERACTIONS, count_statements

SIZES = (100, 2000)  # secondments of the interacting people, for statements per interaction
SECTIONS = ("latency", "statements", "scale", "startup")
SLOW_LATENCY = 0.05  # seconds the stand-in takes to answer in the slow scale run


async def run(label: str, url: str | None, options: argparse.Namespace) -> list[Row]:
    rows: list[Row] = []
    sections = options.only or SECTIONS
    standin = await start_standin()
    try:
        if "latency" in sections:
            rows += await _latency(label, url, options, standin)
        if "statements" in sections:
            rows += await _statements(label, url, standin)
        if "scale" in sections:
            rows += await _scale(label, url, options, standin)
        if "startup" in sections:
            rows += await _startup(label, url, standin)
    finally:
        await standin.stop()
    return rows


async def _latency(
    label: str, url: str | None, options: argparse.Namespace, standin: TimedStandIn
) -> list[Row]:
    rows: list[Row] = []
    print(f"[{label}] ack latency (stand-in: {options.standin}) ...", file=sys.stderr)
    if options.standin == "in-process":
        async with fresh_database(url) as db:
            latency = await measure_latency(db, InProcess(standin), options.samples, (1, 20))
    else:
        child = await start_standin_process()
        try:
            async with fresh_database(url) as db:
                latency = await measure_latency(db, child, options.samples, (1, 20))
        finally:
            await child.stop()
    for measure, name in (
        ("command", "/secondment request → HTTP 200"),
        ("approve", "Approve click → HTTP 200"),
    ):
        for concurrency in (1, 20):
            ours = latency.bot[(measure, concurrency)]
            bare = latency.bare[(measure, concurrency)]
            ratio = ours.p50 / bare.p50
            rows.append(
                Row(
                    f"{name}, c={concurrency}",
                    f"p50 {ours.p50:.1f} ms, p99 {ours.p99:.1f} ms; bare p50 "
                    f"{bare.p50:.1f} ms, p99 {bare.p99:.1f} ms; ratio {ratio:.2f}x",
                    "p50 ≤ 1.5x bare",
                    ratio <= 1.5,
                )
            )
    for concurrency in (1, 20):
        opened = latency.bot[("views.open", concurrency)]
        rows.append(
            Row(
                f"/secondment request → views.open, c={concurrency}",
                f"p50 {opened.p50:.1f} ms, p99 {opened.p99:.1f} ms",
                "p99 ≤ 500 ms" if concurrency == 20 else "(no goal)",
                opened.p99 <= 500 if concurrency == 20 else None,
            )
        )
    return rows


async def _statements(label: str, url: str | None, standin: TimedStandIn) -> list[Row]:
    rows: list[Row] = []
    print(f"[{label}] SQL statements per interaction ...", file=sys.stderr)
    async with fresh_database(url) as db:
        counts = await count_statements(db, standin, SIZES)
    for name in INTERACTIONS:
        found = counts[name]
        sizes = ", ".join(f"{n} at {s:,}" for n, s in zip(found, SIZES, strict=True))
        constant = len(set(found)) == 1
        rows.append(
            Row(
                f"SQL statements: {name}",
                sizes + ("" if constant else " (grows)"),
                "≤ 8, constant",
                constant and max(n.statements for n in found) <= 8,
            )
        )
    return rows


async def _scale(
    label: str, url: str | None, options: argparse.Namespace, standin: TimedStandIn
) -> list[Row]:
    rows: list[Row] = []
    print(f"[{label}] scale: {options.scale:,} secondments, no latency ...", file=sys.stderr)
    async with fresh_database(url) as db:
        ids = await seed_secondments(db, options.scale)
        await add_reminders(db, ids, sequence=1)
        fast = await sweep_in_subprocess(
            db, standin, home=True, concurrency=options.send_concurrency, rate=0
        )
        rows.append(
            Row(
                f"Nudges sent, {fast.sent:,} due, stand-in 0 ms",
                f"{fast.per_second:.0f}/s ({fast.seconds:.1f} s), "
                f"{fast.most_in_flight} in flight at most",
                "≥ 500/s",
                fast.per_second >= 500 and fast.most_in_flight <= options.send_concurrency,
            )
        )
        rows.append(
            Row(
                "Peak RSS of the sweeping process",
                f"{fast.peak_rss_mb:.0f} MB",
                "≤ 200 MB",
                fast.peak_rss_mb <= 200,
            )
        )
        assert fast.home_ms is not None
        rows.append(
            Row(
                f"App Home for HR, {options.scale:,} secondments",
                f"{fast.home_ms:.0f} ms",
                "≤ 300 ms",
                fast.home_ms <= 300,
            )
        )
        await add_outbox_messages(db, ids)
        outbox = await sweep_in_subprocess(
            db, standin, home=False, concurrency=options.send_concurrency, rate=0
        )
        rows.append(
            Row(
                f"Outbox messages delivered, {outbox.sent:,} due, stand-in 0 ms",
                f"{outbox.per_second:.0f}/s ({outbox.seconds:.1f} s)",
                "≥ 1,000/s",
                outbox.per_second >= 1000,
            )
        )
        concurrency, rate = options.send_concurrency, options.send_rate
        print(
            f"[{label}] scale: {options.slow:,} nudges, 50 ms latency, {concurrency} at a time, "
            f"at most {rate:g}/s ...",
            file=sys.stderr,
        )
        standin.latency = SLOW_LATENCY
        await add_reminders(db, ids[: options.slow], sequence=2)
        slow = await sweep_in_subprocess(
            db, standin, home=False, concurrency=concurrency, rate=rate
        )
        standin.latency = 0.0
        # What the settings allow: the rate, unless the calls in flight cannot reach it.
        expected = min(rate, concurrency / SLOW_LATENCY)
        rows.append(
            Row(
                f"Nudges sent, {slow.sent:,} due, stand-in 50 ms, "
                f"SEND_CONCURRENCY={concurrency}, SEND_RATE_PER_SECOND={rate:g}",
                f"{slow.per_second:.1f}/s ({slow.seconds:.1f} s), "
                f"{slow.most_in_flight} in flight at most",
                f"≤ {concurrency} in flight; ≥ 90% of {expected:g}/s",
                slow.most_in_flight <= concurrency and slow.per_second >= 0.9 * expected,
            )
        )
    return rows


async def _startup(label: str, url: str | None, standin: TimedStandIn) -> list[Row]:
    rows: list[Row] = []
    print(f"[{label}] startup ...", file=sys.stderr)
    if url is None:
        with tempfile.TemporaryDirectory(prefix="bench-") as folder:
            seconds = await startup_seconds(f"sqlite+aiosqlite:///{folder}/s.db", standin)
    else:
        await reset_postgres(url)
        seconds = await startup_seconds(url, standin)
    rows.append(
        Row(
            "Startup to a ready /healthz (migrating an empty database)",
            f"{seconds:.2f} s",
            "≤ 3 s",
            seconds <= 3,
        )
    )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"))
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--samples", type=int, default=200, help="requests per latency measure")
    parser.add_argument("--scale", type=int, default=10_000, help="secondments seeded")
    parser.add_argument("--slow", type=int, default=500, help="nudges sent at 50 ms latency")
    parser.add_argument(
        "--send-concurrency", type=int, default=4, help="SEND_CONCURRENCY in the scale runs"
    )
    parser.add_argument(
        "--send-rate",
        type=float,
        default=50,
        help="SEND_RATE_PER_SECOND at 50 ms latency (the 0 ms run is uncapped)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="where to record the results (default docs/BENCHMARKS.md; with --only, not recorded "
        "unless given)",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=SECTIONS,
        help="run only this part (repeatable); the results are printed, and recorded only with "
        "--output",
    )
    parser.add_argument(
        "--standin",
        choices=("process", "in-process"),
        default="process",
        help="where the ack latency's Slack stand-in runs (default: a process of its own)",
    )
    options = parser.parse_args()
    if options.output is None and not options.only:
        options.output = Path("docs/BENCHMARKS.md")
    choice = options.database or ("both" if options.postgres_url else "sqlite")
    if choice != "sqlite" and not options.postgres_url:
        parser.error("PostgreSQL needs --postgres-url or TEST_DATABASE_URL")
    quiet_logs()
    targets = [("SQLite", None)] if choice in ("sqlite", "both") else []
    if choice in ("postgresql", "both"):
        targets.append(("PostgreSQL", options.postgres_url))
    command = shlex.join([".venv/bin/python", "-m", "bench", *sys.argv[1:]])
    results = {}
    for label, url in targets:
        results[label] = asyncio.run(run(label, url, options))
        print(f"\n{label}\n{render_table(results[label])}\n")
    if options.output is None:
        return 0
    machine = facts(options.postgres_url if "PostgreSQL" in results else None)
    write_results(options.output, render_markdown(machine, datetime.now(UTC), command, results))
    print(f"recorded in {options.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
