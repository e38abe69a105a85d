"""Things outside the code that assets talk to: the input folder and settings,
and the warehouse where each run stages its tables before committing them."""

from __future__ import annotations

import multiprocessing
import os

import dagster as dg
import pandas as pd

import schemas
from pipeline import nlp
from pipeline.ingest import DEFAULT_MAX_BYTES
from pipeline.warehouse import Warehouse

DEFAULT_INPUT = "seeds"
DEFAULT_WAREHOUSE = "warehouse"


class PressworkSettings(dg.ConfigurableResource):
    """Where articles come from and where versions go (env: PRESSWORK_INPUT,
    PRESSWORK_WAREHOUSE)."""

    input_dir: str = DEFAULT_INPUT
    warehouse_dir: str = DEFAULT_WAREHOUSE
    max_bytes: int = DEFAULT_MAX_BYTES
    show_progress: bool = False

    @classmethod
    def from_env(cls, **overrides) -> "PressworkSettings":
        values = {
            "input_dir": os.environ.get("PRESSWORK_INPUT", DEFAULT_INPUT),
            "warehouse_dir": os.environ.get("PRESSWORK_WAREHOUSE", DEFAULT_WAREHOUSE),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def warehouse(self) -> Warehouse:
        return Warehouse(self.warehouse_dir)


class NlpModel(dg.ConfigurableResource):
    """The spaCy pipeline: the shipped model by default, or any installed
    package or path (env: PRESSWORK_NLP_MODEL). Loaded once per process."""

    model: str = ""

    @classmethod
    def from_env(cls, model: str | None = None) -> "NlpModel":
        return cls(model=model or os.environ.get(nlp.MODEL_ENV, ""))

    def load(self):
        return nlp.load_pipeline(self.model or None)

    def info(self) -> dict:
        return nlp.model_info(self.model or None)


class StagingIOManager(dg.ConfigurableIOManager):
    """Keeps each run's tables as Parquet in WAREHOUSE/_staging/<run_id>/ so the
    commit step can move them into place without rewriting them, and so steps
    in other processes can read them."""

    warehouse_dir: str = DEFAULT_WAREHOUSE

    def _warehouse(self) -> Warehouse:
        return Warehouse(self.warehouse_dir)

    def handle_output(self, context: dg.OutputContext, obj: pd.DataFrame) -> None:
        table = context.asset_key.path[-1]
        warehouse = self._warehouse()
        warehouse.claim_staging(context.run_id, owner_pid=_run_process_pid())
        warehouse.stage_table(context.run_id, table, obj, schema=schemas.arrow_schema(table))

    def load_input(self, context: dg.InputContext) -> pd.DataFrame:
        table = context.upstream_output.asset_key.path[-1]
        return self._warehouse().read_staged(context.upstream_output.run_id, table)


def _run_process_pid() -> int:
    """The process that lives for the whole run: under the multiprocess
    executor each step is a child spawned by the run worker; in process, us."""
    parent = multiprocessing.parent_process()
    return parent.pid if parent is not None else os.getpid()
