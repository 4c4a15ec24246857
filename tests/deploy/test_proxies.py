"""The TLS proxies of deploy/: nginx's site passes `nginx -t`, the Caddyfile `caddy validate`, both name the
recipients' pages and the body limits the app has; and each, run from its example in front of a real
`contacts serve` with CONTACTS_TRUSTED_PROXIES=127.0.0.1, counts a client by its real address over TLS
whatever X-Forwarded-For it forges (REQ-24), keeps tokens out of its log and /metrics private."""

from __future__ import annotations

import re
import ssl
import subprocess
import time

import httpx
import pytest

from contacts.web.api.media import UPLOAD_MAX_BODY
from contacts.web.input_checks import DEFAULT_MAX_BODY
from contacts.web.public.pages import FORM_MAX_BODY
from contacts.web.public.routes import PAGE_PREFIXES
from contacts.web.staff.imports import MAX_UPLOAD, ImportPagesController
from tests.deploy.proxies import (
    CADDYFILE,
    NGINX_SITE,
    caddy_config,
    nginx_command,
    nginx_config,
    running_caddy,
    running_nginx,
)
from tests.deploy.tools import tool
from tests.minutes import clear_of_a_minute_boundary
from tests.ports import free_port
from tests.serving import contacts_serve
from tests.web.test_staff_pages import csrf_of

SIGN_IN_LIMIT = 10  # staff sign-in attempts per minute and client
PUBLIC_PAGES = r"^/(u|o|p|confirm|r|d|v|archive|subscribe|rights|l)(/|$)"
IMPORT_PATH = "/staff/import/preview"
MB = 1024 * 1024
METRICS_TOKEN = "metrics-token-0123456789abcdef"


def test_nginx_example_passes_its_configuration_test(tmp_path):
    nginx = tool("nginx")
    config = nginx_config(tmp_path, http_port=free_port(), https_port=free_port(), app_port=free_port())
    result = subprocess.run(nginx_command(nginx, config, "-t"), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "test is successful" in result.stderr, result.stderr


def test_caddyfile_passes_caddy_validate(tmp_path):
    caddy = tool("caddy")
    home = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path)}
    result = subprocess.run([caddy, "validate", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
                            capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin", **home})
    assert result.returncode == 0 and "Valid configuration" in result.stdout + result.stderr, result.stderr
    assert "not formatted" not in result.stderr, "run `caddy fmt --overwrite deploy/caddy/Caddyfile`"


def test_both_proxies_know_the_recipients_pages_and_the_apps_body_limits():
    """A page prefix added to the app, or a limit changed, must be carried over to the proxies' examples."""
    nginx, caddy = NGINX_SITE.read_text(encoding="utf-8"), CADDYFILE.read_text(encoding="utf-8")
    assert PUBLIC_PAGES in nginx and caddy.count(PUBLIC_PAGES) == 2
    assert set(re.search(r"\((.*?)\)", PUBLIC_PAGES).group(1).split("|")) == {p.strip("/") for p in PAGE_PREFIXES}
    assert ImportPagesController.path + "/preview" == IMPORT_PATH and IMPORT_PATH in nginx and IMPORT_PATH in caddy
    # nginx: the server's limit, then the recipients' pages', then the import's.
    sizes = [int(size) * {"k": 1024, "m": MB}[unit]
             for size, unit in re.findall(r"client_max_body_size (\d+)([km]);", nginx)]
    caddy_sizes = [int(size) * {"KB": 1024, "MB": MB}[unit] for size, unit in re.findall(r"max_size (\d+)(KB|MB)", caddy)]
    for limits in (sizes, sorted(caddy_sizes, reverse=True)):
        assert FORM_MAX_BODY in limits and MAX_UPLOAD in limits
        everywhere_else = max(size for size in limits if size != MAX_UPLOAD)
        assert max(UPLOAD_MAX_BODY, DEFAULT_MAX_BODY) <= everywhere_else < MAX_UPLOAD


def sign_in_attempts(client: httpx.Client, forwarded_for: list[str]) -> list[int]:
    """Wrong passwords, each attempt with its own forged X-Forwarded-For; their status codes."""
    token = csrf_of(client.get("/staff/login").text)
    return [client.post("/staff/login", headers={"X-Forwarded-For": address},
                        data={"_csrf_token": token, "username": "nobody", "password": "wrong"}).status_code
            for address in forwarded_for]


@pytest.fixture(params=["nginx", "caddy"])
def behind_proxy(request, cli_env, tmp_path):
    """`contacts serve` trusting 127.0.0.1, the example's nginx or Caddy in front of it; yields the proxy's
    name, its https:// URL, the TLS context that trusts its certificate, and the file of its log."""
    proxy = tool(request.param)
    env = {**cli_env, "CONTACTS_SMTP_URL": "smtp://127.0.0.1:9", "CONTACTS_TRUSTED_PROXIES": "127.0.0.1",
           "CONTACTS_METRICS_TOKEN": METRICS_TOKEN}
    with contacts_serve(env, tmp_path) as app_url:
        https_port, app_port = free_port(), int(app_url.rsplit(":", 1)[1])
        if request.param == "nginx":
            config = nginx_config(tmp_path, http_port=free_port(), https_port=https_port, app_port=app_port)
            running, log = running_nginx(proxy, config, https_port), tmp_path / "contacts.access.log"
        else:
            config = caddy_config(tmp_path, http_port=free_port(), https_port=https_port, app_port=app_port)
            log = tmp_path / "caddy.log"
            running = running_caddy(proxy, config, https_port, log)
        tls = ssl.create_default_context(cafile=tmp_path / "cert.pem")
        with running:
            yield request.param, f"https://127.0.0.1:{https_port}", tls, log


def client_from(address: str, base_url: str, tls: ssl.SSLContext) -> httpx.Client:
    """A client whose connections come from this loopback address, as another machine's would."""
    return httpx.Client(base_url=base_url, transport=httpx.HTTPTransport(local_address=address, verify=tls),
                        timeout=30)  # a loaded CI machine renders a page slowly


# REQ-24: behind the example's nginx or Caddy, a client forging a new X-Forwarded-For on every attempt is
# still counted by the address it connects from; another client is counted apart.
def test_req24_behind_the_example_proxy_a_forged_forwarded_for_does_not_escape_the_sign_in_limit(behind_proxy):
    _, base_url, tls, _ = behind_proxy
    clear_of_a_minute_boundary()
    with client_from("127.0.0.2", base_url, tls) as forger, client_from("127.0.0.3", base_url, tls) as other:
        forged = sign_in_attempts(forger, [f"203.0.113.{n}" for n in range(SIGN_IN_LIMIT + 2)])
        apart = sign_in_attempts(other, ["203.0.113.1"])
    assert forged == [401] * SIGN_IN_LIMIT + [429] * 2 and apart == [401]


def test_the_example_proxy_sends_hsts_hides_metrics_caps_bodies_and_logs_no_token(behind_proxy):
    proxy, base_url, tls, log = behind_proxy
    token = "TOKENabcdef0123456789"
    with client_from("127.0.0.2", base_url, tls) as client:
        page = client.get(f"/u/{token}?c={token}")
        assert page.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
        for path in ("/metrics", "/%6Detrics", "/metrics/"):  # the proxy's own 404: the app is never asked
            hidden = client.get(path, headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
            own_answer = "<center>nginx" in hidden.text if proxy == "nginx" else hidden.text == ""
            assert hidden.status_code == 404 and own_answer, path
        # Past the recipients' pages' limit: nginx answers 413; Caddy 2.6 cuts it off and answers 502, and
        # logs that error, which must not name the path.
        oversized = client.post(f"/u/{token}", content=b"x" * (FORM_MAX_BODY + 1024),
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert oversized.status_code in ((413,) if proxy == "nginx" else (413, 502))
        assert client.get("/health").status_code == 200
    written = log.read_text(encoding="utf-8")
    for _ in range(50):  # the proxy writes a request's line once it has answered: the last one may lag
        if '"GET /health"' in written or proxy != "nginx":
            break
        time.sleep(0.1)
        written = log.read_text(encoding="utf-8")
    assert token not in written
    if proxy == "nginx":
        assert '"GET /u" ' in written and '"GET /health" ' in written
    else:
        assert oversized.status_code == 413 or '"status":502' in written
