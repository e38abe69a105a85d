"""The model's matrix products through numpy's BLAS (pipeline.cpu_ops): the
same numbers and the same parse as thinc's own CPU ops, only faster."""

from __future__ import annotations

import numpy as np
import pytest
import spacy
from thinc.api import NumpyOps, get_current_ops

from conftest import SEEDS
from pipeline.cpu_ops import NumpyBlasOps, numpy_blas_ops
from pipeline.nlp import SHIPPED_MODEL, load_pipeline

ATTRS = ["TAG", "POS", "MORPH", "LEMMA", "HEAD", "DEP", "ENT_IOB", "ENT_TYPE"]


@pytest.mark.parametrize("trans1,trans2", [(False, False), (True, False), (False, True), (True, True)])
def test_gemm_matches_thinc(trans1, trans2):
    rng = np.random.default_rng(0)
    x = rng.random((7, 5), dtype="float32")
    y = rng.random((5, 3), dtype="float32")
    x = np.ascontiguousarray(x.T) if trans1 else x
    y = np.ascontiguousarray(y.T) if trans2 else y
    expected = NumpyOps().gemm(x, y, trans1=trans1, trans2=trans2)
    np.testing.assert_allclose(NumpyBlasOps().gemm(x, y, trans1=trans1, trans2=trans2), expected, rtol=1e-5)
    out = np.zeros((7, 3), dtype="float32")
    returned = NumpyBlasOps().gemm(x, y, out=out, trans1=trans1, trans2=trans2)
    assert returned is out
    np.testing.assert_allclose(out, expected, rtol=1e-5)


def test_only_model_loading_sees_the_numpy_ops():
    before = get_current_ops()
    with numpy_blas_ops() as ops:
        assert isinstance(ops, NumpyBlasOps)
    assert get_current_ops() is before
    assert isinstance(load_pipeline().get_pipe("parser").model.ops, NumpyBlasOps)


def test_the_seeds_parse_exactly_as_with_thincs_own_ops():
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    plain = spacy.load(SHIPPED_MODEL)
    assert type(plain.get_pipe("parser").model.ops) is NumpyOps
    ours = load_pipeline()
    compared = 0
    for a, b in zip(plain.pipe(texts), ours.pipe(texts), strict=True):
        assert a.to_array(ATTRS).tolist() == b.to_array(ATTRS).tolist()
        compared += len(a)
    assert compared > 3000
