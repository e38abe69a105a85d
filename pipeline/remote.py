"""Committed versions on object storage: any fsspec URL (s3://, gs://, az://,
memory://, file://), with the layout of the warehouse folder.

    <table>/version=<VERSION>/*.parquet   _versions/<VERSION>.json   LATEST

so DuckDB, pyarrow, Spark or pandas read a pushed version as they read the
folder. Runs still write to a folder (local, or a volume shared by every step):
their commit needs rename and flock, which object stores lack. `push_version`
copies a committed version out in the order that keeps readers safe, since an
object store has no rename either: the Parquet files, then the manifest, then
LATEST, one small object written whole, which is the remote commit point. A
reader that starts from LATEST never sees a version whose files are still on
their way. Pushing again skips the files already there (a push that was cut
off resumes), and an older version never moves LATEST back.
"""

from __future__ import annotations

import json
import re

import fsspec
from fsspec.implementations.local import LocalFileSystem
import pyarrow.dataset as ds
from pyarrow.fs import FSSpecHandler, PyFileSystem

from pipeline.files import sha256_file
from pipeline.warehouse import Warehouse

LATEST = "LATEST"
VERSIONS = "_versions"
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


class RemoteError(RuntimeError):
    pass


def is_url(location: str) -> bool:
    """A warehouse given as a URL (scheme://...) rather than a folder path."""
    return bool(_URL.match(str(location)))


class RemoteWarehouse:
    """The committed versions at a URL, read-only (they are written by `push_version`)."""

    def __init__(self, url: str):
        self.url = str(url).rstrip("/")
        try:
            self.fs, self.root = fsspec.core.url_to_fs(self.url)
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

    def manifest(self, version: str) -> dict:
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

    def table_paths(self, table: str, version: str, manifest: dict | None = None) -> list[str]:
        files = (manifest or self.manifest(version))["tables"][table]["files"]
        return [self.path(table, f"version={version}", name) for name in sorted(files)]

    def dataset(self, table: str, version: str, manifest: dict | None = None) -> ds.Dataset:
        """One table of a version as a pyarrow dataset, read through fsspec (lazily, row group by row group)."""
        return ds.dataset(self.table_paths(table, version, manifest), format="parquet",
                          filesystem=PyFileSystem(FSSpecHandler(self.fs)))


def push_version(warehouse: Warehouse, url: str, version: str | None = None) -> dict:
    """Copy one committed version (default: the latest) to `url`; returns what was done.
    Each file is checked against the manifest's SHA-256 before it leaves: a
    damaged local copy is refused, not published."""
    version = version or warehouse.latest()
    if version is None:
        raise RemoteError(f"no committed version in {warehouse.root} (run `presswork run` first)")
    try:
        manifest = warehouse.manifest(version)
    except KeyError as exc:
        raise RemoteError(exc.args[0]) from None
    remote = RemoteWarehouse(url)
    uploaded, skipped, sent_bytes = 0, 0, 0
    for table, entry in manifest["tables"].items():
        for name, checksum in sorted(entry["files"].items()):
            local = warehouse.table_dir(table, version) / name
            if not local.is_file() or sha256_file(local) != checksum:
                raise RemoteError(f"{local} is missing or differs from its checksum in the manifest: "
                                  "nothing more was pushed, and LATEST at the destination is unchanged")
            target = remote.path(table, f"version={version}", name)
            size = local.stat().st_size
            if remote.fs.exists(target) and remote.fs.size(target) == size:
                skipped += 1
                continue
            remote.make_folder(target.rsplit("/", 1)[0])
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
