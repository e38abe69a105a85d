"""Imported by training/recipe_code.py (`spacy train --code`) with --numpy-blas: training multiplies
matrices through numpy's BLAS, as the shipped pipeline does at run time (pipeline/cpu_ops.py explains
why: about three times faster here than the generic BLIS kernel). The training process is ours
alone, so the class itself is patched."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from thinc.api import NumpyOps  # noqa: E402

from pipeline.cpu_ops import NumpyBlasOps  # noqa: E402

NumpyOps.gemm = NumpyBlasOps.gemm
