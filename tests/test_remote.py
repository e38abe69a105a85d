"""Committed versions pushed to object storage (pipeline.remote): the same
layout, the same answers to the same queries, and a LATEST that readers can trust."""

from __future__ import annotations

import logging
import shutil
import uuid

import fsspec
import pytest

from conftest import SEEDS, run_cli
from pipeline.query import run_query
from pipeline.remote import RemoteError, RemoteWarehouse, push_version
from pipeline.warehouse import Warehouse

NEW_ARTICLE = """Council leader quits over housing row

The leader of Greenford council, Anna Brook, resigned on Tuesday after a row over a housing plan.
"I have done what I believe is right for this town," Ms Brook said in a statement.
"""

QUERIES = [
    "select count(*), sum(n_sentences) from documents",
    "select speaker, count(*) n from quotes where speaker is not null group by 1 order by 2 desc, 1 limit 5",
    "select e.name, count(*) n from entity_mentions m join entities e using (entity_id) group by 1 order by 2 desc, 1 "
    "limit 5",
    "select event_type, count(*) from events group by 1 order by 2 desc, 1",
]


def _memory_url() -> str:
    return f"memory://presswork-test-{uuid.uuid4().hex}"


def test_a_pushed_version_answers_queries_as_the_folder_does(seeds_warehouse):
    local = Warehouse(seeds_warehouse)
    url = _memory_url()
    done = push_version(local, url)
    version = local.latest()
    assert done["version"] == version and done["latest"] == version and done["skipped"] == 0
    remote = RemoteWarehouse(url)
    assert remote.latest() == version
    assert [m["version"] for m in remote.versions()] == [version]
    assert remote.manifest(version) == local.manifest(version)
    fs = fsspec.filesystem("memory")
    for table, entry in local.manifest(version)["tables"].items():
        for name in entry["files"]:  # the folder's layout, file for file
            assert fs.size(f"{url}/{table}/version={version}/{name}") == (local.table_dir(table, version) / name).stat().st_size
    for sql in QUERIES:
        assert run_query(remote, sql) == run_query(local, sql), sql


def test_pushing_again_uploads_nothing_and_an_older_version_leaves_latest(seeds_warehouse):
    local = Warehouse(seeds_warehouse)
    url = _memory_url()
    first = push_version(local, url)
    again = push_version(local, url)
    assert first["uploaded"] > 0 and again["uploaded"] == 0 and again["skipped"] == first["uploaded"]
    # another machine has since pushed a newer version: pushing this one must not move LATEST back
    fsspec.filesystem("memory").pipe_file(f"{url}/LATEST", b"v9999-01-01T00-00-00.000000Z\n")
    older = push_version(local, url)
    assert older["latest"] == "v9999-01-01T00-00-00.000000Z"
    assert RemoteWarehouse(url).latest() == "v9999-01-01T00-00-00.000000Z"


def test_a_version_newer_than_latest_is_a_push_under_way_not_a_version(seeds_warehouse):
    local = Warehouse(seeds_warehouse)
    url = _memory_url()
    push_version(local, url)
    # what a push cut off between the manifest and LATEST leaves behind: the previous LATEST
    fsspec.filesystem("memory").pipe_file(f"{url}/LATEST", b"v0000-01-01T00-00-00.000000Z\n")
    assert RemoteWarehouse(url).versions() == []


def test_a_damaged_local_file_is_refused_and_latest_is_not_written(seeds_warehouse, tmp_path):
    copy = tmp_path / "warehouse"
    shutil.copytree(seeds_warehouse, copy)
    local = Warehouse(copy)
    damaged = local.table_files("quotes", local.latest())[0]
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    url = _memory_url()
    with pytest.raises(RemoteError, match="differs from its checksum"):
        push_version(local, url)
    assert RemoteWarehouse(url).latest() is None


def test_cli_push_then_query_and_versions_read_the_url(seeds_warehouse, tmp_path):
    url = (tmp_path / "bucket" / "presswork").as_uri()
    pushed = run_cli("push", url, "--warehouse", str(seeds_warehouse))
    assert "files uploaded" in pushed.stdout and "LATEST" in pushed.stdout
    sql = QUERIES[1]
    there = run_cli("query", sql, "--warehouse", url, "--format", "csv").stdout
    here = run_cli("query", sql, "--warehouse", str(seeds_warehouse), "--format", "csv").stdout
    assert there == here and there.count("\n") > 2
    assert "(LATEST)" in run_cli("versions", "--warehouse", url).stdout
    refused = run_cli("query", "copy quotes to 'x.csv'", "--warehouse", url, check=False)
    assert refused.returncode != 0 and "read-only" in refused.stderr


def test_cli_commands_that_write_in_place_refuse_a_url(tmp_path):
    for args in (["publish", "--out", str(tmp_path / "out"), "--warehouse", "s3://bucket/presswork"],
                 ["diff", "v1", "--warehouse", "memory://x"]):
        result = run_cli(*args, cwd=tmp_path, check=False)
        assert result.returncode == 2 and "needs a warehouse folder, not a URL" in result.stderr
        assert list(tmp_path.iterdir()) == []  # no folder named "s3:" made on the way


def test_a_push_on_top_of_a_version_the_url_has_moved_past_is_refused(seeds_warehouse):
    local = Warehouse(seeds_warehouse)
    url = _memory_url()
    push_version(local, url, expected_latest=None)  # an empty URL, as expected
    with pytest.raises(RemoteError, match="moved to"):
        push_version(local, url, expected_latest="v0000-01-01T00-00-00.000000Z")


@pytest.fixture
def s3_server(monkeypatch):
    """A local S3 endpoint (moto's server): the real protocol, on loopback."""
    moto_server = pytest.importorskip("moto.server", reason="moto is a test dependency (pip install -e '.[test]')")
    pytest.importorskip("s3fs", reason="s3fs is a test dependency (pip install -e '.[test]')")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                        "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": f"http://{host}:{port}"}.items():
        monkeypatch.setenv(name, value)
    fsspec.filesystem("s3").clear_instance_cache()
    bucket = f"presswork-test-{uuid.uuid4().hex[:12]}"  # moto's buckets outlive a server in this process
    fsspec.filesystem("s3", skip_instance_cache=True).mkdir(bucket)
    yield f"s3://{bucket}/warehouse"
    server.stop()


def test_push_to_s3_and_query_it_there(seeds_warehouse, s3_server):
    local = Warehouse(seeds_warehouse)
    done = push_version(local, s3_server)
    assert done["uploaded"] == sum(len(e["files"]) for e in local.manifest(local.latest())["tables"].values())
    remote = RemoteWarehouse(s3_server)
    assert remote.latest() == local.latest()
    for sql in QUERIES:
        assert run_query(remote, sql) == run_query(local, sql), sql
    assert push_version(local, s3_server)["uploaded"] == 0


def test_cli_over_s3_and_a_store_that_refuses_in_one_line(seeds_warehouse, s3_server):
    pushed = run_cli("push", s3_server, "--warehouse", str(seeds_warehouse))  # the server's address: AWS_ENDPOINT_URL
    assert "files uploaded" in pushed.stdout
    sql = QUERIES[0]
    assert run_cli("query", sql, "--warehouse", s3_server, "--format", "csv").stdout == \
        run_cli("query", sql, "--warehouse", str(seeds_warehouse), "--format", "csv").stdout
    refused = run_cli("push", "s3://no-such-bucket/presswork", "--warehouse", str(seeds_warehouse), check=False)
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert "push to s3://no-such-bucket/presswork failed" in refused.stderr


def test_runs_on_two_machines_share_one_warehouse_on_s3(s3_server, tmp_path):
    """`presswork run --warehouse s3://...`: each run pulls the URL's latest
    version into its working copy, builds on it incrementally, and pushes."""
    first, second = tmp_path / "machine-a", tmp_path / "machine-b"
    run_cli("run", "--input", str(SEEDS), "--warehouse", s3_server, "--mirror", str(first))
    remote = RemoteWarehouse(s3_server)
    v1 = remote.latest()
    assert v1 == Warehouse(first).latest()
    grown = tmp_path / "input"
    shutil.copytree(SEEDS, grown)
    (grown / "zz_new.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    result = run_cli("run", "--input", str(grown), "--warehouse", s3_server, "--mirror", str(second))
    assert f"at {v1}" in result.stderr and "pushed" in result.stdout
    v2 = remote.latest()
    assert v2 > v1 and [m["version"] for m in remote.versions()] == [v1, v2]
    work = remote.manifest(v2)["nlp_work"]
    assert (work["carried"], work["parsed"], work["previous"]) == (5, 1, v1)  # built on the pulled version
    for sql in QUERIES:
        assert run_query(remote, sql) == run_query(Warehouse(second), sql), sql
    # the first machine's working copy is one version behind: its next run pulls v2 first
    again = run_cli("run", "--input", str(grown), "--warehouse", s3_server, "--mirror", str(first))
    assert f"at {v2}" in again.stderr and remote.latest() > v2
    assert remote.manifest(remote.latest())["nlp_work"]["parsed"] == 0
    # a version committed in a working copy and never pushed: the next run there stops and says so
    run_cli("run", "--input", str(SEEDS), "--warehouse", str(second))
    stopped = run_cli("run", "--input", str(grown), "--warehouse", s3_server, "--mirror", str(second), check=False)
    assert stopped.returncode == 1 and "never pushed there" in stopped.stderr
