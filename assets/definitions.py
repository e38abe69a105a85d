"""The one Definitions object: what `dagster dev` (via workspace.yaml) and
`presswork run` both execute."""

from __future__ import annotations

import dagster as dg

from assets.checks import CHECKS
from assets.commit import dataset_version
from assets.entities import entities
from assets.events import events
from assets.ingest import ingest
from assets.nlp import tokens
from assets.quotes import quotes
from assets.release import release
from assets.resources import (STAGED_TABLE_LOADER, NlpModel, PressworkSettings, ShardIOManager,
                              StagingIOManager)
from assets.sentences import documents, sentences

ALL_ASSETS = [ingest, sentences, documents, tokens, entities, quotes, events, dataset_version, release]
RUN_JOB = "presswork_run"
PUBLISH_JOB = "presswork_publish"


def build_definitions(
    settings: PressworkSettings | None = None,
    loggers: dict[str, dg.LoggerDefinition] | None = None,
    nlp_model: NlpModel | None = None,
    executor: dg.ExecutorDefinition | None = None,
) -> dg.Definitions:
    """`loggers` only changes how a run reports itself (the CLI's progress lines);
    `executor` how steps are launched (default: in process, or Dagster's
    multiprocess executor, as the run config says)."""
    settings = settings or PressworkSettings.from_env()
    nlp_model = nlp_model or NlpModel.from_env()
    return dg.Definitions(
        loggers=loggers,
        executor=executor,
        assets=ALL_ASSETS,
        asset_checks=CHECKS,
        jobs=[
            dg.define_asset_job(
                RUN_JOB,
                selection=dg.AssetSelection.all() - dg.AssetSelection.assets("release"),
                description="Ingest -> sentences -> tokens -> entities -> quotes, events -> checks -> commit one dataset version.",
            ),
            dg.define_asset_job(
                PUBLISH_JOB,
                selection=dg.AssetSelection.assets("release"),
                description="Publish a committed version as a release folder (config: out, version, force).",
            ),
        ],
        resources={
            "settings": settings,
            "nlp_model": nlp_model,
            "staging_io_manager": StagingIOManager(warehouse_dir=settings.warehouse_dir),
            STAGED_TABLE_LOADER: StagingIOManager(warehouse_dir=settings.warehouse_dir, as_staged_table=True),
            "shard_io_manager": ShardIOManager(warehouse_dir=settings.warehouse_dir),
        },
    )


def run_job() -> dg.JobDefinition:
    """The run job rebuilt from PRESSWORK_* variables: what `presswork run`
    hands to Dagster's executor (dagster.reconstructable), so that every step
    process can rebuild it."""
    return build_definitions().resolve_job_def(RUN_JOB)


defs = build_definitions()
