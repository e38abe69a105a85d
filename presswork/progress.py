"""Terminal progress for `presswork run`: one line per Dagster step and check,
read from the run's own event stream (so it reports the real execution)."""

from __future__ import annotations

import logging
import sys

import dagster as dg

class ProgressHandler(logging.Handler):
    def __init__(self, stream=None):
        super().__init__(level=logging.DEBUG)
        self.stream = stream or sys.stderr
        self.failed_checks: list[str] = []
        self.step_errors: list[str] = []
        self._rows: dict[str, list[str]] = {}
        self._check_steps: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        event = (getattr(record, "dagster_meta", None) or {}).get("dagster_event")
        if event is not None:
            self.handle_event(event)

    def handle_event(self, event: dg.DagsterEvent) -> None:
        kind, step = event.event_type_value, event.step_key
        data = event.event_specific_data
        if kind == "ASSET_MATERIALIZATION":
            rows = data.materialization.metadata.get("dagster/row_count")
            if rows is not None:
                self._rows.setdefault(step, []).append(
                    f"{data.materialization.asset_key.to_user_string()}={rows.value:,}"
                )
        elif kind == "ASSET_CHECK_EVALUATION":
            self._check_steps.add(step)
            name = f"{data.asset_key.to_user_string()}: {data.check_name}"
            if data.passed:
                self._print(f"  ✓ check {name}")
            else:
                failures = data.metadata.get("failures")
                count = f" ({failures.value} failing rows)" if failures is not None else ""
                self.failed_checks.append(name + count)
                self._print(f"  ✗ check {name} FAILED{count}")
        elif kind == "STEP_SUCCESS" and step not in self._check_steps:
            rows = ", ".join(self._rows.get(step, []))
            self._print(f"  ✓ {step} ({data.duration_ms / 1000:.1f}s){'  ' + rows if rows else ''}")
        elif kind == "STEP_FAILURE":
            message = data.error.message.strip().splitlines()[0] if data and data.error else "failed"
            self.step_errors.append(f"{step}: {message}")
            self._print(f"  ✗ {step}: {message}")
        elif kind == "STEP_SKIPPED":
            self._print(f"  - {step} skipped (an upstream step or blocking check failed)")

    def _print(self, line: str) -> None:
        print(line, file=self.stream, flush=True)


def progress_logger_def(handler: ProgressHandler) -> dg.LoggerDefinition:
    @dg.logger(description="Concise step-by-step progress for the presswork CLI.")
    def presswork_progress(_init_context) -> logging.Logger:
        log = logging.Logger("presswork.progress", level=logging.DEBUG)
        log.addHandler(handler)
        return log

    return presswork_progress
