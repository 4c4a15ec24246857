"""The OpenAPI schema tells the truth about the API: every status a route answers is documented, with the error
body it really has, and OPTIONS names every method of its path; schemathesis against a running `contacts serve`:
generated requests to every API operation, with a valid token and without, never get a 5xx.

The whole schemathesis run with every check, on both engines, is bench/fuzz_api.py."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from contacts.text_input import (
    MULTILINE_PATTERN,
    MULTILINE_TEXT_PATTERN,
    ONE_LINE_PATTERN,
    ONE_LINE_TEXT_PATTERN,
    control_character,
)
from tests.serving import contacts_serve
from tests.web.test_permission_matrix import ROLES, api_routes, pattern, prepare

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


def operation_of(method: str, path: str) -> tuple[str, str]:
    """The schema's path of a requested one: `/api/campaigns/7` is `/api/campaigns/{campaign_id}`."""
    return method.lower(), re.sub(r":\w+}", "}", pattern(path))


def probes(ids: dict[str, int]) -> list[tuple[str, str, dict | None]]:
    """What the permission matrix does not ask: ids that name nothing, bad parameters, bodies that are not objects."""
    nothing = 2_147_483_647
    asked = [(method, path, body) for method, path, body, _ in api_routes(ids)]
    missing = [(method, re.sub(r"/\d+(?=/|$|\?)", f"/{nothing}", path), body) for method, path, body in asked
               if re.search(r"/\d+(/|$|\?)", path)]
    unknown_list = [(method, path.replace("/journalists/", "/no-such-list/"), body) for method, path, body in asked
                    if "/journalists/" in path]
    bad_parameters = [(method, path.split("?")[0] + "?page=0&per_page=0&after_id=-1&limit=x", body)
                      for method, path, body in asked if method == "GET"]
    bad_bodies = [(method, path, []) for method, path, body in asked if body is not None]
    return missing + unknown_list + bad_parameters + bad_bodies


@pytest.mark.usefixtures("database_url")
async def test_every_status_an_api_route_answers_is_documented_with_its_error_body(http_client, tmp_path):
    headers, ids = await prepare(tmp_path)
    undocumented, wrong_bodies = set(), set()
    async with http_client() as client:
        documented = (await client.get("/schema/openapi.json")).json()
        error_schema = documented["components"]["schemas"]["ErrorDetail"]
        assert set(error_schema["required"]) == {"status", "code", "message", "field"}
        asked = [(method, path, body) for method, path, body, _ in api_routes(ids)] + probes(ids)
        for method, path, body in asked:
            path_item, verb = operation_of(method, path)[1], operation_of(method, path)[0]
            responses = documented["paths"][path_item][verb]["responses"]
            for role in (None, *ROLES):
                answer = await client.request(method, path, json=body, headers=headers[role] if role else {})
                if str(answer.status_code) not in responses:
                    undocumented.add((method, path_item, answer.status_code))
                elif answer.status_code >= 400:
                    schema = responses[str(answer.status_code)]["content"]["application/json"]["schema"]
                    error = answer.json().get("error", {})
                    if schema != {"$ref": "#/components/schemas/ErrorBody"} or set(error) != set(
                            error_schema["properties"]) or error["status"] != answer.status_code:
                        wrong_bodies.add((method, path_item, answer.status_code))
    assert undocumented == set()
    assert wrong_bodies == set()


@pytest.mark.usefixtures("database_url")
async def test_options_allows_every_method_of_its_path_and_only_those(http_client):
    from contacts.app import create_app

    served = {}
    for route in create_app().routes:
        if route.path.startswith("/api"):
            served[route.path] = set(route.methods)
    wrong = {}
    async with http_client() as client:
        for path, methods in served.items():
            concrete = re.sub(r"{\w+:int}", "1", re.sub(r"{\w+:str}", "journalists", path))
            answer = await client.options(concrete)
            allowed = {method.strip() for method in answer.headers.get("allow", "").split(",")}
            if answer.status_code != 204 or allowed != methods:
                wrong[path] = (answer.status_code, sorted(allowed), sorted(methods))
    assert len(served) > 15
    assert wrong == {}


@pytest.mark.usefixtures("database_url")
async def test_recipients_pages_document_their_refusals_as_pages(http_client):
    async with http_client() as client:
        documented = (await client.get("/schema/openapi.json")).json()
        wrong = {}
        for path, operations in documented["paths"].items():
            if path.startswith(("/u/", "/o/", "/p/", "/confirm/", "/r/", "/d/", "/subscribe/", "/rights")):
                for method, operation in operations.items():
                    refusals = {status: list(answer.get("content", {})) for status, answer in
                                operation["responses"].items() if status.startswith("4")}
                    if refusals != {"400": ["text/html"], "404": ["text/html"], "429": ["text/html"]}:
                        wrong[f"{method} {path}"] = refusals
        unknown = await client.post("/subscribe/no-such-list", data={"email": "a@b.example"})
    assert wrong == {}
    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith("text/html")


EDGE_PATTERNS = {"one-line": {ONE_LINE_PATTERN, ONE_LINE_TEXT_PATTERN},
                 "body": {MULTILINE_PATTERN, MULTILINE_TEXT_PATTERN, ONE_LINE_PATTERN, ONE_LINE_TEXT_PATTERN}}


def strings_without_the_edge_rule(schema: dict, components: dict, where: str, allowed: set[str]) -> list[str]:
    """Where a request's schema takes a string the edge would refuse (a control character), or an object an
    unknown property of which it takes unchecked."""
    if "$ref" in schema:
        return strings_without_the_edge_rule(components[schema["$ref"].rsplit("/", 1)[1]], components, where,
                                             allowed)
    wrong = []
    for alternative in schema.get("oneOf", []) + schema.get("anyOf", []):  # a pattern beside them holds for each
        inherited = {"pattern": schema["pattern"]} if "pattern" in schema else {}
        wrong += strings_without_the_edge_rule({**inherited, **alternative}, components, where, allowed)
    # A file's part (format binary: an upload) is bytes, not text: the edge leaves it to the route.
    if (schema.get("type") == "string" and "enum" not in schema and schema.get("pattern") not in allowed
            and schema.get("format") != "binary"):
        wrong.append(where)
    if schema.get("type") == "array":
        wrong += strings_without_the_edge_rule(schema.get("items", {}), components, f"{where}[]", allowed)
    if schema.get("type") == "object":
        for name, property_schema in schema.get("properties", {}).items():
            wrong += strings_without_the_edge_rule(property_schema, components, f"{where}.{name}", allowed)
        extra = schema.get("additionalProperties", True)
        if extra is not False:
            names = schema.get("propertyNames", {})
            if "enum" not in names and names.get("pattern") not in allowed:
                wrong.append(f"{where} (property names)")
            if not isinstance(extra, dict) or extra.get("type") != "string":
                wrong.append(f"{where} (other properties)")
            else:
                wrong += strings_without_the_edge_rule(extra, components, f"{where}.*", allowed)
    return wrong


@pytest.mark.usefixtures("database_url")
async def test_every_string_a_request_brings_is_held_to_the_edge_rule_in_the_schema(http_client):
    """The edge refuses control characters in a path, a query and a body (contacts.web.input_checks): every
    string the schema lets a request bring says so with a pattern, and a body takes no unknown field, so that
    a request the schema allows is one the API accepts."""
    async with http_client() as client:
        schema = (await client.get("/schema/openapi.json")).json()
    components = schema["components"]["schemas"]
    wrong, strings = [], 0
    for path, item in schema["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter["in"] in ("path", "query") and parameter["schema"].get("type") == "string":
                    strings += 1
                where = f"{method} {path} {parameter['name']}"
                wrong += strings_without_the_edge_rule(parameter["schema"], components, where,
                                                       EDGE_PATTERNS["one-line"])
            for content in operation.get("requestBody", {}).get("content", {}).values():
                wrong += strings_without_the_edge_rule(content["schema"], components, f"{method} {path} body",
                                                       EDGE_PATTERNS["body"])
    assert strings > 5
    assert wrong == []


def test_the_edge_patterns_take_what_the_edge_takes_and_generate():
    """Hypothesis (schemathesis's generator) draws from each pattern, and whatever it draws the edge takes."""
    import hypothesis.strategies as st

    for pattern_text, multiline in ((MULTILINE_PATTERN, True), (MULTILINE_TEXT_PATTERN, True),
                                    (ONE_LINE_PATTERN, False), (ONE_LINE_TEXT_PATTERN, False)):
        @settings(max_examples=200, deadline=None, database=None)
        @given(st.from_regex(pattern_text[:-1] + r"\Z"))  # a closing `$` is the string's end, as schemathesis reads it
        def drawn_is_taken(text: str) -> None:
            assert control_character(text, multiline=multiline) is None

        drawn_is_taken()
        for refused in ("\x00", "a\x1fb", "\x7f", "\x0c"):
            assert re.search(pattern_text, refused) is None
        assert (re.search(pattern_text, "a\tb\nc") is not None) is multiline
    assert re.search(MULTILINE_TEXT_PATTERN, " \t\n ") is None

