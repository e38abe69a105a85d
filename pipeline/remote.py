"""Committed versions on object storage: any fsspec URL (s3://, gs://, az://,
memory://, file://), with the layout of the warehouse folder.

    <table>/version=<VERSION>/*.parquet   _versions/<VERSION>.json   LATEST

so DuckDB, pyarrow, Spark or pandas read a pushed version as they read the
folder. A run works in a folder (its steps read and write staged files by
path; its commit needs rename and flock, which object stores lack): with a URL
it works in a local copy, `pull_version` bringing the URL's latest version in
and `push_version` sending the new one out. A push writes in the order that
keeps readers safe, since an object store has no rename either: the Parquet
files, then the manifest, then LATEST, one small object written whole, which
is the remote commit point. A reader that starts from LATEST never sees a
version whose files are still on their way. Pushing again skips the files
already there (a push that was cut off resumes), and an older version never
moves LATEST back.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import fsspec
from fsspec.implementations.local import LocalFileSystem
import pyarrow.dataset as ds
from pyarrow.fs import FSSpecHandler, PyFileSystem

from pipeline.files import fsync_dir, sha256_file, write_atomic
from pipeline.warehouse import Warehouse

LATEST = "LATEST"
VERSIONS = "_versions"
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


class RemoteError(RuntimeError):
    pass


def is_url(location: str) -> bool:
    """A warehouse given as a URL (scheme://...) rather than a folder path."""
    return bool(_URL.match(str(location)))


def default_mirror(url: str) -> Path:
    """Where a run with a URL warehouse keeps its working copy (the XDG cache folder)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", url).strip("-")[:48]
    return cache / "presswork" / f"{slug}-{hashlib.sha256(url.encode()).hexdigest()[:8]}"


class RemoteWarehouse:
    """The committed versions at a URL, read-only (they are written by `push_version`)."""

    def __init__(self, url: str):
        self.url = str(url).rstrip("/")
        try:
            # no listings cached: a store another machine writes to is read as it is now
            self.fs, self.root = fsspec.core.url_to_fs(self.url, use_listings_cache=False, skip_instance_cache=True)
        except (ImportError, ValueError) as exc:  # e.g. s3:// without s3fs installed
            raise RemoteError(f"cannot open {self.url}: {exc}") from None
        self.root = self.root.rstrip("/")

    def path(self, *parts: str) -> str:
        """The object path of a file of this warehouse (for self.fs)."""
        return "/".join([self.root, *parts])

    def make_folder(self, path: str) -> None:
        """Folders exist only on a local disk; on an object store, makedirs would
        create a missing bucket, where a push should stop and say so."""
        if isinstance(self.fs, LocalFileSystem):
            self.fs.makedirs(path, exist_ok=True)

    def latest(self) -> str | None:
        try:
            return self.fs.cat_file(self.path(LATEST)).decode().strip() or None
        except FileNotFoundError:
            return None

    def manifest(self, version: str | None = None) -> dict:
        """`version`'s manifest (default: LATEST's); KeyError, with a one-line reason, if there is none."""
        version = version or self.latest()
        if version is None:
            raise KeyError(f"no committed version at {self.url} (`presswork run --warehouse URL` or "
                           "`presswork push URL` puts one there)")
        try:
            return json.loads(self.fs.cat_file(self.path(VERSIONS, f"{version}.json")))
        except FileNotFoundError:
            raise KeyError(f"no version {version!r} at {self.url}") from None

    def versions(self) -> list[dict]:
        """The pushed versions' manifests, oldest first. A manifest newer than
        LATEST belongs to a push still under way (or cut off): not a version yet."""
        latest = self.latest()
        try:
            names = sorted(p.rsplit("/", 1)[-1].removesuffix(".json")
                           for p in self.fs.ls(self.path(VERSIONS), detail=False) if p.endswith(".json"))
        except FileNotFoundError:
            return []
        return [self.manifest(name) for name in names if latest is not None and name <= latest]

    def table_dir(self, table: str, version: str) -> str:
        """Where a version's files of one table are, as Warehouse.table_dir in a folder."""
        return self.path(table, f"version={version}")

    def table_paths(self, table: str, version: str, manifest: dict | None = None) -> list[str]:
        files = (manifest or self.manifest(version))["tables"][table]["files"]
        return [f"{self.table_dir(table, version)}/{name}" for name in sorted(files)]

    def dataset(self, table: str, version: str, manifest: dict | None = None) -> ds.Dataset:
        """One table of a version as a pyarrow dataset, read through fsspec (lazily, row group by row group)."""
        return ds.dataset(self.table_paths(table, version, manifest), format="parquet",
                          filesystem=PyFileSystem(FSSpecHandler(self.fs)))


def push_version(warehouse: Warehouse, url: str, version: str | None = None,
                 expected_latest: str | None | bool = False) -> dict:
    """Copy one committed version (default: the latest) to `url`; returns what was done.
    Each file is checked against the manifest's SHA-256 before it leaves: a
    damaged local copy is refused, not published. With `expected_latest` (a
    version, or None for an empty URL), nothing is pushed unless the URL's
    LATEST is still that: a run pushes only on top of the version it pulled."""
    try:
        manifest = warehouse.manifest(version)
    except KeyError as exc:
        raise RemoteError(exc.args[0]) from None
    version = manifest["version"]
    remote = RemoteWarehouse(url)
    if expected_latest is not False and remote.latest() != expected_latest:
        raise RemoteError(f"{remote.url} moved to {remote.latest()} while this run worked from "
                          f"{expected_latest or 'an empty warehouse'}: {version} stays in {warehouse.root}, "
                          "not pushed; run again to build on the newer version")
    uploaded, skipped, sent_bytes = 0, 0, 0
    for table, entry in manifest["tables"].items():
        for name, checksum in sorted(entry["files"].items()):
            local = warehouse.table_dir(table, version) / name
            if not local.is_file() or sha256_file(local) != checksum:
                raise RemoteError(f"{local} is missing or differs from its checksum in the manifest: "
                                  "nothing more was pushed, and LATEST at the destination is unchanged")
            target = f"{remote.table_dir(table, version)}/{name}"
            size = local.stat().st_size
            if remote.fs.exists(target) and remote.fs.size(target) == size:
                skipped += 1
                continue
            remote.make_folder(remote.table_dir(table, version))
            remote.fs.put_file(str(local), target)
            uploaded, sent_bytes = uploaded + 1, sent_bytes + size
    remote.make_folder(remote.path(VERSIONS))
    remote.fs.pipe_file(remote.path(VERSIONS, f"{version}.json"), json.dumps(manifest, indent=2).encode())
    before = remote.latest()
    moved = before is None or before < version  # version names sort by creation time
    if moved:
        remote.fs.pipe_file(remote.path(LATEST), f"{version}\n".encode())
    return {"version": version, "url": remote.url, "uploaded": uploaded, "skipped": skipped,
            "bytes": sent_bytes, "latest": version if moved else before}


def pull_version(url: str, warehouse: Warehouse) -> str | None:
    """Make the URL's LATEST a committed version of the local `warehouse` (a
    run's working copy), unless it is there already; returns that version, or
    None when the URL holds none. Files arrive in the order of a local commit:
    into staging, each checked against the manifest's SHA-256, moved into
    place; then the manifest; then LATEST, if the version is newer than the
    local one. An interrupted pull leaves what `Warehouse.recover` removes."""
    remote = RemoteWarehouse(url)
    version = remote.latest()
    if version is None:
        return None
    manifest = remote.manifest(version)
    with warehouse.lock():
        warehouse.recover()
        if version in {m["version"] for m in warehouse.versions()}:
            return version
        staging = warehouse.staging_dir(f"pull-{version}")
        shutil.rmtree(staging, ignore_errors=True)
        for table, entry in manifest["tables"].items():
            moving = staging / table / f"version={version}"
            moving.mkdir(parents=True)
            for name, checksum in sorted(entry["files"].items()):
                remote.fs.get_file(f"{remote.table_dir(table, version)}/{name}", str(moving / name))
                if sha256_file(moving / name) != checksum:
                    raise RemoteError(f"{remote.url}: {table}/{name} of {version} differs from its checksum "
                                      "in the manifest; nothing pulled")
            fsync_dir(moving)
            target = warehouse.table_dir(table, version)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(moving, target)
        warehouse.versions_dir.mkdir(exist_ok=True)
        write_atomic(warehouse.versions_dir / f"{version}.json", json.dumps(manifest, indent=2).encode())
        local_latest = warehouse.latest()
        if local_latest is None or local_latest < version:
            write_atomic(warehouse.latest_file, f"{version}\n".encode())
            warehouse.write_catalog(version)
        shutil.rmtree(staging, ignore_errors=True)
    return version
