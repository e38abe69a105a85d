"""The versioned Parquet warehouse (layout in CONTRACT.md).

    WAREHOUSE/
      LATEST                         newest committed version id: the commit point
      catalog.duckdb                 views over LATEST, for DuckDB users
      <table>/version=<V>/*.parquet  immutable once committed
      _versions/<V>.json             manifest
      _staging/<run_id>/             tables of a run that has not committed yet

A run writes its tables to `_staging/<run_id>/`. `commit_version` then, under
an exclusive lock, moves each table into `<table>/version=<V>/` (a directory
rename, atomic), writes the manifest, and finally replaces LATEST (atomic
rename): that rename is the commit. A run killed before it leaves LATEST on the
previous version; the leftovers (version folders and manifests newer than
LATEST) are removed by `recover`, which every writer calls first.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from pipeline.failpoints import failpoint
from pipeline.files import fsync_dir, row_group_size, sha256_file, write_atomic, write_parquet

PARQUET_FILE = "part-0.parquet"
RUN_LOCK = ".run.lock"  # held by a `presswork run` for its whole length; says who holds it
CARRIED_TOKENS = "tokens-carried"  # staged by the NLP stage: doc_ids of the articles whose tokens are carried
NLP_PLAN = "nlp_plan.json"  # staged by the NLP stage: articles carried over / parsed, recorded in the manifest
class WarehouseBusyError(RuntimeError):
    """Another run holds the warehouse (and the caller chose not to wait)."""


class StaleBaseError(RuntimeError):
    """Another run committed a version after this run read its base version."""


def new_version_id(after: str | None = None) -> str:
    """UTC timestamps with microseconds sort in commit order; if the clock is
    behind the newest version (clock change, same microsecond), step past it."""
    now = dt.datetime.now(dt.timezone.utc)
    if after:
        newest = dt.datetime.strptime(after, "v%Y-%m-%dT%H-%M-%S.%fZ").replace(tzinfo=dt.timezone.utc)
        now = max(now, newest + dt.timedelta(microseconds=1))
    return now.strftime("v%Y-%m-%dT%H-%M-%S.%fZ")


class Warehouse:
    def __init__(self, root: Path | str):
        self.root = Path(root).absolute()

    # -- paths ---------------------------------------------------------------
    @property
    def latest_file(self) -> Path:
        return self.root / "LATEST"

    @property
    def catalog_file(self) -> Path:
        return self.root / "catalog.duckdb"

    @property
    def versions_dir(self) -> Path:
        return self.root / "_versions"

    def staging_dir(self, run_id: str) -> Path:
        return self.root / "_staging" / run_id

    def table_dir(self, table: str, version: str) -> Path:
        return self.root / table / f"version={version}"

    # -- reading ---------------------------------------------------------------
    def latest(self) -> str | None:
        try:
            return self.latest_file.read_text().strip() or None
        except FileNotFoundError:
            return None

    def manifest(self, version: str | None = None) -> dict:
        """`version`'s manifest (default: LATEST's); KeyError, with a one-line reason, if there is none."""
        version = version or self.latest()
        if version is None:
            raise KeyError(f"no committed version in {self.root} (run `presswork run` first)")
        path = self.versions_dir / f"{version}.json"
        if not path.exists():
            known = ", ".join(m["version"] for m in self.versions()) or "none"
            raise KeyError(f"no committed version {version!r} in {self.root} (known: {known})")
        return json.loads(path.read_text())

    def versions(self) -> list[dict]:
        """Committed versions' manifests, oldest first. A manifest newer than
        LATEST belongs to a run that died before committing: not a version."""
        latest = self.latest()
        if latest is None or not self.versions_dir.exists():
            return []
        names = sorted(p.stem for p in self.versions_dir.glob("v*.json"))
        return [json.loads((self.versions_dir / f"{n}.json").read_text()) for n in names if n <= latest]

    def table_files(self, table: str, version: str) -> list[Path]:
        return sorted(self.table_dir(table, version).glob("*.parquet"))

    def read_table(self, table: str, version: str | None = None, columns: list[str] | None = None) -> pd.DataFrame:
        version = version or self.latest()
        if version is None:
            raise FileNotFoundError(f"no committed version in {self.root}")
        return pq.read_table(self.table_files(table, version), columns=columns).to_pandas()

    def doc_ids(self, table: str, version: str) -> set[str]:
        return _doc_ids_in(self.table_files(table, version))

    def read_latest(self, table: str) -> pd.DataFrame | None:
        """The latest committed version's table, or None when there is no
        version yet or it predates the table."""
        return self.read_if_present(table, self.latest())

    def read_if_present(self, table: str, version: str | None) -> pd.DataFrame | None:
        """`version`'s table, or None when version is None or predates the table."""
        if version is None or table not in self.manifest(version).get("tables", {}):
            return None
        return self.read_table(table, version)

    # -- staging ---------------------------------------------------------------
    def staged_path(self, run_id: str, table: str) -> Path:
        return self.staging_dir(run_id) / f"{table}.parquet"

    def stage_table(
        self, run_id: str, table: str, df: pd.DataFrame, schema: pa.Schema | None = None
    ) -> Path:
        path = self.staged_path(run_id, table)
        write_parquet(df, path, schema=schema, sort_by="doc_id", row_group_size=row_group_size(table))
        failpoint(f"stage.{table}")
        return path

    def record_carried(self, run_id: str, table: str, n_articles: int) -> None:
        """How many articles' rows of `table` this run carried over (recorded in the manifest)."""
        (self.staging_dir(run_id) / f"carried-{table}.json").write_text(json.dumps(n_articles))

    def staged_doc_ids(self, run_id: str, table: str) -> set[str]:
        path = self.staged_path(run_id, table)
        return _doc_ids_in([path] if path.exists() else [])

    def read_staged(self, run_id: str, table: str, doc_ids: list[str] | None = None,
                    columns: list[str] | None = None) -> pd.DataFrame:
        path = self.staged_path(run_id, table)
        if doc_ids is not None:
            return _read_doc_rows([path], doc_ids)
        return pq.read_table(path, columns=columns).to_pandas()

    # -- writing -----------------------------------------------------------------
    @contextmanager
    def run_lock(self, wait: bool = True, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
        """One `presswork run` per warehouse for the whole run: a second run
        waits (or, with wait=False, refuses) rather than work from a version
        that the first is about to replace. The kernel drops the lock when its
        holder dies, so a killed run never blocks the next one."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / RUN_LOCK, "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.seek(0)
                holder = fh.read().strip() or "another process"
                if not wait:
                    raise WarehouseBusyError(f"another run ({holder}) is writing to {self.root}; "
                                             "try again when it has finished") from None
                if on_wait is not None:
                    on_wait(holder)
                fcntl.flock(fh, fcntl.LOCK_EX)
            fh.seek(0)
            fh.truncate()
            fh.write(f"pid {os.getpid()}, started {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M:%S} UTC")
            fh.flush()
            try:
                yield
            finally:
                fh.seek(0)
                fh.truncate()
                fh.flush()
                fcntl.flock(fh, fcntl.LOCK_UN)

    def base_version(self, run_id: str) -> str | None:
        """The version a run started from (LATEST when its NLP stage planned
        the work), or the current LATEST for a run that has not planned yet."""
        plan = self.staging_dir(run_id) / NLP_PLAN
        return json.loads(plan.read_text())["previous"] if plan.exists() else self.latest()

    @contextmanager
    def lock(self) -> Iterator[None]:
        """One writer at a time; a second commit waits for the first."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def recover(self, keep_run: str | None = None) -> list[str]:
        """Remove what interrupted runs left behind; call with the lock held.
        Returns what was removed, for the log."""
        latest = self.latest()
        removed: list[str] = []
        for manifest in sorted(self.versions_dir.glob("*.json")) if self.versions_dir.exists() else []:
            if latest is None or manifest.stem > latest:
                manifest.unlink()
                removed.append(str(manifest.relative_to(self.root)))
        committed = {m["version"] for m in self.versions()}
        for version_dir in self.root.glob("*/version=*"):
            if version_dir.name.removeprefix("version=") not in committed:
                shutil.rmtree(version_dir)
                removed.append(str(version_dir.relative_to(self.root)))
        for tmp in self.root.rglob(".*.tmp*"):
            if "_staging" not in tmp.parts:
                tmp.unlink()
                removed.append(str(tmp.relative_to(self.root)))
        for staging in (self.root / "_staging").glob("*") if (self.root / "_staging").exists() else []:
            if staging.name != keep_run and not _owner_alive(staging):
                shutil.rmtree(staging, ignore_errors=True)
                removed.append(str(staging.relative_to(self.root)))
        if latest is not None and self._catalog_version() != latest:
            self.write_catalog(latest)
            removed.append("catalog.duckdb (rebuilt for LATEST)")
        return removed

    def ensure_catalog(self) -> None:
        """Rebuild catalog.duckdb if it does not describe LATEST (a run killed
        between the two renames of a commit). Best effort: a read-only copy of
        a warehouse is left as it is."""
        latest = self.latest()
        if latest is None or self._catalog_version() == latest:
            return
        try:
            with self.lock():
                if self._catalog_version() != self.latest():
                    self.write_catalog(self.latest())
        except OSError:
            pass

    def claim_staging(self, run_id: str, owner_pid: int | None = None) -> Path:
        """Mark a staging folder with the process that lives as long as its run
        (the first claim wins), so that `recover` in another process leaves it
        alone until that process is gone."""
        staging = self.staging_dir(run_id)
        staging.mkdir(parents=True, exist_ok=True)
        owner = staging / "owner.pid"
        if not owner.exists():
            owner.write_text(str(owner_pid or os.getpid()))
        return staging

    def commit_version(self, run_id: str, tables: list[str], info: dict) -> dict:
        """Publish the staged tables of run_id as a new version; returns its manifest."""
        staging = self.staging_dir(run_id)
        missing = [t for t in tables if not (staging / f"{t}.parquet").exists()]
        if missing:
            raise FileNotFoundError(f"run {run_id} has no staged table(s): {', '.join(missing)}")
        with self.lock():
            self.recover(keep_run=run_id)
            base, latest = self.base_version(run_id), self.latest()
            if base != latest:
                # Carried-over tokens and entity ids were taken from `base`: committing
                # on top of a newer version would silently undo what that run did.
                raise StaleBaseError(f"another run committed {latest} while this run was working from "
                                     f"{base or 'an empty warehouse'}; nothing committed: run again "
                                     "(unchanged articles are carried over)")
            failpoint("commit.start")
            version = new_version_id(after=self._newest_version_name())
            entries = {}
            for table in tables:
                staged = staging / f"{table}.parquet"
                entries[table] = {
                    "rows": pq.ParquetFile(staged).metadata.num_rows,
                    "files": {PARQUET_FILE: sha256_file(staged)},
                }
                target = self.table_dir(table, version)
                target.parent.mkdir(parents=True, exist_ok=True)
                moving = staging / "commit" / table / f"version={version}"
                moving.mkdir(parents=True)
                os.replace(staged, moving / PARQUET_FILE)
                fsync_dir(moving)
                os.replace(moving, target)
                fsync_dir(target.parent)
                failpoint(f"commit.table.{table}")
            plan = staging / NLP_PLAN
            carried = {f.stem.removeprefix("carried-"): json.loads(f.read_text())
                        for f in sorted(staging.glob("carried-*.json"))}
            manifest = {
                "version": version,
                "created_at": dt.datetime.now(dt.timezone.utc).isoformat(),
                "run_id": run_id,
                **info,
                **({"nlp_work": json.loads(plan.read_text())} if plan.exists() else {}),
                **({"articles_carried_over": carried} if carried else {}),
                "tables": entries,
            }
            self.versions_dir.mkdir(exist_ok=True)
            write_atomic(self.versions_dir / f"{version}.json", json.dumps(manifest, indent=2).encode())
            failpoint("commit.manifest")
            write_atomic(self.latest_file, f"{version}\n".encode())
            failpoint("commit.latest")
            self.write_catalog(version)
            failpoint("commit.catalog")
            shutil.rmtree(staging, ignore_errors=True)
        return manifest

    def _newest_version_name(self) -> str | None:
        names = [p.name.removeprefix("version=") for p in self.root.glob("*/version=*")]
        names += [self.latest() or ""]
        return max(names) or None

    # -- catalog -----------------------------------------------------------------
    def write_catalog(self, version: str) -> None:
        """catalog.duckdb: one view per table of `version`, with absolute paths so
        it works from any working directory (rebuilt by `recover` if moved)."""
        import duckdb

        manifest = self.manifest(version)
        tmp = self.root / f".catalog.duckdb.tmp-{os.getpid()}"
        tmp.unlink(missing_ok=True)
        con = duckdb.connect(str(tmp))
        try:
            for statement in view_statements(self, manifest):
                con.execute(statement)
            con.execute("CREATE TABLE presswork_catalog AS SELECT ? AS version, ? AS warehouse",
                        [version, str(self.root)])
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, self.catalog_file)
        fsync_dir(self.root)

    def _catalog_version(self) -> str | None:
        import duckdb

        if not self.catalog_file.exists():
            return None
        try:
            con = duckdb.connect(str(self.catalog_file), read_only=True)
            try:
                version, root = con.execute("SELECT version, warehouse FROM presswork_catalog").fetchall()[0]
            finally:
                con.close()
        except duckdb.Error:
            return None
        return version if root == str(self.root) else None


def view_statements(warehouse: Warehouse, manifest: dict) -> list[str]:
    statements = []
    for table in manifest["tables"]:
        files = [str(p) for p in warehouse.table_files(table, manifest["version"])]
        listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        statements.append(f'CREATE OR REPLACE VIEW "{table}" AS SELECT * FROM read_parquet([{listing}])')
    return statements


def _doc_ids_in(files: list[Path]) -> set[str]:
    """A row group at a time: the tokens' doc_id column of 100,000 articles,
    read whole, is 60 million strings (1.4 GB more in the step that asked)."""
    found: set[str] = set()
    for path in files:
        file = pq.ParquetFile(path, pre_buffer=False)
        for group in range(file.num_row_groups):
            found.update(file.read_row_group(group, columns=["doc_id"]).column("doc_id").unique().to_pylist())
    return found


def _read_doc_rows(files: list[Path], doc_ids: list[str]) -> pd.DataFrame:
    """The rows of these documents. Files are sorted by doc_id, and the range
    of the ids lets the reader skip every row group outside it by its
    statistics, which `isin` alone does not (it decoded the whole file: 20,000
    articles' texts to parse a shard of 190)."""
    dataset = ds.dataset([str(f) for f in files], format="parquet")
    if not doc_ids:
        return dataset.schema.empty_table().to_pandas()
    doc_id = pc.field("doc_id")
    wanted = (doc_id >= min(doc_ids)) & (doc_id <= max(doc_ids)) & doc_id.isin(list(doc_ids))
    return dataset.to_table(filter=wanted).to_pandas()


def _owner_alive(staging: Path) -> bool:
    try:
        pid = int((staging / "owner.pid").read_text())
    except (OSError, ValueError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
