"""Reads cxkit's Parquet exports with tools we did not write (pyarrow, DuckDB), run by
`cargo xtask parquet`: every sandbox list exported as Parquet must have the row count of its
JSON Lines export, the spec's types (UTC timestamps, integers, booleans, structs, lists), and
answer a DuckDB query.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

CXKIT = sys.argv[1]
failures = []

EXPORTS = {
    "history": ["zchat", "history", "--from", "2024-03-01", "--to", "2024-03-31"],
    "expanded": ["zchat", "history", "--expanded", "--from", "2024-03-01", "--to", "2024-03-31"],
    "ongoing": ["zchat", "ongoing"],
    "calls": ["converz", "calls"],
    "reps": ["converz", "reps"],
    "prospects": ["conversion", "prospects"],
    "interactions": ["conversion", "interactions"],
    "empty": ["conversion", "prospects", "--from", "2030-01-01", "--to", "2030-01-02"],
}

# Columns whose Arrow type the spec fixes.
TYPES = {
    "prospects": {"created": pa.timestamp("us", tz="+00:00"), "userMade": pa.bool_(), "emails": pa.list_(pa.string())},
    "empty": {"created": pa.timestamp("us", tz="+00:00"), "id": pa.string()},
    "interactions": {"createdAt": pa.timestamp("us", tz="+00:00"), "bot": pa.bool_()},
    "calls": {"call_id": pa.int64(), "rep_id": pa.string(), "_extra": pa.string()},
    "expanded": {"messages": pa.int64(), "response_time": pa.float64()},
}


def cxkit(args, output, fmt):
    subprocess.run([CXKIT, "--sandbox", "--quiet", "--format", fmt, "--output", str(output), *args], check=True, timeout=600)


with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    for name, args in EXPORTS.items():
        parquet, jsonl = tmp / f"{name}.parquet", tmp / f"{name}.jsonl"
        cxkit(args, parquet, "parquet")
        cxkit(args, jsonl, "jsonl")
        rows = [json.loads(line) for line in jsonl.read_text().splitlines()]
        table = pq.read_table(parquet)
        # Only "empty" is meant to be empty (a file with the schema and no rows); any other
        # empty export would make every comparison below hold by default.
        if (not rows) != (name == "empty"):
            failures.append(f"{name}: {len(rows)} JSON Lines rows: nothing is compared" if not rows
                            else f"{name}: {len(rows)} rows where none were asked for")
        if table.num_rows != len(rows):
            failures.append(f"{name}: {table.num_rows} Parquet rows, {len(rows)} JSON Lines rows")
        for column, expected in TYPES.get(name, {}).items():
            actual = table.schema.field(column).type
            if actual != expected:
                failures.append(f"{name}.{column}: {actual}, expected {expected}")
        if name == "calls":
            # Open rows: what the spec does not name is in _extra, nothing is lost.
            first = table.slice(0, 1).to_pylist()[0]
            back = {**json.loads(first["_extra"]), "call_id": first["call_id"], "rep_id": first["rep_id"]}
            if back != rows[0]:
                failures.append(f"calls: first row {back} != {rows[0]}")
        print(f"{name}: {table.num_rows} rows, {len(table.schema)} columns")

    count, latest = duckdb.sql(f"select count(*), max(created) from '{tmp / 'prospects.parquet'}'").fetchall()[0]
    if count != len((tmp / "prospects.jsonl").read_text().splitlines()) or latest is None or latest.tzinfo is None:
        failures.append(f"duckdb: {count} rows, latest {latest!r}")
    print(f"duckdb: {count} prospects, the latest created at {latest}")

for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
