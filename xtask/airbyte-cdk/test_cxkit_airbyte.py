"""The Airbyte CDK's standard source tests, run against `$CXKIT_BIN airbyte <verb> ...`.

`airbyte_cdk.test.standard_tests` runs every connector command through `run_test_job`,
which writes the config (and catalog) to temp files and hands `[verb, --config F,
--catalog F]` to `entrypoint_wrapper._run_command(source=...)`, an in-process Python
entrypoint. That call is the one hook for a non-Python connector: for an
`ExecutableConnector` it is replaced by a subprocess whose stdout lines become the
`EntrypointOutput`, as `airbyte_cdk.utils.docker.run_docker_airbyte_command` does for
an image; a non-zero exit counts as an uncaught error (a TRACE ERROR).
"""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from airbyte_cdk.test import entrypoint_wrapper
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput
from airbyte_cdk.test.models import ConnectorTestScenario
from airbyte_cdk.test.standard_tests import SourceTestSuiteBase

TIMEOUT_SECONDS = 600


class ExecutableConnector:
    """A connector run as `<binary> airbyte <verb> ...`.

    It has `spec` so that it passes the CDK's runtime `IConnector` check, and it is not
    callable, so `run_test_job` uses it as it is instead of calling it.
    """

    def __init__(self, command: list[str]) -> None:
        self.command = command

    def spec(self, logger: logging.Logger) -> Any:  # noqa: ARG002
        raise NotImplementedError("an ExecutableConnector runs through `launch`")

    def launch(self, args: list[str]) -> EntrypointOutput:
        command = [*self.command, *args]
        process = subprocess.run(
            command,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
        return EntrypointOutput(
            messages=process.stdout.splitlines(),
            command=command,
            stderr=process.stderr,
            uncaught_exception=(
                subprocess.CalledProcessError(
                    process.returncode, command, process.stdout, process.stderr
                )
                if process.returncode != 0
                else None
            ),
        )


def _connector_binary() -> str:
    value = os.environ.get("CXKIT_BIN", "")
    path = Path(value)
    if not value or not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(f"CXKIT_BIN must name the cxkit binary to test (got {value!r})")
    return str(path.resolve())


class TestCxkitSource(SourceTestSuiteBase):
    """Scenarios come from acceptance-test-config.yml beside this file."""

    @classmethod
    def create_connector(cls, scenario: ConnectorTestScenario | None) -> ExecutableConnector:  # type: ignore[override]
        return ExecutableConnector([_connector_binary(), "airbyte"])

    @pytest.fixture(autouse=True)
    def _run_executable_connectors(self, monkeypatch: pytest.MonkeyPatch) -> None:
        original = entrypoint_wrapper._run_command  # noqa: SLF001

        def run_command(source: Any, args: list[str], *rest: Any, **kwargs: Any) -> EntrypointOutput:
            if isinstance(source, ExecutableConnector):
                return source.launch(args)
            return original(source, args, *rest, **kwargs)

        monkeypatch.setattr(entrypoint_wrapper, "_run_command", run_command)
