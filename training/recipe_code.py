"""Loaded by every `spacy train --code` of the recipe (training/train_model.py): registers the
recipe's own functions (training/mention_replacement.py) and, when PRESSWORK_NUMPY_BLAS=1
(--numpy-blas), makes training multiply through numpy's BLAS (training/numpy_blas_gemm.py)."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import mention_replacement  # noqa: E402,F401  (registers presswork.mention_replacement.v1)

if os.environ.get("PRESSWORK_NUMPY_BLAS") == "1":
    import numpy_blas_gemm  # noqa: E402,F401
