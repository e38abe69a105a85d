"""A Dagster executor that starts every step as a fresh `dagster api
execute_step` process, the way dagster-k8s's `k8s_job_executor` starts each
step as a Kubernetes Job and dagster-docker's executor a container: nothing
is inherited from the run's process, no fork, no preloaded server. A step has
only its command line (the serialized step arguments), the environment
(PRESSWORK_*) and the shared warehouse folder. The run job under it is what
`tests/test_scale.py` proves runs "beyond one machine". Test code only: on one
machine Dagster's multiprocess executor does the same work faster."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
from dagster._core.events import DagsterEvent, EngineEventData
from dagster._core.execution.retries import RetryMode
from dagster._core.executor.step_delegating import CheckStepHealthResult, StepDelegatingExecutor, StepHandler

from assets.definitions import RUN_JOB, build_definitions

TESTS = Path(__file__).resolve().parent


class ProcessStepHandler(StepHandler):
    """Launches, watches and stops one OS process per step."""

    def __init__(self) -> None:
        self._processes: dict[str, subprocess.Popen] = {}

    @property
    def name(self) -> str:
        return "ProcessStepHandler"

    def _key(self, context) -> str:
        (step_key,) = context.execute_step_args.step_keys_to_execute
        return step_key

    def launch_step(self, context):
        step_key = self._key(context)
        command = list(context.execute_step_args.get_command_args())  # dagster api execute_step <args>
        if command[0] == "dagster":  # this interpreter's, as an image's PATH would give it
            command = [sys.executable, "-m", "dagster", *command[1:]]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(TESTS), os.environ.get("PYTHONPATH")]))}
        self._processes[step_key] = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        yield DagsterEvent.step_worker_starting(
            context.get_step_context(step_key), f"Started step {step_key} as process "
            f"{self._processes[step_key].pid}", metadata={"pid": self._processes[step_key].pid})

    def check_step_health(self, context) -> CheckStepHealthResult:
        code = self._processes[self._key(context)].poll()
        if code not in (None, 0):
            return CheckStepHealthResult.unhealthy(f"step process exited with code {code}")
        return CheckStepHealthResult.healthy()

    def terminate_step(self, context):
        step_key = self._key(context)
        if step_key in self._processes:
            self._processes[step_key].kill()
        yield DagsterEvent.engine_event(context.get_step_context(step_key), f"Stopped step {step_key}",
                                        EngineEventData())


@dg.executor(name="process_per_step", requirements=dg.multiple_process_executor_requirements())
def process_per_step_executor(_init_context):
    return StepDelegatingExecutor(ProcessStepHandler(), retries=RetryMode.DISABLED, max_concurrent=2,
                                  sleep_seconds=0.1)


def run_job_in_step_processes() -> dg.JobDefinition:
    """The run job, rebuilt from PRESSWORK_* variables, under process_per_step_executor
    (a step process imports this module to rebuild it, as a pod would)."""
    return build_definitions(executor=process_per_step_executor).resolve_job_def(RUN_JOB)
