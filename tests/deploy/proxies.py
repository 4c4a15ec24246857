"""nginx and Caddy from the examples of deploy/, made to run in a test: a self-signed certificate, the
example's ports and paths replaced by the test's (each replacement checked, so that a changed example cannot
slip past), nginx under a prefix of its own and Caddy with its storage in the test's folder, never the
system's."""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.deploy.tools import DEPLOY
from tests.serving import stop

NGINX_SITE = DEPLOY / "nginx" / "contacts.conf"
CADDYFILE = DEPLOY / "caddy" / "Caddyfile"
START_TIMEOUT_SECONDS = 30


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for localhost and 127.0.0.1, and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                    x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_path, key_path = folder / "cert.pem", folder / "key.pem"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return certificate_path, key_path


def _replace(text: str, old: str, new: str, count: int = 1) -> str:
    assert text.count(old) == count, f"the example should hold {old!r} {count} time(s)"
    return text.replace(old, new)


def nginx_config(folder: Path, *, http_port: int, https_port: int, app_port: int) -> Path:
    """An nginx.conf under `folder` that includes the example site, on the test's ports and files."""
    certificate, key = self_signed_certificate(folder)
    site = NGINX_SITE.read_text(encoding="utf-8")
    site = _replace(site, "listen 80;", f"listen 127.0.0.1:{http_port};")
    site = _replace(site, "listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    site = _replace(site, "listen [::]:80;\n", "")  # the test machine may have no IPv6
    site = _replace(site, "listen [::]:443 ssl http2;\n", "")
    site = _replace(site, "server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};")
    site = _replace(site, "/etc/letsencrypt/live/contacts.musee.example/fullchain.pem", str(certificate))
    site = _replace(site, "/etc/letsencrypt/live/contacts.musee.example/privkey.pem", str(key))
    site = _replace(site, "/var/log/nginx/", f"{folder}/", count=2)
    (folder / "contacts.conf").write_text(site, encoding="utf-8")
    temporary = "\n".join(f"    {kind}_temp_path {folder}/{kind}_temp;"
                          for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # As root, nginx's workers would run as nobody, who cannot enter the test's private folder.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    config = folder / "nginx.conf"
    config.write_text(f"""{user}daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
{temporary}
    include {folder}/contacts.conf;
}}
""", encoding="utf-8")
    return config


def caddy_config(folder: Path, *, http_port: int, https_port: int, app_port: int) -> Path:
    """The example Caddyfile on the test's ports, with a self-signed certificate instead of ACME's, no admin
    endpoint, and its storage under `folder`."""
    certificate, key = self_signed_certificate(folder)
    text = CADDYFILE.read_text(encoding="utf-8")
    text = _replace(text, "\temail webmaster@musee.example\n",
                    f"\temail webmaster@musee.example\n\tadmin off\n\thttp_port {http_port}\n\thttps_port {https_port}\n"
                    f"\tdefault_sni localhost\n\tstorage file_system {folder}/caddy-data\n")
    text = _replace(text, "contacts.musee.example {", f"127.0.0.1:{https_port} {{\n\ttls {certificate} {key}")
    text = _replace(text, "reverse_proxy 127.0.0.1:8000", f"reverse_proxy 127.0.0.1:{app_port}")
    path = folder / "Caddyfile"
    path.write_text(text, encoding="utf-8")
    return path


@contextlib.contextmanager
def running_caddy(caddy: str, config: Path, port: int, log: Path) -> Iterator[None]:
    """Caddy from this Caddyfile, its log lines (standard error) into `log`."""
    folder = str(config.parent)
    environment = {"PATH": "/usr/bin:/bin", "HOME": folder, "XDG_DATA_HOME": folder, "XDG_CONFIG_HOME": folder}
    with log.open("wb") as output:
        process = subprocess.Popen([caddy, "run", "--config", str(config), "--adapter", "caddyfile"],
                                   env=environment, stdout=output, stderr=output)
        yield from _until_stopped(process, port, "caddy", log)


@contextlib.contextmanager
def running_nginx(nginx: str, config: Path, port: int) -> Iterator[None]:
    log = config.parent / "nginx-output.log"
    with log.open("wb") as output:
        process = subprocess.Popen(nginx_command(nginx, config), stdout=output, stderr=output)
        yield from _until_stopped(process, port, "nginx", log)


def _until_stopped(process: subprocess.Popen, port: int, name: str, log: Path) -> Iterator[None]:
    """Once the process listens on `port`, the caller's block runs; then SIGTERM (a fast shutdown for both)."""
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not _listening(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{name} did not start: {log.read_text(errors='replace')}")
            time.sleep(0.05)
        yield
    finally:
        stop(process)


def nginx_command(nginx: str, config: Path, *options: str) -> list[str]:
    # -e: its own error log from the start, before the configuration names one (not /var/log/nginx).
    return [nginx, "-p", str(config.parent), "-e", str(config.parent / "startup-error.log"), "-c", str(config),
            *options]


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False
