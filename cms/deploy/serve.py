"""Prepare `make serve`: what production runs, on this machine, behind a real
nginx that terminates TLS.

    python -m cms.deploy.serve --folder .serve --host localhost --port 8443 \\
        --app-port 9100 --processes 2

writes into `--folder` (git-ignored): a secret key kept between runs, a
self-signed certificate for the host, nginx's configuration rendered from
nginx.conf.template (the one docs/deploy.md shows) with one upstream server a
web process, `env` (the production settings' variables) and a Procfile: the
repository's, plus a `proxy` line for nginx. It creates the PostgreSQL
database DATABASE_URL names when it is missing. The Makefile then runs
collectstatic, migrate and load_demo, and `honcho start` on that Procfile;
Ctrl-C stops every process.

Nothing here imports Django, so tests/chat/live_servers.py renders the same
template for the production-stack test.
"""

from __future__ import annotations

import argparse
import datetime
import ipaddress
import os
import re
import secrets
import shlex
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

DEPLOY = Path(__file__).resolve().parent
ROOT = DEPLOY.parents[1]
SITE_TEMPLATE = DEPLOY / "nginx.conf.template"
MAIN_TEMPLATE = DEPLOY / "nginx-main.conf.template"
PROCFILE = ROOT / "Procfile"

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/harbour_serve"
# Not the database CI's tests use (0) nor theirs (7): a demo running beside a
# test run shares nothing with it.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"

PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")


def render(template: str, values: Mapping[str, str]) -> str:
    """`template` with each `${NAME}` replaced by `values[NAME]` (as envsubst
    would); nginx's own `$name` variables are left alone. A placeholder with no
    value is an error, not an empty string in a proxy's configuration."""
    missing = sorted(set(PLACEHOLDER.findall(template)) - set(values))
    if missing:
        raise ValueError(f"No value for {', '.join(missing)}")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def site_config(
    *,
    server_name: str,
    listen: str,
    app_servers: Sequence[str],
    certificate: Path,
    key: Path,
    access_log: Path,
) -> str:
    """nginx.conf.template rendered: https on `listen` for `server_name`,
    proxied to the app processes at `app_servers` ("127.0.0.1:9100", ...)."""
    servers = "\n    ".join(f"server {server} max_fails=1;" for server in app_servers)
    return render(
        SITE_TEMPLATE.read_text(),
        {
            "SERVER_NAME": server_name,
            "LISTEN": listen,
            "APP_SERVERS": servers,
            "TLS_CERTIFICATE": str(certificate),
            "TLS_CERTIFICATE_KEY": str(key),
            "ACCESS_LOG": str(access_log),
        },
    )


# Debian's headers-more module: it takes nginx's Server header away
# (`server_tokens off` only hides the version).
HEADERS_MORE_MODULES = (
    Path("/usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so"),
    Path("/usr/lib64/nginx/modules/ngx_http_headers_more_filter_module.so"),
)


def headers_more_module() -> Path:
    """The headers-more module's file; a clear error when it is missing."""
    for path in HEADERS_MORE_MODULES:
        if path.exists():
            return path
    raise FileNotFoundError(
        "nginx's headers-more module is not installed: apt-get install "
        "libnginx-mod-http-headers-more-filter (make browser does it when run "
        "as root)."
    )


def write_nginx_config(folder: Path, site: str) -> Path:
    """Write `site` (see `site_config`) and the main configuration that runs
    nginx as an ordinary program, everything it writes inside `folder`;
    return the main configuration's path."""
    folder = folder.resolve()
    for part in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / "tmp" / part).mkdir(parents=True, exist_ok=True)
    (folder / "harbour.conf").write_text(site)
    main = folder / "nginx.conf"
    main.write_text(
        render(
            MAIN_TEMPLATE.read_text(),
            {
                "RUN_DIR": str(folder),
                "SITE_CONFIG": str(folder / "harbour.conf"),
                "HEADERS_MORE_MODULE": str(headers_more_module()),
            },
        )
    )
    return main


def nginx_binary() -> str:
    """Debian's nginx (nginx-light is enough); /usr/sbin is not on every
    user's PATH."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if found is None:
        raise FileNotFoundError(
            "nginx is not installed: apt-get install nginx-light (make browser "
            "does it when run as root)."
        )
    return found


def nginx_command(config: Path) -> list[str]:
    """nginx in the foreground with `config`; its startup errors go to the
    folder's log, not to /var/log (which an ordinary user cannot write)."""
    folder = config.parent
    return [
        nginx_binary(),
        "-p",
        str(folder),
        "-c",
        str(config),
        "-e",
        str(folder / "nginx-error.log"),
        "-g",
        "daemon off;",
    ]


def self_signed_certificate(folder: Path, host: str) -> tuple[Path, Path]:
    """A certificate and key for `host` (and localhost, 127.0.0.1, ::1) in
    `folder`, made with the `cryptography` package; kept while it is for the
    same host and has more than a day to run, so the browser's exception for
    it lasts between runs."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    now = datetime.datetime.now(datetime.UTC)
    if cert_path.exists() and key_path.exists():
        existing = x509.load_pem_x509_certificate(cert_path.read_bytes())
        names = existing.extensions.get_extension_for_class(
            x509.SubjectAlternativeName
        ).value.get_values_for_type(x509.DNSName)
        if host in names and existing.not_valid_after_utc - now > datetime.timedelta(
            days=1
        ):
            return cert_path, key_path

    key = ec.generate_private_key(ec.SECP256R1())
    own = (
        x509.IPAddress(ipaddress.ip_address(host))
        if _is_address(host)
        else x509.DNSName(host)
    )
    alt_names = list(
        dict.fromkeys(
            [
                own,
                x509.DNSName("localhost"),
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                x509.IPAddress(ipaddress.ip_address("::1")),
            ]
        )
    )
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_path.touch(mode=0o600)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def ensure_database(url: str) -> bool:
    """Create the PostgreSQL database `url` names when it is missing; True if
    it was made. Anything but PostgreSQL is left to Django."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        return False
    import psycopg
    from psycopg import sql

    name = parts.path.lstrip("/")
    server = parts._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True, connect_timeout=5) as admin:
        found = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if found:
            return False
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True


def secret_key(folder: Path) -> str:
    """A random key made on the first run and kept, so sessions outlive a
    restart."""
    path = folder / "secret_key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(64))
    return path.read_text().strip()


def site_address(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"https://{shown}" + ("" if port == 443 else f":{port}")


def listen_on(host: str, port: int) -> str:
    """Loopback for a local name, every address for any other (a phone on
    the same network can then reach a named machine)."""
    if host in {"localhost", "127.0.0.1"}:
        return f"127.0.0.1:{port}"
    if host == "::1":
        return f"[::1]:{port}"
    return str(port)


def production_env(
    folder: Path, host: str, port: int, database_url: str, redis_url: str
) -> dict[str, str]:
    """What cms.settings.production needs, for a site at https://host:port."""
    return {
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": secret_key(folder),
        "ALLOWED_HOSTS": host,
        "WAGTAILADMIN_BASE_URL": site_address(host, port),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "LOG_FORMAT": "json",
    }


def prepare(
    folder: Path, host: str, port: int, app_port: int, processes: int
) -> dict[str, str]:
    """Write everything `make serve` runs with into `folder`; return the
    environment written to `folder/env`."""
    folder = folder.resolve()
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    ensure_database(database_url)
    env = production_env(folder, host, port, database_url, redis_url)
    (folder / "env").write_text(
        "".join(f"{name}={shlex.quote(value)}\n" for name, value in env.items())
    )

    certificate, key = self_signed_certificate(folder / "tls", host)
    site = site_config(
        server_name=host,
        listen=listen_on(host, port),
        app_servers=[f"127.0.0.1:{app_port + n}" for n in range(processes)],
        certificate=certificate,
        key=key,
        access_log=folder / "logs" / "nginx-access.log",
    )
    config = write_nginx_config(folder / "nginx", site)
    proxy = shlex.join(nginx_command(config))
    (folder / "Procfile").write_text(
        PROCFILE.read_text() + f"proxy: {proxy}\n",
    )
    return env


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=ROOT / ".serve")
    parser.add_argument("--host", default="localhost")
    parser.add_argument("--port", type=int, default=8443)
    parser.add_argument("--app-port", type=int, default=9100)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args(argv)
    import psycopg

    try:
        env = prepare(args.folder, args.host, args.port, args.app_port, args.processes)
    except (OSError, psycopg.OperationalError) as error:
        sys.exit(f"make serve: {error}")
    database = urlsplit(env["DATABASE_URL"])
    bucket = os.environ.get("AWS_STORAGE_BUCKET_NAME")
    media = f"in S3 bucket {bucket}" if bucket else "on local disk"
    sys.stdout.write(
        f"make serve: {env['WAGTAILADMIN_BASE_URL']} through nginx, "
        f"{args.processes} app processes (ports {args.app_port}-"
        f"{args.app_port + args.processes - 1}) and one worker; database "
        f"{database.hostname}:{database.port or 5432}{database.path}, Redis "
        f"{env['REDIS_URL']}, media {media}.\n"
    )


if __name__ == "__main__":
    main()
