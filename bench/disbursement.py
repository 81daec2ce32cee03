"""Benchmark: a month's ledger and roster, and a three-way reconciliation, at a province's size.

    make bench-disbursement BENCH_ARGS='--n 100000'
    (or: .venv/bin/python -m bench.disbursement --n 100000; default 1,000,000)

Builds a roll of N monthly payees in one township, each with an active card account, on SQLite
in a temporary folder and on PostgreSQL when it answers (``ASSIST_BENCH_PG_URL``, default the
test database at 127.0.0.1:5432, in a schema of its own dropped at the end). Then measures, each
in a subprocess of its own (its time and its peak resident memory, ``ru_maxrss``):

- ledger: ``months.service.generate_ledger`` of the open month (R-DI-1, R-DI-2), then reviewed
  and submitted;
- roster: ``payments.service.generate_roster`` (R-DI-3, R-DI-4, R-DI-6) against its baseline,
  a bare ``INSERT … SELECT`` of the same rows (the ledger's lines joined to their payees and
  active accounts) into ``payment``, committed (and deleted again before the roster runs);
- reconcile: ``reconciliation.service.reconcile`` (R-DI-7) of the month against a finance file
  and a bank file of N lines each (CSV, written from the roster with a few differences of each
  kind), both files read, parsed, digested and staged, differences written — against its
  baseline: the same files read with ``csv``, their accounts digested, staged into the same
  table, and one SQL join of the staged rows with the payments.

Stops by itself; everything stays on loopback. Ends with one JSON line per figure: figure,
engine, value, unit, baseline, ratio. Targets at 1,000,000: each within 2× of its baseline,
roster ≤ 10 s, reconciliation ≤ 15 s, peak memory ≤ 1 GiB.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, text

from bench.support import Figure, postgres_answers, say
from shared.sealing import Keyring

DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
COUNTY = "230722"
TOWNSHIP = "230722100"
VILLAGE = "230722100201"
STEP_TIMEOUT_S = 1800
SEED_BATCH = 50_000
GIB = 1024 * 1024 * 1024


def account_number(i: int) -> str:
    return f"6217{i:015d}"


def payee_id(i: int) -> str:
    return f"{i:032x}"


# --- the steps, each run in a subprocess -----------------------------------------------------


@dataclass
class Context:
    settings: Any
    engine: Any
    sessions: Any
    keyring: Keyring
    month: str


async def _context(args: argparse.Namespace) -> Context:
    from services.disbursement.db import outbox
    from services.disbursement.months.rules import open_month
    from shared.db import create_engine, create_sessionmaker
    from shared.outbox import session_info
    from shared.sealing import Sealer
    from shared.settings import Settings

    settings = Settings(service="disbursement", county=COUNTY, data_dir=Path(args.data),
                        database_url=args.url or None, db_schema=args.schema or None,
                        log_level="WARNING")
    keyring = Keyring.from_settings(settings)
    engine = create_engine(settings)
    sessions = create_sessionmaker(engine, session_info(settings, outbox, Sealer(keyring)))
    return Context(settings, engine, sessions, keyring, open_month(datetime.now(UTC)))


def _user(role: str, user_id: str) -> Any:
    from shared.auth import Role, User

    return User(user_id=user_id, role=Role(role), divisions=(COUNTY,))


async def step_seed(ctx: Context, args: argparse.Namespace) -> str:
    """N payees of the township, each with an active card account (not measured)."""
    from services.disbursement.accounts.models import BankAccount
    from services.disbursement.beneficiaries.models import Payee
    from shared.bulk import analyze, insert_rows
    from shared.db import unit_of_work
    from shared.digests import account_digester

    digest = account_digester(ctx.keyring)
    now = datetime.now(UTC)
    payees = ("id", "beneficiary_id", "application_id", "program", "unit", "name_masked",
              "division", "holder_member_id", "holder_digest", "payment", "amount_fen",
              "amount_from", "start_month", "stopped_from", "status", "last_event_id",
              "last_event_type", "created_at", "updated_at")
    accounts = ("id", "holder_digest", "holder_name_masked", "division", "bank_name",
                "account_sealed", "account_masked", "account_digest", "status",
                "registered_by", "created_at")
    for start in range(0, args.n, SEED_BATCH):
        people, cards = [], []
        for i in range(start, min(start + SEED_BATCH, args.n)):
            pid, holder, number = payee_id(i), f"h{i:063d}", account_number(i)
            people.append((pid, pid, pid, "dibao", "household", "张*", VILLAGE, pid, holder,
                           "monthly", 30000 + i % 50000, ctx.month, ctx.month, None, "active",
                           pid, "assist.approval.beneficiary_approved", now, now))
            cards.append((pid, holder, "张*", VILLAGE, "农村信用社", "sealed:bench",
                          "*" * 15 + number[-4:], digest(number), "active", "bench", now))
        async with unit_of_work(ctx.sessions) as session:
            await insert_rows(session, Payee.__table__, payees, people)  # type: ignore[arg-type]
            await insert_rows(session, BankAccount.__table__, accounts,  # type: ignore[arg-type]
                              cards)
    async with unit_of_work(ctx.sessions) as session:  # only the bench's own tables
        await analyze(session, Payee.__table__)  # type: ignore[arg-type]
        await analyze(session, BankAccount.__table__)  # type: ignore[arg-type]
    return f"{args.n} payees and accounts"


async def step_ledger(ctx: Context, args: argparse.Namespace) -> str:
    from services.disbursement.months import service as months
    from shared.db import unit_of_work

    async with unit_of_work(ctx.sessions) as session:
        month = await months.generate_ledger(session, county=COUNTY, month=ctx.month)
        month_id, lines = month.id, month.lines
    officer = _user("county_officer", "bench-officer")
    async with unit_of_work(ctx.sessions) as session:
        await months.review_ledger(session, user=officer, payment_month_id=month_id)
    async with unit_of_work(ctx.sessions) as session:
        await months.submit_ledger(session, user=officer, payment_month_id=month_id)
    return f"{lines} ledger lines"


def _new_id_sql(dialect: str) -> str:
    return ("replace(gen_random_uuid()::text, '-', '')" if dialect == "postgresql"
            else "lower(hex(randomblob(16)))")


async def step_roster_baseline(ctx: Context, args: argparse.Namespace) -> str:
    """The bare INSERT … SELECT of the roster's rows, committed (deleted again untimed)."""
    from services.disbursement.payments.models import Payment
    from shared.db import unit_of_work

    new_id = _new_id_sql(ctx.engine.dialect.name)
    statement = text(f"""
        INSERT INTO payment (id, month, kind, payee_id, beneficiary_id, program, division, unit,
            name_masked, amount_fen, arrears_fen, holder_digest, account_id, account_masked,
            status, hold_reason, failure_reason, attempts, file_id, source, paid_at,
            created_at, updated_at)
        SELECT {new_id}, l.month, 'monthly', l.payee_id, l.beneficiary_id, l.program,
            l.division, l.unit, l.name_masked, l.amount_fen + l.arrears_fen, l.arrears_fen,
            p.holder_digest, a.id, a.account_masked, 'ready', NULL, NULL, 0, NULL, 'treasury',
            NULL, :now, :now
        FROM ledger_line l
        JOIN payee p ON p.id = l.payee_id
        JOIN bank_account a ON a.holder_digest = p.holder_digest AND a.status = 'active'
        WHERE l.month = :month""")
    started = time.perf_counter()
    async with unit_of_work(ctx.sessions) as session:
        done = await session.execute(statement, {"now": datetime.now(UTC), "month": ctx.month})
        rows = done.rowcount  # type: ignore[attr-defined]
    seconds = time.perf_counter() - started
    async with unit_of_work(ctx.sessions) as session:
        await session.execute(delete(Payment))
    return json.dumps({"timed": seconds, "rows": rows})


async def step_roster(ctx: Context, args: argparse.Namespace) -> str:
    from services.disbursement.payments import service as payments
    from shared.db import unit_of_work

    async with unit_of_work(ctx.sessions) as session:
        _, added = await payments.generate_roster(session, county=COUNTY, month=ctx.month)
    return f"{added} payments"


async def step_files(ctx: Context, args: argparse.Namespace) -> str:
    """Finance's and the bank's files of the month from the roster, with a few differences
    of each kind (not measured)."""
    from services.disbursement.bank_files import formats
    from services.disbursement.payments.models import Payment

    folder = Path(args.data)
    query = (select(Payment.id, Payment.payee_id, Payment.amount_fen)
             .where(Payment.month == ctx.month).order_by(Payment.id)
             .execution_options(yield_per=20_000))
    with (folder / "finance.csv").open("wb") as f_out, (folder / "bank.csv").open("wb") as b_out:
        finance, bank = formats.CsvSink(f_out), formats.CsvSink(b_out)
        finance.write([["finance_allocation", TOWNSHIP, ctx.month],
                       list(formats.ALLOCATION_COLUMNS)])
        bank.write([["bank_statement", TOWNSHIP, ctx.month], list(formats.STATEMENT_COLUMNS)])
        totals = {"finance": [0, 0], "bank": [0, 0]}
        day = f"{ctx.month}-05"
        n = 0
        async with ctx.sessions() as session:
            stream = await session.stream(query)
            async for part in stream.partitions(20_000):
                f_rows, b_rows = [], []
                for r in part:
                    n += 1
                    number = account_number(int(r.payee_id, 16))
                    if n % 1000 != 0:  # finance: one in a thousand missing
                        fen = r.amount_fen + (1 if n % 1001 == 0 else 0)
                        f_rows.append([r.id, number, formats.yuan_text(fen)])
                        totals["finance"][0] += 1
                        totals["finance"][1] += fen
                    if n % 997 != 0:  # the bank: one in 997 missing
                        shown = account_number(10**14 + n) if n % 1003 == 0 else number
                        times = 2 if n % 5003 == 0 else 1  # paid twice
                        for _ in range(times):
                            b_rows.append([r.id, shown, formats.yuan_text(r.amount_fen), day])
                            totals["bank"][0] += 1
                            totals["bank"][1] += r.amount_fen
                finance.write(f_rows)
                bank.write(b_rows)
        bank.write([["extra0000bank", account_number(10**14), "1.00", day]])
        totals["bank"][0] += 1
        totals["bank"][1] += 100
        finance.write([formats.total_cells(*totals["finance"])])
        bank.write([formats.total_cells(*totals["bank"])])
        finance.close()
        bank.close()
    return f"{totals['finance'][0]} finance lines, {totals['bank'][0]} bank lines"


async def step_reconcile(ctx: Context, args: argparse.Namespace) -> str:
    from services.disbursement.reconciliation import service as reconciliation
    from shared.db import unit_of_work
    from shared.digests import account_digester

    folder = Path(args.data)
    with (folder / "finance.csv").open("rb") as finance, (folder / "bank.csv").open("rb") as bank:
        async with unit_of_work(ctx.sessions) as session:
            record = await reconciliation.reconcile(
                session, user=_user("finance_officer", "bench-finance"), division=TOWNSHIP,
                month=ctx.month, finance=finance, bank=bank,
                digest=account_digester(ctx.keyring))
            result = (f"{record.system_rows} system, {record.finance_rows} finance, "
                      f"{record.bank_rows} bank lines; {record.differences} differences")
    return result


async def step_reconcile_baseline(ctx: Context, args: argparse.Namespace) -> str:
    """The same files read with csv, accounts digested, staged; one join of staged rows."""
    from services.disbursement.reconciliation.models import ReconciliationEntry
    from services.disbursement.reconciliation.service import ENTRY_COLUMNS
    from shared.bulk import analyze, insert_rows
    from shared.db import unit_of_work
    from shared.digests import account_digester

    digest = account_digester(ctx.keyring)
    folder = Path(args.data)
    rid = uuid.uuid4().hex
    table = ReconciliationEntry.__table__
    async with unit_of_work(ctx.sessions) as session:
        for side in ("finance", "bank"):
            with (folder / f"{side}.csv").open(newline="", encoding="utf-8") as f:
                batch: list[tuple[Any, ...]] = []
                for number, row in enumerate(csv.reader(f), start=1):
                    if number <= 2 or row[0] == "total":
                        continue
                    yuan, _, cents = row[2].partition(".")
                    batch.append((rid, side, number, row[0], digest(row[1]),
                                  int(yuan) * 100 + int(cents or 0), None))
                    if len(batch) >= 20_000:
                        await insert_rows(session, table, ENTRY_COLUMNS,  # type: ignore[arg-type]
                                          batch)
                        batch = []
                await insert_rows(session, table, ENTRY_COLUMNS, batch)  # type: ignore[arg-type]
        await analyze(session, table)  # type: ignore[arg-type]
        found = (await session.execute(text("""
            SELECT count(*) FROM payment p
            JOIN bank_account a ON a.id = p.account_id
            LEFT JOIN reconciliation_entry f ON f.reconciliation_id = :rid
                AND f.side = 'finance' AND f.reference = p.id
            LEFT JOIN reconciliation_entry b ON b.reconciliation_id = :rid
                AND b.side = 'bank' AND b.reference = p.id
            WHERE p.month = :month AND (f.reference IS NULL OR b.reference IS NULL
                OR f.amount_fen <> p.amount_fen OR b.amount_fen <> p.amount_fen
                OR f.account_digest <> a.account_digest
                OR b.account_digest <> a.account_digest)"""),
            {"rid": rid, "month": ctx.month})).scalar_one()
        await session.execute(delete(ReconciliationEntry).where(
            ReconciliationEntry.reconciliation_id == rid))
    return f"{found} rows differ"


STEPS = {"seed": step_seed, "ledger": step_ledger, "roster_baseline": step_roster_baseline,
         "roster": step_roster, "files": step_files, "reconcile": step_reconcile,
         "reconcile_baseline": step_reconcile_baseline}


async def run_step(args: argparse.Namespace) -> None:
    ctx = await _context(args)
    try:
        started = time.perf_counter()
        detail = await STEPS[args.step](ctx, args)
        seconds = time.perf_counter() - started
    finally:
        await ctx.engine.dispose()
    if detail.startswith("{"):  # the step timed its own part
        inner = json.loads(detail)
        seconds, detail = inner["timed"], f"{inner['rows']} rows"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": seconds, "peak_bytes": peak, "detail": detail}), flush=True)


# --- the parent ------------------------------------------------------------------------------


@dataclass
class Measured:
    seconds: float
    peak_bytes: int
    detail: str


def measure(step: str, args: argparse.Namespace, *, data: Path, url: str | None,
            schema: str | None, env: dict[str, str]) -> Measured:
    command = [sys.executable, "-m", "bench.disbursement", "--step", step, "--n", str(args.n),
               "--data", str(data)]
    if url:
        command += ["--url", url, "--schema", schema or ""]
    done = subprocess.run(command, capture_output=True, text=True, timeout=STEP_TIMEOUT_S,
                          env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{step} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return Measured(result["seconds"], result["peak_bytes"], result["detail"])


async def _prepare(data: Path, url: str | None, schema: str | None) -> None:
    from shared import migrations
    from shared.db import create_engine, ensure_schema
    from shared.settings import Settings

    settings = Settings(service="disbursement", county=COUNTY, data_dir=data,
                        database_url=url or None, db_schema=schema or None, log_level="WARNING")
    engine = create_engine(settings, pooled=False)
    await ensure_schema(engine, settings.pg_schema)
    await engine.dispose()
    await asyncio.to_thread(migrations.upgrade, settings)


async def _drop_schema(url: str, schema: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        await engine.dispose()


def _mib(n: int) -> float:
    return n / (1024 * 1024)


async def run_engine(engine: str, args: argparse.Namespace, folder: Path) -> list[Figure]:
    data = folder / engine
    data.mkdir(parents=True)
    url = args.postgres_url if engine == "postgresql" else None
    schema = f"bench_disb_{uuid.uuid4().hex[:8]}" if url else None
    env = {**os.environ, "ASSIST_EVENT_KEYS": Keyring.generate().to_json()}
    figures: list[Figure] = []
    try:
        await _prepare(data, url, schema)
        results: dict[str, Measured] = {}
        for step in ("seed", "ledger", "roster_baseline", "roster", "files",
                     "reconcile_baseline", "reconcile"):
            results[step] = m = measure(step, args, data=data, url=url, schema=schema, env=env)
            say(f"  {step:<19} {m.seconds:8.2f} s   peak {_mib(m.peak_bytes):7.0f} MiB   "
                f"{m.detail}")
    finally:
        if url and schema:
            await _drop_schema(url, schema)
    for name, step, baseline in (("ledger", "ledger", None),
                                 ("roster", "roster", "roster_baseline"),
                                 ("reconcile", "reconcile", "reconcile_baseline")):
        m = results[step]
        base = results[baseline].seconds if baseline else None
        figures.append(Figure(f"{name}_s_{args.n}", engine, m.seconds, "s", base))
        figures.append(Figure(f"{name}_peak_mib_{args.n}", engine, _mib(m.peak_bytes), "MiB",
                              _mib(results[baseline].peak_bytes) if baseline else None))
    return figures


def targets_check(figures: list[Figure], n: int) -> list[str]:
    lines = []
    limits = {"roster": 10.0, "reconcile": 15.0}
    for f in figures:
        name = f.figure.split("_", 1)[0]
        if f.unit == "s" and f.ratio is not None:
            ok = f.ratio <= 2.0 and (n < 1_000_000 or f.value <= limits[name])
            lines.append(f"{f.engine} {name}: {f.value:.2f} s, {f.ratio:.2f}× its baseline "
                         f"({'within' if ok else 'OUTSIDE'} target)")
        if f.unit == "MiB":
            ok = f.value * 1024 * 1024 <= GIB
            lines.append(f"{f.engine} {name} peak {f.value:.0f} MiB "
                         f"({'within' if ok else 'OVER'} 1 GiB)")
    return lines


async def main(args: argparse.Namespace) -> int:
    folder = Path(tempfile.mkdtemp(prefix="assist-bench-disbursement-"))
    figures: list[Figure] = []
    try:
        say(f"disbursement: N={args.n:,}, {os.cpu_count()} CPUs, load average "
            f"{os.getloadavg()[0]:.1f}; data in {folder}")
        for engine in args.engines:
            if engine == "postgresql":
                why = await postgres_answers(args.postgres_url)
                if why:
                    say(f"\npostgresql: skipped, {args.postgres_url} does not answer: {why}")
                    continue
            say(f"\n{engine}:")
            figures += await run_engine(engine, args, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    say()
    for line in targets_check(figures, args.n):
        say(line)
    say()
    for fig in figures:
        say(fig.json())
    return 0 if figures else 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.disbursement",
                                     description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000,
                        help="payees on the roll (default 1,000,000)")
    parser.add_argument("--engines", type=lambda s: s.split(","),
                        default=["sqlite", "postgresql"],
                        help="comma-separated: sqlite,postgresql (default both)")
    parser.add_argument("--postgres-url", default=os.environ.get(
        "ASSIST_BENCH_PG_URL", DEFAULT_POSTGRES),
        help=f"PostgreSQL for the second run (default {DEFAULT_POSTGRES})")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--schema", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def run(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.step:
        asyncio.run(run_step(args))
        return 0
    return asyncio.run(main(args))


if __name__ == "__main__":
    sys.exit(run())
