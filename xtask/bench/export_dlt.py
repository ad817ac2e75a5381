"""What a data engineer would pick instead of cxkit: dlt's REST API source paging
zchat /history, loaded as Parquet into a local `filesystem` destination.

usage: export_dlt.py BASE_URL TOKEN OUT_DIR FROM TO LIMIT

OUT_DIR should be a fresh directory. The rows land in
    OUT_DIR/zchat/history/*.parquet                          one row per history row, id column `id`
    OUT_DIR/zchat/history__customer__fields__channel_email/  child table: the one list field
Nested objects are flattened into `parent__child` columns (agent__id, customer__fields__main_identifier,
...). dlt's own state lives in OUT_DIR/_dlt_pipelines and in OUT_DIR/zchat/_dlt_* tables.
The last line of stdout is the number of history rows loaded; any failure exits non-zero.
"""
import os
import sys

# Everything dlt reads or writes stays in OUT_DIR, and it never talks to anything but the
# sandbox: set before dlt is imported, since dlt reads some of these at import time.
_OUT_DIR = os.path.abspath(sys.argv[3]) if len(sys.argv) > 3 else None
if _OUT_DIR:
    os.environ["DLT_DATA_DIR"] = os.path.join(_OUT_DIR, "_dlt_data")  # not /var/dlt or ~/.dlt
    os.environ["DLT_PROJECT_DIR"] = os.path.join(_OUT_DIR, "_dlt_project")  # no ./.dlt/*.toml from cwd
os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"  # anonymous telemetry posts to dlthub by default
os.environ["RUNTIME__SENTRY_DSN"] = ""
os.environ["DLT_DISABLE_PLUGINS"] = "true"  # no entry-point scan for dlt plugins
os.environ.setdefault("RUNTIME__REQUEST_TIMEOUT", "120")  # as export_requests.py
# Load packages are copied into the destination; drop the pipeline's second copy when done.
os.environ.setdefault("LOAD__DELETE_COMPLETED_JOBS", "true")

import dlt  # noqa: E402
from dlt.common.configuration.container import Container  # noqa: E402
from dlt.common.configuration.specs.pluggable_run_context import PluggableRunContext  # noqa: E402
from dlt.common.runtime.run_context import RunContext  # noqa: E402
from dlt.sources.helpers.rest_client.paginators import PageNumberPaginator  # noqa: E402
from dlt.sources.rest_api import RESTAPIConfig, rest_api_source  # noqa: E402


def isolate_dlt(out_dir: str) -> None:
    """Point dlt's global dir (/var/dlt as root, else ~/.dlt) into OUT_DIR as well: even with
    telemetry off, dlt 1.31 still creates <global dir>/.anonymous_id, and reads config.toml and
    secrets.toml from there."""
    context = RunContext(os.path.join(out_dir, "_dlt_project"))
    context._global_dir = os.path.join(out_dir, "_dlt_global")
    Container()[PluggableRunContext].reload(context)


class ShortPagePaginator(PageNumberPaginator):
    """`page_number` pagination that stops after a short (or empty) page, as zchat gives no total.

    The stock config {"type": "page_number", "base_page": 1, "total_path": None} only stops
    after an empty page, so it would ask for one more page than export_requests.py does.
    """

    def __init__(self, page_size: int) -> None:
        super().__init__(base_page=1, page_param="page", total_path=None, stop_after_empty_page=True)
        self.page_size = page_size

    def update_state(self, response, data=None) -> None:
        if not data:
            # An empty page is the end, unless the body is an error (zchat's success=false).
            body = response.json()
            if not body.get("success", False):
                raise RuntimeError(f"zchat error: {body.get('error')!r}")
        super().update_state(response, data)

    def _stop_after_this_page(self, data=None) -> bool:
        return not data or len(data) < self.page_size


def main() -> None:
    if len(sys.argv) != 7:
        raise SystemExit(__doc__)
    base, token, out_dir, start, end, limit = sys.argv[1:7]
    limit = int(limit)
    out_dir = os.path.abspath(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    isolate_dlt(out_dir)

    config: RESTAPIConfig = {
        "client": {
            "base_url": base.rstrip("/") + "/",
            "paginator": ShortPagePaginator(limit),
        },
        "resource_defaults": {"write_disposition": "replace"},
        "resources": [
            {
                "name": "history",
                "endpoint": {
                    "path": "history",
                    "params": {"token": token, "from": start, "to": end, "limit": limit},
                    "data_selector": "data",
                },
            }
        ],
    }
    source = rest_api_source(config, name="zchat")

    pipeline = dlt.pipeline(
        pipeline_name="zchat_history",
        pipelines_dir=os.path.join(out_dir, "_dlt_pipelines"),
        destination=dlt.destinations.filesystem(bucket_url=out_dir),
        dataset_name="zchat",
    )
    load_info = pipeline.run(source, loader_file_format="parquet")
    load_info.raise_on_failed_jobs()

    rows = pipeline.last_trace.last_normalize_info.row_counts.get("history", 0)
    print(rows)


if __name__ == "__main__":
    main()
