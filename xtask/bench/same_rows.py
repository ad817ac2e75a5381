"""The shaped-link benchmark's check that every export holds the same rows: the same ids, each
once, as many as the sandbox served.

usage: same_rows.py ROWS CXKIT_JSONL PYTHON_JSONL CXKIT_PARQUET DLT_DIR
"""
import glob
import json
import sys

import pyarrow.parquet as pq


def jsonl_ids(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["id"] for line in f if line.strip()]


def parquet_ids(paths):
    ids = []
    for path in paths:
        ids.extend(pq.read_table(path, columns=["id"]).column("id").to_pylist())
    return ids


def main():
    expected, cxkit, python, cxkit_parquet, dlt_dir = sys.argv[1:6]
    exports = {
        "cxkit JSON Lines": jsonl_ids(cxkit),
        "Python JSON Lines": jsonl_ids(python),
        "cxkit Parquet": parquet_ids([cxkit_parquet]),
        "dlt Parquet": parquet_ids(sorted(glob.glob(f"{dlt_dir}/**/history/*.parquet", recursive=True))),
    }
    reference = None
    failed = False
    for name, ids in exports.items():
        unique = set(ids)
        if len(ids) != int(expected) or len(unique) != len(ids):
            print(f"{name}: {len(ids)} rows, {len(unique)} distinct, expected {expected}")
            failed = True
        if reference is None:
            reference = unique
        elif unique != reference:
            print(f"{name}: not the same ids as cxkit JSON Lines")
            failed = True
    sys.exit(1 if failed else 0)


main()
