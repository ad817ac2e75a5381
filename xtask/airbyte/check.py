"""Checks `cxkit airbyte` against the Airbyte protocol's published models
(`airbyte-protocol-models`, PyPI), run by `cargo xtask airbyte`.

Runs spec, check (good and bad credentials), discover and two reads against the embedded
sandbox; every stdout line must parse as an AirbyteMessage and survive a round trip through
the model unchanged (no field the model does not know); every RECORD must validate against its
stream's json_schema; the second read, given the first read's state, must repeat no record of
an incremental stream.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import jsonschema
from airbyte_protocol.models import AirbyteMessage, Type

CXKIT = sys.argv[1]
failures = []


def fail(message):
    failures.append(message)
    print("FAIL:", message)


def normalise(value):
    """JSON numbers compared as numbers (the model writes 3.0 where cxkit wrote 3)."""
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return float(value)
    return value


def run(*args, expect=0):
    done = subprocess.run([CXKIT, "airbyte", *args], capture_output=True, text=True, timeout=600)
    if done.returncode != expect:
        fail(f"airbyte {' '.join(args)} exited {done.returncode}, expected {expect}: {done.stderr[-2000:]}")
    messages = []
    for number, line in enumerate(done.stdout.splitlines(), 1):
        raw = json.loads(line)
        try:
            message = AirbyteMessage.parse_obj(raw)
        except Exception as error:  # pydantic's ValidationError, with the field at fault
            fail(f"airbyte {args[0]} line {number}: not an AirbyteMessage: {error}")
            continue
        again = json.loads(message.json(exclude_unset=True, by_alias=True))
        if normalise(again) != normalise(raw):
            fail(f"airbyte {args[0]} line {number}: fields the model does not keep: {raw}")
        messages.append(raw)
    return messages


def of_type(messages, kind):
    return [m for m in messages if m["type"] == kind]


with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    config = tmp / "config.json"
    config.write_text(json.dumps({"sandbox": True, "start_date": "2024-01-01T00:00:00Z"}))

    spec = run("spec")
    spec_schema = spec[0]["spec"]["connectionSpecification"]
    jsonschema.Draft7Validator.check_schema(spec_schema)
    jsonschema.validate(json.loads(config.read_text()), spec_schema)

    status = of_type(run("check", "--config", str(config)), "CONNECTION_STATUS")
    if [s["connectionStatus"]["status"] for s in status] != ["SUCCEEDED"]:
        fail(f"check against the sandbox: {status}")

    bad = tmp / "bad.json"
    bad.write_text(json.dumps({"converz": {"api_key": "not-the-key-0123456789", "base_url": "http://127.0.0.1:9"}}))
    status = of_type(run("check", "--config", str(bad)), "CONNECTION_STATUS")
    if [s["connectionStatus"]["status"] for s in status] != ["FAILED"]:
        fail(f"check with a bad key: {status}")
    elif "not-the-key-0123456789" in json.dumps(status):
        fail("check: the credential appears in its message")

    catalog = of_type(run("discover", "--config", str(config)), "CATALOG")[0]["catalog"]
    streams = {s["name"]: s for s in catalog["streams"]}
    for stream in streams.values():
        jsonschema.Draft7Validator.check_schema(stream["json_schema"])
    configured = {
        "streams": [
            {
                "stream": s,
                "sync_mode": "incremental" if "incremental" in s["supported_sync_modes"] else "full_refresh",
                "destination_sync_mode": "append",
                "cursor_field": s.get("default_cursor_field", []),
            }
            for s in streams.values()
        ]
    }
    catalog_file = tmp / "catalog.json"
    catalog_file.write_text(json.dumps(configured))

    first = run("read", "--config", str(config), "--catalog", str(catalog_file))
    validators = {n: jsonschema.Draft7Validator(s["json_schema"], format_checker=jsonschema.FormatChecker()) for n, s in streams.items()}
    keys = {}
    for m in of_type(first, "RECORD"):
        record = m["record"]
        errors = list(validators[record["stream"]].iter_errors(record["data"]))
        if errors:
            fail(f"{record['stream']}: record does not match its json_schema: {errors[0].message}")
            break
        pk = streams[record["stream"]].get("source_defined_primary_key") or []
        key = tuple(json.dumps(record["data"].get(p[0])) for p in pk)
        keys.setdefault(record["stream"], []).append(key)
    # The sandbox seeds no webhook subscription: that stream is rightly empty.
    empty = {"conversion_subscriptions"}
    for name in set(streams) - empty:
        if not keys.get(name):
            fail(f"{name}: the first read has no record")
    statuses = {(m["trace"]["stream_status"]["stream_descriptor"]["name"], m["trace"]["stream_status"]["status"]) for m in of_type(first, "TRACE") if m["trace"]["type"] == "STREAM_STATUS"}
    for name in streams:
        for s in ("STARTED", "RUNNING", "COMPLETE"):
            if (name, s) not in statuses and not (s == "RUNNING" and name in empty):
                fail(f"{name}: no {s} status")
    states = [m["state"] for m in of_type(first, "STATE")]
    incremental = {n for n, s in streams.items() if "incremental" in s["supported_sync_modes"]}
    if {s["stream"]["stream_descriptor"]["name"] for s in states} != incremental:
        fail(f"STATE messages for {sorted(s['stream']['stream_descriptor']['name'] for s in states)}, expected {sorted(incremental)}")
    for s in states:
        name = s["stream"]["stream_descriptor"]["name"]
        if s["sourceStats"]["recordCount"] != len(keys.get(name, [])):
            fail(f"{name}: recordCount {s['sourceStats']['recordCount']} but {len(keys.get(name, []))} records")
    state_file = tmp / "state.json"
    state_file.write_text(json.dumps(states))

    second = run("read", "--config", str(config), "--catalog", str(catalog_file), "--state", str(state_file))
    for m in of_type(second, "RECORD"):
        name = m["record"]["stream"]
        if name in incremental:
            fail(f"{name}: the second read repeats a record of the first")
            break

    # Streams of vendors left out of the config: config errors, a non-zero exit, no record.
    only_zchat = tmp / "zchat.json"
    only_zchat.write_text(json.dumps({"zchat": {"token": "x" * 20, "base_url": "http://127.0.0.1:9"}}))
    others = tmp / "others.json"
    others.write_text(json.dumps({"streams": [s for s in configured["streams"] if not s["stream"]["name"].startswith("zchat_")]}))
    answer = run("read", "--config", str(only_zchat), "--catalog", str(others), expect=3)
    errors = [m["trace"]["error"] for m in of_type(answer, "TRACE") if m["trace"]["type"] == "ERROR"]
    if len(errors) != len(json.loads(others.read_text())["streams"]) or {e["failure_type"] for e in errors} != {"config_error"}:
        fail(f"unconfigured vendors: {errors[:2]}")
    if of_type(answer, "RECORD"):
        fail("unconfigured vendors: records were emitted")

    # Catalogs as the protocol's own models write them: every optional member null (as the
    # CDK's test suite and orchestrators write them), a refresh's generation and sync ids, and
    # a member the models do not know. Each must be read, each stream exactly as above.
    from airbyte_protocol.models import AirbyteStream, ConfiguredAirbyteCatalog, ConfiguredAirbyteStream
    shapes = {
        "every optional member null": dict(),
        "a refresh (generation ids)": dict(generation_id=7, minimum_generation_id=7, sync_id=42),
    }
    for shape, extra in shapes.items():
        written = ConfiguredAirbyteCatalog(streams=[
            ConfiguredAirbyteStream(
                stream=AirbyteStream.parse_obj(streams[name]),
                sync_mode="incremental" if name in incremental else "full_refresh",
                destination_sync_mode="append_dedup",
                cursor_field=None,
                primary_key=None,
                **extra,
            )
            for name in ("zchat_history", "conversion_groups")
        ])
        text = json.loads(written.json(by_alias=True))
        text["streams"][0]["a_member_from_a_later_protocol"] = {"x": 1}
        models_file = tmp / "models-catalog.json"
        models_file.write_text(json.dumps(text))
        if "null" not in models_file.read_text():
            fail(f"{shape}: the models wrote no null (the check would check nothing)")
        answer = run("read", "--config", str(config), "--catalog", str(models_file))
        read_streams = {m["record"]["stream"] for m in of_type(answer, "RECORD")}
        if read_streams != {"zchat_history", "conversion_groups"}:
            fail(f"catalog with {shape}: read {sorted(read_streams)}")

    total = sum(len(v) for v in keys.values())
    print(f"airbyte: {len(streams)} streams, {total} records in the first read, all messages valid")

if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
