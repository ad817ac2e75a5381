"""Checks `cxkit singer` with real Singer tooling (PyPI), run by `cargo xtask singer`.

1. `--discover`: a catalog every stream of which names its key and replication key among its
   schema's properties, selected by default.
2. The tap piped into a Singer target (`target-jsonl`): every record the tap sent is in the
   target's files, and the target hands back the tap's last STATE.
3. Meltano running cxkit as a custom extractor by its executable (`tap-cxkit`, a link to the
   binary) with `select` rules, into `target-jsonl`, twice: the first run writes every
   selected stream without the deselected property; the second starts from the state Meltano
   kept and repeats no record of an incremental stream.

Meltano is told not to send usage statistics; nothing here needs the network.
"""

import collections
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CXKIT = Path(sys.argv[1]).resolve()
TARGET = Path(sys.argv[2])
BIN = Path(sys.executable).parent
failures = []
CONFIG = {"sandbox": True, "start_date": "2024-01-01T00:00:00Z"}
ENV = dict(os.environ, MELTANO_SEND_ANONYMOUS_USAGE_STATS="false", PYTHONDONTWRITEBYTECODE="1")


def fail(message):
    failures.append(message)
    print("FAIL:", message)


def run(command, **kwargs):
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, env=ENV, **kwargs)
    if done.returncode != 0:
        fail(f"{' '.join(map(str, command))} exited {done.returncode}: {done.stderr[-3000:]}")
    return done


def lines(path):
    return [json.loads(l) for l in Path(path).read_text().splitlines() if l.strip()]


with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    config = tmp / "config.json"
    config.write_text(json.dumps(CONFIG))

    # 1. Discovery.
    catalog = json.loads(run([CXKIT, "singer", "--config", config, "--discover"]).stdout)
    streams = {s["tap_stream_id"]: s for s in catalog["streams"]}
    for name, s in streams.items():
        properties = s["schema"].get("properties", {})
        for key in s["key_properties"]:
            if key not in properties:
                fail(f"{name}: key {key} is not a property")
        if s.get("replication_key") and s["replication_key"] not in properties:
            fail(f"{name}: replication key {s['replication_key']} is not a property")
        root = [m for m in s["metadata"] if m["breadcrumb"] == []]
        if len(root) != 1 or not root[0]["metadata"].get("selected-by-default"):
            fail(f"{name}: no root metadata selecting it by default")
    incremental = {n for n, s in streams.items() if s.get("replication_method") == "INCREMENTAL"}

    # 2. The tap into a Singer target.
    catalog_file = tmp / "catalog.json"
    catalog_file.write_text(json.dumps(catalog))
    out = tmp / "target-jsonl"
    out.mkdir()
    target_config = tmp / "target.json"
    target_config.write_text(json.dumps({"destination_path": str(out), "do_timestamp_file": False}))
    tap = subprocess.run([CXKIT, "singer", "--config", config, "--catalog", catalog_file],
                         capture_output=True, timeout=900, env=ENV)
    if tap.returncode != 0:
        fail(f"the tap exited {tap.returncode}: {tap.stderr[-2000:]}")
    sent = collections.Counter()
    last = None
    for line in tap.stdout.decode().splitlines():
        message = json.loads(line)
        if message["type"] == "RECORD":
            sent[message["stream"]] += 1
        last = message
    if not last or last["type"] != "STATE":
        fail("the tap's last message is not a STATE")
    target = subprocess.run([TARGET, "--config", target_config], input=tap.stdout,
                            capture_output=True, timeout=900, env=ENV)
    if target.returncode != 0:
        fail(f"target-jsonl exited {target.returncode}: {target.stderr.decode()[-2000:]}")
    for name, count in sent.items():
        written = len(lines(out / f"{name}.jsonl"))
        if written != count:
            fail(f"{name}: the tap sent {count} records, target-jsonl wrote {written}")
    handed_back = [json.loads(l) for l in target.stdout.decode().splitlines() if l.strip()]
    if not handed_back or handed_back[-1] != last["value"]:
        fail("target-jsonl did not hand back the tap's last STATE")
    for name in ("zchat_history", "converz_calls", "conversion_prospects", "conversion_groups"):
        if not sent.get(name):
            fail(f"{name}: no record")

    # 3. Meltano, by the executable, twice.
    project = tmp / "project"
    project.mkdir()
    tap_link = project / "tap-cxkit"
    tap_link.symlink_to(CXKIT)
    selected = ["zchat_history", "conversion_prospects", "conversion_groups"]
    (project / "meltano.yml").write_text(json.dumps({
        "default_environment": "dev",
        "send_anonymous_usage_stats": False,
        "project_id": "cxkit-singer-check",
        "environments": [{"name": "dev"}],
        "plugins": {
            "extractors": [{
                "name": "tap-cxkit",
                "namespace": "tap_cxkit",
                "executable": str(tap_link),
                "capabilities": ["catalog", "discover", "state"],
                "settings": [{"name": "sandbox", "kind": "boolean"}, {"name": "start_date", "kind": "string"}],
                "config": CONFIG,
                "select": [f"{s}.*" for s in selected] + ["!zchat_history.customer"],
            }],
            "loaders": [{
                "name": "target-jsonl",
                "namespace": "target_jsonl",
                "executable": str(TARGET),
                "config": {"destination_path": "output", "do_timestamp_file": False},
            }],
        },
    }))
    meltano = [BIN / "meltano"]
    counts = []
    for attempt in (1, 2):
        run([*meltano, "run", "tap-cxkit", "target-jsonl"], cwd=project)
        counts.append({s: len(lines(project / "output" / f"{s}.jsonl")) if (project / "output" / f"{s}.jsonl").exists() else 0 for s in selected})
        print(f"meltano run {attempt}: {counts[-1]}")
    first, second = counts
    for s in selected:
        if not first[s]:
            fail(f"meltano: {s} has no record after the first run")
    for s in selected:
        added = second[s] - first[s]
        if s in incremental and added != 0:
            fail(f"meltano: the second run repeated {added} records of {s}")
        if s not in incremental and added != first[s]:
            fail(f"meltano: the full-table {s} added {added}, expected {first[s]}")
    written = lines(project / "output" / "zchat_history.jsonl")
    if any("customer" in r for r in written):
        fail("meltano: a deselected property was written")
    if written and not all("id" in r for r in written):
        fail("meltano: the key property was dropped")
    if not (project / "output").exists() or any(not (project / "output" / f"{s}.jsonl").exists() for s in selected):
        fail("meltano: output files missing")
    state = run([*meltano, "state", "get", "dev:tap-cxkit-to-target-jsonl"], cwd=project).stdout
    bookmarks = json.loads(state).get("singer_state", {}).get("bookmarks", {})
    if set(bookmarks) != {s for s in selected if s in incremental}:
        fail(f"meltano kept bookmarks for {sorted(bookmarks)}")

if failures:
    print(f"\n{len(failures)} failure(s)")
    sys.exit(1)
print("\nsinger: every check passed")
