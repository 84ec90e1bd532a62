"""deploy/nginx: the reverse-proxy example passes `nginx -t` and exposes only the two paths
the platforms call (three more, commented, for a multi-workspace Slack install)."""

from __future__ import annotations

import datetime
import re
import subprocess
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.deploy.tools import DEPLOY, tool

EXAMPLE = DEPLOY / "nginx" / "peer-support.conf"


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "peer-support.example.org")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "fullchain.pem", directory / "privkey.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_nginx_accepts_the_example(tmp_path: Path) -> None:
    nginx = tool("nginx", installed_by="Debian's nginx package; .ci/run installs it")
    cert, key = self_signed(tmp_path)
    site = (
        EXAMPLE.read_text()
        .replace("/etc/ssl/peer-support/fullchain.pem", str(cert))
        .replace("/etc/ssl/peer-support/privkey.pem", str(key))
        .replace("/var/log/nginx/", f"{tmp_path}/")
    )
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        f"http {{\n  access_log {tmp_path}/access.log;\n  include {tmp_path}/site.conf;\n}}\n"
    )
    done = subprocess.run(
        [
            nginx,
            "-t",
            "-p",
            str(tmp_path),
            "-e",
            str(tmp_path / "error.log"),
            "-c",
            str(tmp_path / "nginx.conf"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr


def test_only_the_platform_endpoints_are_proxied() -> None:
    active = "\n".join(
        line for line in EXAMPLE.read_text().splitlines() if not line.strip().startswith("#")
    )
    proxied = re.findall(r"location\s+=\s+(\S+)\s*\{[^}]*\{[^}]*\}\s*proxy_pass", active)
    assert sorted(proxied) == ["/api/messages", "/slack/events"]
    assert active.count("proxy_pass") == 2
    assert re.search(r"location / \{\s*return 404;", active)
    commented = re.findall(r"#\s*location = (\S+)\s+\{ proxy_pass", EXAMPLE.read_text())
    assert commented == ["/slack/install", "/slack/oauth_redirect"]
    assert "$request_uri" not in active and "$args" not in active  # no query string logged
