"""Last stage: commit the checked tables as one immutable dataset version."""

import dagster as dg

import schemas
from assets.resources import NlpModel, PressworkSettings
from pipeline.provenance import inputs_fingerprint, run_info
from pipeline.shards import nlp_fingerprint


@dg.asset(
    group_name="warehouse",
    deps=list(schemas.TABLES),
    description="Commits every table (documents, sentences, tokens, entities, quotes, rejected...) as a new version "
    "(LATEST, catalog.duckdb), only after every blocking check on them passed.",
)
def dataset_version(
    context: dg.AssetExecutionContext, settings: PressworkSettings, nlp_model: NlpModel
) -> dg.MaterializeResult:
    warehouse = settings.warehouse
    documents = warehouse.read_staged(context.run.run_id, "documents", columns=["source_file", "content_sha256"])
    rejected = warehouse.read_staged(context.run.run_id, "rejected")
    model = nlp_model.info()
    info = run_info(
        model={**model, "nlp_fingerprint": nlp_fingerprint(model)},
        input_dir=settings.input_dir,
        inputs_fingerprint=inputs_fingerprint(documents, rejected),
    )
    manifest = warehouse.commit_version(context.run.run_id, list(schemas.TABLES), info)
    rows = {table: entry["rows"] for table, entry in manifest["tables"].items()}
    context.log.info(f"committed version {manifest['version']}: {rows}")
    return dg.MaterializeResult(
        metadata={
            "version": manifest["version"],
            "warehouse": str(warehouse.root),
            **{f"rows/{table}": dg.MetadataValue.int(n) for table, n in rows.items()},
        }
    )
