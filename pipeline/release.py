"""`presswork publish`: a self-contained release of one version.

    OUT/
      README.md          dataset card: Hugging Face YAML header (one config per table) + description
      croissant.json     MLCommons Croissant metadata, validated with mlcroissant
      datapackage.json   Frictionless data package, validated with frictionless
      CHANGES.md         rows added / removed / changed per table against the previous release
      data/<table>/part-0.parquet
      SHA256SUMS         every file above, written last

Column descriptions come from the pandera models (schemas/), the single
place they are written.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pyarrow.parquet as pq

import schemas
from pipeline.diff import changes_markdown, diff_versions
from pipeline.files import sha256_file
from pipeline.warehouse import Warehouse

RELEASES_FILE = "_releases.json"  # in the warehouse: which versions were published, in order
LICENSE = "other"  # the articles' own licences apply; the card says so
PRETTY_NAME = "Presswork news dataset"
SCALAR_ARROW = {"string": "TEXT", "large_string": "TEXT", "int64": "INTEGER", "double": "FLOAT", "bool": "BOOL"}
FRICTIONLESS_TYPES = {"string": "string", "large_string": "string", "int64": "integer", "double": "number",
                      "bool": "boolean"}


class PublishError(ValueError):
    pass


def publish(warehouse: Warehouse, out: Path, version: str | None = None, force: bool = False) -> dict:
    """Write the release of `version` (default LATEST) into `out`; returns a summary."""
    try:
        manifest = warehouse.manifest(version)
    except KeyError as exc:
        raise PublishError(exc.args[0]) from None
    version = manifest["version"]
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not force:
        raise PublishError(f"{out} is not empty (use --force to overwrite a previous release there)")
    if out.exists() and force:
        _clear_previous_release(out)
    out.mkdir(parents=True, exist_ok=True)
    tables = _copy_tables(warehouse, version, manifest, out)
    previous = _previous_release(warehouse, version)
    (out / "CHANGES.md").write_text(changes_markdown(diff_versions(warehouse, previous, version), previous, version))
    (out / "datapackage.json").write_text(json.dumps(datapackage(tables, version), indent=1) + "\n")
    (out / "croissant.json").write_text(json.dumps(croissant(tables, manifest), indent=1) + "\n")
    (out / "README.md").write_text(dataset_card(tables, manifest, previous, out))
    validate_release(out)
    _write_checksums(out)
    _record_release(warehouse, version, out)
    return {"version": version, "out": str(out), "previous": previous,
            "tables": {name: t["rows"] for name, t in tables.items()}}


def _copy_tables(warehouse: Warehouse, version: str, manifest: dict, out: Path) -> dict:
    tables = {}
    for name in manifest["tables"]:
        files = warehouse.table_files(name, version)
        target_dir = out / "data" / name
        target_dir.mkdir(parents=True, exist_ok=True)
        paths, digests = [], []
        for n, source in enumerate(files):
            target = target_dir / f"part-{n}.parquet"
            shutil.copyfile(source, target)
            paths.append(target.relative_to(out).as_posix())
            digests.append(manifest["tables"][name]["files"][source.name])  # hashed at commit; copied byte for byte
        tables[name] = {"paths": paths, "rows": manifest["tables"][name]["rows"],
                        "schema": pq.read_schema(out / paths[0]) if paths else None, "sha256": digests}
    return tables


def column_descriptions(table: str) -> dict[str, str]:
    model = schemas.TABLES.get(table)
    if model is None:
        return {}
    return {name: column.description or "" for name, column in model.to_schema().columns.items()}


def datapackage(tables: dict, version: str) -> dict:
    resources = []
    for name, table in tables.items():
        descriptions = column_descriptions(name)
        fields = [{"name": f.name, "type": FRICTIONLESS_TYPES.get(str(f.type), "any"),
                   "description": descriptions.get(f.name, "")} for f in table["schema"]]
        for path, digest in zip(table["paths"], table["sha256"]):
            resources.append({"name": name if len(table["paths"]) == 1 else f"{name}-{Path(path).stem}",
                              "path": path, "format": "parquet", "mediatype": "application/vnd.apache.parquet",
                              "hash": f"sha256:{digest}", "schema": {"fields": fields}})
    return {"name": "presswork-news", "title": PRETTY_NAME, "version": version, "resources": resources}


def croissant(tables: dict, manifest: dict) -> dict:
    import mlcroissant as mlc

    distribution, record_sets = [], []
    for name, table in tables.items():
        descriptions = column_descriptions(name)
        file_ids = []
        for path, digest in zip(table["paths"], table["sha256"]):
            file_id = path.replace("/", "-")
            file_ids.append(file_id)
            distribution.append(mlc.FileObject(id=file_id, name=file_id, content_url=path,
                                               encoding_formats=["application/x-parquet"], sha256=digest))
        fields = []
        for f in table["schema"]:
            data_type = getattr(mlc.DataType, SCALAR_ARROW.get(str(f.type), ""), None)
            if data_type is None:
                continue  # lists and structs: in the Parquet files, described in the card
            fields.append(mlc.Field(id=f"{name}/{f.name}", name=f.name, description=descriptions.get(f.name, ""),
                                    data_types=[data_type],
                                    source=mlc.Source(file_object=file_ids[0], extract=mlc.Extract(column=f.name))))
        record_sets.append(mlc.RecordSet(id=name, name=name, description=_table_description(name), fields=fields))
    metadata = mlc.Metadata(
        name="presswork-news", description=_summary(manifest), url="https://example.invalid/presswork",
        version=_semver(manifest), license=["https://creativecommons.org/licenses/by/4.0/"],
        cite_as=_citation(manifest), distribution=distribution, record_sets=record_sets,
        date_published=datetime.fromisoformat(manifest["created_at"]))
    return metadata.to_json()


def validate_release(out: Path) -> None:
    """Both validators on the written files; raises PublishError with their messages."""
    import frictionless
    import mlcroissant as mlc

    report = frictionless.validate(out / "datapackage.json")
    if not report.valid:
        errors = report.flatten(["resourceName", "type", "note"])[:5]
        raise PublishError(f"datapackage.json does not validate: {errors}")
    try:
        mlc.Dataset(jsonld=out / "croissant.json")
    except mlc.ValidationError as exc:
        raise PublishError(f"croissant.json does not validate: {exc}") from None


SOURCES_SHOWN = 50


def _sources_markdown(out: Path, tables: dict) -> str:
    """The first source files and their hashes, read back from the release's own documents table."""
    if "documents" not in tables or not tables["documents"]["paths"]:
        return ""
    documents = pq.read_table(out / tables["documents"]["paths"][0], columns=["source_file", "content_sha256"])
    rows = sorted(zip(documents["source_file"].to_pylist(), documents["content_sha256"].to_pylist()))
    shown = "\n".join(f"| `{source}` | `{digest}` |" for source, digest in rows[:SOURCES_SHOWN])
    more = f"\n\n... and {len(rows) - SOURCES_SHOWN:,} more in `documents`." if len(rows) > SOURCES_SHOWN else ""
    return f"| source file | SHA-256 of its text |\n| --- | --- |\n{shown}{more}"


def dataset_card(tables: dict, manifest: dict, previous: str | None, out_dir: Path) -> str:
    configs = "\n".join(
        f"- config_name: {name}\n  data_files:\n" + "\n".join(f"  - split: train\n    path: {p}"
                                                             for p in table["paths"])
        for name, table in tables.items())
    header = (f"---\npretty_name: {PRETTY_NAME}\nlanguage:\n- en\nlicense: {LICENSE}\n"
              f"license_name: source-articles\ntags:\n- news\n- quotes\n- entities\n- events\nconfigs:\n{configs}\n---\n")
    model = manifest.get("model", {}).get("nlp", {})
    code = manifest.get("code_version", {})
    counts = "\n".join(f"| {name} | {table['rows']:,} | {_table_description(name)} |" for name, table in tables.items())
    schemas_md = "\n\n".join(_schema_markdown(name, table) for name, table in tables.items())
    return header + f"""
# {PRETTY_NAME} — version {manifest['version']}

{_summary(manifest)}

| table | rows | what a row is |
| --- | ---: | --- |
{counts}

## How it was made

Made by Presswork (code {code.get('package', '?')}, git {code.get('git_commit') or 'unknown'}, source fingerprint
{code.get('source_fingerprint', '?')}) on {manifest['created_at']}. Stages: ingest (decoding, page-clutter removal,
content-hash ids) → sentences (rule-based segmenter) → tokens ({model.get('name', '?')} {model.get('version', '')},
a spaCy pipeline trained by the project; see its model card) → entity mentions, in-document resolution and
cross-document entities → quotes with speakers → CAMEO-coded events. Every table passed its schema and the
cross-table checks (offsets inside the document, `text == documents.text[start:end]`, foreign keys) before this
version was committed. Previous release: {previous or 'none (first release)'}; see CHANGES.md.

## Provenance

Input folder: `{manifest.get('input_dir', '?')}`; inputs fingerprint `{manifest.get('inputs_fingerprint', '?')}`.
Every source file and the SHA-256 of its normalised text are in `documents` (`source_file`, `content_sha256`);
inputs that could not be processed are in `rejected` with the reason.

{_sources_markdown(out_dir, tables)}

## Tables

{schemas_md}

## Known limitations

Entity types come from a compact NER model (CoNLL-2003 F1 about 0.83 through the pipeline); quote speakers are
right about 88 % of the time on PolNeAR; events are a first version ((CAMEO root, agent) F1 about 0.59 on a
hand-annotated set), and `hypothetical` / `negated` flags are rule-based. See the project README for measured
figures and known errors.

## Licence

The tables quote and index the source articles; their text remains under the articles' own terms. The
annotations (ids, offsets, entities, quotes, events) are released under CC BY 4.0.

## How to cite

{_citation(manifest)}
"""


def _schema_markdown(name: str, table: dict) -> str:
    descriptions = column_descriptions(name)
    rows = "\n".join(f"| `{f.name}` | {f.type} | {descriptions.get(f.name, '')} |" for f in table["schema"])
    return f"### {name}\n\n| column | type | description |\n| --- | --- | --- |\n{rows}"


def _table_description(name: str) -> str:
    model = schemas.TABLES.get(name)
    doc = (model.__doc__ or "").strip().splitlines()[0] if model is not None and model.__doc__ else ""
    return doc or name


def _summary(manifest: dict) -> str:
    rows = {t: e["rows"] for t, e in manifest["tables"].items()}
    return (f"News articles turned into tables: {rows.get('documents', 0):,} documents with their sentences, tokens, "
            f"named entities (one id per real-world entity across articles), quotes with speakers and CAMEO-coded "
            f"events. Every row points at exact character offsets in its article.")


def _citation(manifest: dict) -> str:
    year = manifest["created_at"][:4]
    return f"Presswork news dataset, version {manifest['version']} ({year})."


def _semver(manifest: dict) -> str:
    stamp = manifest["created_at"][:10].replace("-", ".")
    return ".".join(str(int(x)) for x in stamp.split("."))


RELEASE_FILES = ("CHANGES.md", "datapackage.json", "croissant.json", "README.md", "SHA256SUMS")


def _clear_previous_release(out: Path) -> None:
    """Remove what a previous release wrote, never following a symlink: a
    `README.md` or `data` that links elsewhere is unlinked, not written through."""
    for path in [out / "data", *(out / name for name in RELEASE_FILES)]:
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.is_dir():
            shutil.rmtree(path)


def _write_checksums(out: Path) -> None:
    """SHA256SUMS of the release's own files (not whatever else the user keeps in --out)."""
    owned = [out / name for name in RELEASE_FILES if name != "SHA256SUMS"] + list((out / "data").rglob("*"))
    files = sorted(p for p in owned if p.is_file() and not p.is_symlink())
    lines = [f"{sha256_file(p)}  {p.relative_to(out).as_posix()}" for p in files]
    (out / "SHA256SUMS").write_text("\n".join(lines) + "\n")


def _previous_release(warehouse: Warehouse, version: str) -> str | None:
    earlier = [r["version"] for r in _releases(warehouse) if r["version"] < version]
    return max(earlier) if earlier else None


def _releases(warehouse: Warehouse) -> list[dict]:
    path = warehouse.root / RELEASES_FILE
    return json.loads(path.read_text()) if path.exists() else []


def _record_release(warehouse: Warehouse, version: str, out: Path) -> None:
    releases = [r for r in _releases(warehouse) if r["version"] != version]
    releases.append({"version": version, "out": str(out.resolve()),
                     "published_at": datetime.now(timezone.utc).isoformat()})
    path = warehouse.root / RELEASES_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(sorted(releases, key=lambda r: r["version"]), indent=1) + "\n")
    tmp.replace(path)
