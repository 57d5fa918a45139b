"""Schemathesis against the project's own OpenAPI schema, over every operation, as a
signed-in engineer with a token: no 5xx, and every response as the schema says.

CI runs a bounded number of examples per operation; `bench/fuzz_api.sh` runs many more
(CLINSAFE_FUZZ_EXAMPLES)."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests.servers import demo_server

pytestmark = pytest.mark.own_database

EXAMPLES = int(os.environ.get("CLINSAFE_FUZZ_EXAMPLES", "10"))


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    with demo_server(tmp_path_factory.mktemp("fuzz")) as running:
        yield running, running.clinsafe("create-token", "cso").strip()


def _own_schema():
    """The schema as the server publishes it at /api/schema/, made in-process."""
    from django.urls import set_urlconf
    from drf_spectacular.generators import SchemaGenerator

    set_urlconf(None)
    return SchemaGenerator().get_schema(request=None, public=True)


schema = schemathesis.openapi.from_dict(_own_schema())


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_without_a_server_error_as_the_schema_says(case, target):
    server, token = target
    case.call_and_validate(
        base_url=f"{server.url}",
        headers={"Authorization": f"Token {token}"},
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
