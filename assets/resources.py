"""Things outside the code that assets talk to: the input folder and settings,
and the warehouse where each run stages its tables before committing them."""

from __future__ import annotations

import multiprocessing
import os
import pickle
from pathlib import Path

import dagster as dg
import pandas as pd

import schemas
from pipeline import nlp
from pipeline.failpoints import failpoint
from pipeline.ingest import DEFAULT_MAX_BYTES
from pipeline.shards import DEFAULT_SHARD_WORDS
from pipeline.staged import StagedTable
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
    shard_words: int = DEFAULT_SHARD_WORDS
    workers: int = 1  # processes parsing shards side by side: the shard count is a multiple of it
    rebuild: bool = False  # reprocess every article; carry nothing over from the previous version

    @classmethod
    def from_env(cls, **overrides) -> "PressworkSettings":
        """Settings from PRESSWORK_* variables: how `presswork run` hands its
        options to step processes, which rebuild the definitions themselves."""
        env = os.environ
        values = {
            "input_dir": env.get("PRESSWORK_INPUT", DEFAULT_INPUT),
            "warehouse_dir": env.get("PRESSWORK_WAREHOUSE", DEFAULT_WAREHOUSE),
            "max_bytes": int(env.get("PRESSWORK_MAX_BYTES", DEFAULT_MAX_BYTES)),
            "show_progress": env.get("PRESSWORK_PROGRESS", "") == "1",
            "shard_words": int(env.get("PRESSWORK_SHARD_WORDS", DEFAULT_SHARD_WORDS)),
            "workers": int(env.get("PRESSWORK_RUN_WORKERS", 1)),
            "rebuild": env.get("PRESSWORK_REBUILD", "") == "1",
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
    as_staged_table: bool = False  # load where the table is, not the table (see STAGED_TABLE_LOADER)

    def _warehouse(self) -> Warehouse:
        return Warehouse(self.warehouse_dir)

    def handle_output(self, context: dg.OutputContext, obj: pd.DataFrame | StagedTable) -> None:
        table = context.asset_key.path[-1]
        warehouse = self._warehouse()
        warehouse.claim_staging(context.run_id, owner_pid=_run_process_pid())
        if isinstance(obj, StagedTable):  # the step wrote it as it went (pipeline.staged.TableWriter)
            expected = warehouse.staged_path(context.run_id, table)
            if Path(obj.path) != expected:
                raise ValueError(f"{table} was written to {obj.path}, not to the run's staging folder ({expected})")
            failpoint(f"stage.{table}")
            return
        warehouse.stage_table(context.run_id, table, obj, schema=schemas.arrow_schema(table))

    def load_input(self, context: dg.InputContext) -> pd.DataFrame:
        table = context.upstream_output.asset_key.path[-1]
        if self.as_staged_table:
            return StagedTable(str(self._warehouse().staged_path(context.upstream_output.run_id, table)))
        return self._warehouse().read_staged(context.upstream_output.run_id, table)


# The input manager of steps that walk a staged table a batch of documents at
# a time (`AssetIn("entity_mentions", input_manager_key=STAGED_TABLE_LOADER)`
# gives a StagedTable): memory then holds one batch, however big the corpus.
STAGED_TABLE_LOADER = "staged_table_loader"


class ShardIOManager(dg.ConfigurableIOManager):
    """Small values passed between the NLP steps (a shard's doc ids, a part's
    name), pickled into the run's staging folder so that step processes can
    read them and the commit's clean-up removes them."""

    warehouse_dir: str = DEFAULT_WAREHOUSE

    def _path(self, context) -> Path:
        parts = [context.step_key, context.name] + ([context.mapping_key] if context.mapping_key else [])
        return Warehouse(self.warehouse_dir).staging_dir(context.run_id) / "steps" / ("-".join(parts) + ".pickle")

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        path = self._path(context)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(obj))

    def load_input(self, context: dg.InputContext):
        return pickle.loads(self._path(context.upstream_output).read_bytes())


OWNER_ENV = "PRESSWORK_RUN_OWNER_PID"


def _run_process_pid() -> int:
    """The process that lives for the whole run: the CLI says which (step
    processes may be forked from a server, not from the run); under `dagster
    dev` each step is a child of the run worker; in process, us."""
    if os.environ.get(OWNER_ENV, "").isdigit():
        return int(os.environ[OWNER_ENV])
    parent = multiprocessing.parent_process()
    return parent.pid if parent is not None else os.getpid()
