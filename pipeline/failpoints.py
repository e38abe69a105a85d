"""Named crash points, so tests can SIGKILL a real run at an exact step.

Set PRESSWORK_FAILPOINT=<name> (e.g. `commit.table.sentences`) and the process
kills itself with SIGKILL when it reaches that point: no cleanup handlers, no
flushed buffers, exactly like a power cut or the OOM killer. Unset, a failpoint
costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

ENV_VAR = "PRESSWORK_FAILPOINT"


def failpoint(name: str) -> None:
    if os.environ.get(ENV_VAR) == name:
        os.kill(os.getpid(), signal.SIGKILL)
