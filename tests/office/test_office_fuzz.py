"""schemathesis against the OpenAPI of the running office server: no request, valid or
malformed, makes it answer 5xx (on SQLite and PostgreSQL). Bounded and deterministic."""
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig

from office.devserver import ServerThread

#: Examples per operation and generation mode (valid, malformed).
EXAMPLES = 20
#: Which test token each operation is called with (its own role; a wrong role is a 401).
TOKEN_OF = {("POST", "/api/v1/checkins"): "k1-token", ("GET", "/api/v1/menu"): "k1-token",
            ("PUT", "/api/v1/menu"): "admin-token", ("POST", "/api/v1/now-serving"): "staff-token"}
#: Operations without any input: nothing to make malformed.
NO_INPUT = {("GET", "/api/v1/health"), ("GET", "/api/v1/menu")}
CONFIG = {"generation": {"allow-x00": True}}


def own_kiosk(body):
    """Generated uploads claim the token's kiosk, so they get past the 403 to the database."""
    if isinstance(body, dict) and isinstance(body.get("kiosk_id"), str):
        body["kiosk_id"] = "K1"
        for ticket in body.get("tickets") or []:
            if isinstance(ticket, dict) and isinstance(ticket.get("kiosk_id"), str):
                ticket["kiosk_id"] = "K1"


@pytest.fixture
def server(admin_app):
    with ServerThread(admin_app) as running:
        yield running


def operations(url):
    schema = schemathesis.openapi.from_url(url + "/openapi.json",
                                           config=SchemathesisConfig.from_dict(CONFIG))
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_request_makes_the_office_server_fail(server, mode):
    found = operations(server.url)
    assert {(op.method.upper(), op.path) for op in found} >= set(TOKEN_OF)
    for operation in found:
        key = (operation.method.upper(), operation.path)
        token = TOKEN_OF.get(key, "")

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def call(case):
            own_kiosk(case.body)
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                                   checks=[not_a_server_error], timeout=10)

        try:
            call()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE and key in NO_INPUT
