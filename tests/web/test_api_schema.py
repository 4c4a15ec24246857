"""schemathesis against the OpenAPI schema of a running `contacts serve`: generated requests to every API
operation, with a valid token and without, never get a 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.serving import contacts_serve

EXAMPLES_PER_OPERATION = 30


@pytest.fixture
def api_server(cli_env, contacts_cli, tmp_path):
    contacts_cli("user", "create", "camille", "--role", "communications", input="correct horse battery staple\n")
    token = contacts_cli("user", "token", "camille", "--name", "schemathesis").stdout.strip().splitlines()[-1]
    (tmp_path / "presse.csv").write_text("email,first_name\nada@presse.example,Ada\n", encoding="utf-8")
    contacts_cli("import", "presse.csv", "--list", "journalists", "--source-type", "given", "--source", "test")
    contacts_cli("campaign", "create", "--list", "journalists", "--template", "newsletter-communications",
                 "--subject", "Schema")
    env = {**cli_env, "CONTACTS_SMTP_URL": "smtp://127.0.0.1:9", "CONTACTS_PUBLIC_RATE_LIMIT": "0"}
    with contacts_serve(env, tmp_path) as base_url:
        yield base_url, token


def test_no_api_operation_answers_a_server_error(api_server):
    base_url, token = api_server
    schema = schemathesis.openapi.from_url(f"{base_url}/schema/openapi.json")
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 15
    for operation in operations:
        if operation.path.startswith("/dev/"):
            continue

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def exercise(case) -> None:
            for headers in ({"Authorization": f"Bearer {token}"}, {}):
                response = case.call(base_url=base_url, headers=headers)
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.formatted_path} {response.status_code}: "
                                    f"{response.text[:200]}")

        exercise()
    assert sorted(set(failures))[:20] == []
