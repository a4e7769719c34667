"""Fuzz simvec serve's API from its own OpenAPI schema (schemathesis): zero server errors,
every response (errors included) as documented."""

from __future__ import annotations

import numpy as np
import pytest

schemathesis = pytest.importorskip("schemathesis")
pytest.importorskip("fastapi")

from hypothesis import HealthCheck, Phase, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.config import SchemathesisConfig  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

from simvec.serve import Collection, Limits, create_app  # noqa: E402
from simvec.vectors.keyed import KeyedVectors  # noqa: E402

WORDS = ["the", "cat", "kitten", "dog", "car", "truck", "machine", "learning", "king", "queen",
         "man", "woman", "0", "a", "é", "-"]


def _app():
    rng = np.random.default_rng(3)
    kv = KeyedVectors(rng.normal(size=(len(WORDS), 8)).astype(np.float32), WORDS)
    coll = Collection(ids=["d1", "d2", "d3"],
                      keyword_lists=[["cat", "dog"], ["car", "truck"], ["machine learning"]])
    # small limits, so that the fuzzer reaches every bound; a generous time limit (a 503 would
    # count as a server error)
    return create_app(kv, vectors_name="fuzz", collection=coll,
                      limits=Limits(max_keywords=8, max_lists=4, max_top_k=10,
                                    max_string_length=30, max_map_words=12, time_limit_s=60))


APP = _app()
# the coverage phase (boundary examples of every keyword) costs ~1 s per operation at
# collection; the bounds are pinned by tests/test_serve.py, the fuzzer here is random
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", APP,
    config=SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}}))

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture(scope="module")
def session():
    """One in-process client for all cases (schemathesis would start the app once per case)."""
    from schemathesis.python import asgi

    with asgi.get_client(APP) as client:
        yield client


@schema.parametrize()
@settings(max_examples=50, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_api_survives_fuzzing(case, session):
    response = case.call_and_validate(session=session, checks=CHECKS)
    assert response.status_code < 500
    assert "Traceback" not in response.text
