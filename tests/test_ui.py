"""The Dagster UI, used the way a person would use it: `dagster dev` shows every
stage's asset in the run job's graph, clicking "Materialize all" runs the whole
job (with its dynamic NLP shard steps) to Success, every asset check shows as
succeeded, and the warehouse gets a committed version.

Why a browser test: the other tests run the same Definitions in-process or
through the CLI. Only this one covers what `dagster dev` users see and click:
workspace.yaml and the PRESSWORK_* variables, a run queued from the UI and
launched by the daemon, and check results as the UI reports them.

It needs Chromium (/usr/bin/chromium or `chromium` on PATH) and the `playwright`
package. It uses the system Chromium, so there is no `playwright install`, and
it skips when either one is missing. It takes about 3 minutes.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from assets.definitions import RUN_JOB, build_definitions
from assets.resources import PressworkSettings
from conftest import REPO, SEEDS
from pipeline.warehouse import Warehouse

sync_api = pytest.importorskip("playwright.sync_api", reason="the `playwright` package cannot be imported",
                              exc_type=ImportError)
CHROMIUM = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium not found (/usr/bin/chromium or on PATH)")

# Background-networking flags stop Chromium from repeatedly trying to reach Google when there is no network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STAGE_ASSETS = ["articles", "rejected", "sentences", "documents", "tokens", "quotes", "entity_mentions",
                "entities", "entity_changes", "events", "event_mentions", "dataset_version"]
LOCATION = "assets.definitions:defs"
STARTUP_TIMEOUT = 120
RUN_TIMEOUT = 450  # s; a run takes 1.5-3 min on 2 busy cores
UI_TIMEOUT = 60_000  # ms, for a page or element to appear
ASSET_NODE_LABEL = "[class*='AssetNode_assetName']"  # a node's name in the graph (not a group's header)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_dagster_dev(port: int, env: dict, log: Path) -> subprocess.Popen:
    dagster = Path(sys.executable).with_name("dagster")
    with log.open("wb") as out:  # the child keeps its own copy of the file descriptor
        return subprocess.Popen(
            [str(dagster), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: we kill the whole group afterwards
        )


def log_tail(log: Path, chars: int = 4000) -> str:
    return log.read_text(errors="replace")[-chars:]


def wait_until_serving(proc: subprocess.Popen, base: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"dagster dev exited with code {proc.returncode}:\n{log_tail(log)}")
        try:
            with urllib.request.urlopen(f"{base}/server_info", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    pytest.fail(f"dagster dev not serving after {STARTUP_TIMEOUT}s:\n{log_tail(log)}")


def stop_dagster_dev(proc: subprocess.Popen) -> None:
    """`dagster dev` ignores SIGTERM here, so kill its whole process group."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=60)


def open_job_graph(page, base: str) -> None:
    """The run job's page, with every asset group expanded so each asset node shows its name."""
    page.goto(f"{base}/locations/{LOCATION}/jobs/{RUN_JOB}")
    sync_api.expect(page.get_by_role("button", name="Materialize all")).to_be_visible(timeout=UI_TIMEOUT)
    try:  # a fresh DAGSTER_HOME greets the first visitor with a "Join the Dagster community" dialog
        page.get_by_role("button", name="Skip").click(timeout=15_000)
    except sync_api.TimeoutError:
        pass
    if not page.locator(ASSET_NODE_LABEL).first.is_visible():
        page.keyboard.press("Alt+e")  # "Expand all groups" (also in the graph's right-click menu)


def launch_materialize_all(page) -> str:
    """Click "Materialize all" on the job graph and follow the toast to the run's page. Returns the run id."""
    page.get_by_role("button", name="Materialize all").click()
    toast = page.get_by_text(re.compile(r"Launched run \w+"))
    sync_api.expect(toast).to_be_visible(timeout=UI_TIMEOUT)
    short_id = toast.inner_text().split()[-1]
    page.locator(f"a[href^='/runs/{short_id}']", has_text="View").click()
    page.wait_for_url(re.compile(rf"/runs/{short_id}"), timeout=UI_TIMEOUT)
    return page.url.rstrip("/").split("/")[-1]


def wait_for_run_to_finish(page) -> str:
    """The run page's status tag once the run has finished: Success, Failure or Canceled."""
    final = page.get_by_text(re.compile(r"^(Success|Failure|Canceled)$")).first
    sync_api.expect(final).to_be_visible(timeout=RUN_TIMEOUT * 1000)
    return final.inner_text()


def expected_checks() -> dict[str, list[str]]:
    """The asset checks in the run job, by asset name."""
    graph = build_definitions(PressworkSettings()).resolve_asset_graph()
    checks: dict[str, list[str]] = {}
    for key in graph.asset_check_keys:
        checks.setdefault(key.asset_key.to_user_string(), []).append(key.name)
    return checks


def assert_checks_succeeded(page, base: str, asset: str, checks: list[str]) -> None:
    """Each check in the asset's Checks tab lists "Succeeded" as its latest result, next to its name."""
    page.goto(f"{base}/assets/{asset}?view=checks")
    sync_api.expect(page.get_by_text(f"Checks ({len(checks)})")).to_be_visible(timeout=UI_TIMEOUT)
    for name in checks:
        row = page.get_by_title(name, exact=True).first.locator("xpath=..")
        sync_api.expect(row, f"check {asset}/{name}").to_contain_text("Succeeded", timeout=UI_TIMEOUT)


def assert_screenshot(path: Path) -> None:
    assert path.stat().st_size > 20_000, f"{path} looks empty"
    print(f"screenshot: {path}")


def test_materialize_all_from_the_dagster_ui(tmp_path):
    warehouse = tmp_path / "warehouse"
    (tmp_path / "dagster_home").mkdir()
    short_tmp = tempfile.mkdtemp(prefix="dg")  # dagster dev's sockets and temp files, which SIGKILL leaves behind
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dagster_home"), "TMPDIR": short_tmp,
           "PRESSWORK_INPUT": str(SEEDS), "PRESSWORK_WAREHOUSE": str(warehouse)}
    port, log = free_port(), tmp_path / "dagster-dev.log"
    base = f"http://127.0.0.1:{port}"
    proc = start_dagster_dev(port, env, log)
    try:
        wait_until_serving(proc, base, log)
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            open_job_graph(page, base)
            page.add_locator_handler(  # in case the community dialog shows up late
                page.get_by_text("Join the Dagster community"),
                lambda: page.get_by_role("button", name="Skip").click())
            for asset in STAGE_ASSETS:
                label = page.locator(ASSET_NODE_LABEL).filter(has_text=re.compile(rf"^\s*{asset}\s*$"))
                sync_api.expect(label.first, f"asset {asset} in the graph").to_be_visible(timeout=UI_TIMEOUT)
            page.screenshot(path=tmp_path / "graph.png")

            run_id = launch_materialize_all(page)
            status = wait_for_run_to_finish(page)
            page.screenshot(path=tmp_path / "run.png")
            assert status == "Success", f"run {run_id} ended {status}:\n{log_tail(log)}"

            for asset, checks in sorted(expected_checks().items()):
                assert_checks_succeeded(page, base, asset, checks)
            page.screenshot(path=tmp_path / "checks.png")
            browser.close()
    finally:
        stop_dagster_dev(proc)
        shutil.rmtree(short_tmp, ignore_errors=True)

    assert (warehouse / "LATEST").is_file()
    assert len(Warehouse(warehouse).read_table("documents")) == 5  # the five seed articles
    for name in ("graph.png", "run.png", "checks.png"):
        assert_screenshot(tmp_path / name)
