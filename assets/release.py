"""Publishing: a self-contained release of a committed version (its own job)."""

from pathlib import Path

import dagster as dg

from assets.resources import PressworkSettings
from pipeline.release import publish


class ReleaseConfig(dg.Config):
    out: str
    version: str = ""  # empty: the latest version
    force: bool = False


@dg.asset(
    group_name="release", deps=["dataset_version"],
    description="Writes a release folder: Parquet tables, dataset card, croissant.json and datapackage.json "
    "(validated), CHANGES.md against the previous release, SHA256SUMS. Run by the presswork_publish job.",
)
def release(context: dg.AssetExecutionContext, config: ReleaseConfig, settings: PressworkSettings) -> dg.MaterializeResult:
    summary = publish(settings.warehouse, Path(config.out), version=config.version or None, force=config.force)
    context.log.info(f"published {summary['version']} to {summary['out']}")
    return dg.MaterializeResult(metadata={
        "version": summary["version"], "out": summary["out"], "previous_release": summary["previous"] or "none",
        **{f"rows/{t}": dg.MetadataValue.int(n) for t, n in summary["tables"].items()},
    })
