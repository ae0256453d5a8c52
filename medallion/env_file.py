"""Write the compose lab's docker/.env: docker/.env.example with fresh secrets filled in.

    python -m medallion.env_file            # make env
    python -m medallion.env_file --force    # replace an existing docker/.env

The example file leaves every secret empty, so the stack refuses to start until this has
run: nobody's lab runs with a default password. An existing docker/.env is kept (and said
so) unless --force is given, because its passwords are already in the lab's databases.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

from medallion.settings import load_settings


def _password() -> str:
    return secrets.token_urlsafe(18)


def _fernet_key() -> str:
    # A Fernet key is 32 random bytes, url-safe base64 encoded (cryptography's format).
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def _jwt_secret() -> str:
    return secrets.token_urlsafe(48)


SECRET_GENERATORS: dict[str, Callable[[], str]] = {
    "AIRFLOW_ADMIN_PASSWORD": _password,
    "AIRFLOW_JWT_SECRET": _jwt_secret,
    "AIRFLOW_API_SECRET_KEY": _jwt_secret,
    "AIRFLOW_FERNET_KEY": _fernet_key,
    "AIRFLOW_DB_PASSWORD": _password,
    "SOURCE_DB_PASSWORD": _password,
    "GRAFANA_ADMIN_PASSWORD": _password,
}


def render_env(example: str, uid: int | None = None) -> str:
    """The example's text with each empty secret filled and AIRFLOW_UID set to `uid`.

    Comments and settings are kept as they are, so the result documents itself.
    """
    lines = []
    for line in example.splitlines():
        name, separator, value = line.partition("=")
        if separator and not line.startswith("#"):
            if name in SECRET_GENERATORS and value == "":
                line = f"{name}={SECRET_GENERATORS[name]()}"
            elif name == "AIRFLOW_UID" and uid is not None:
                line = f"{name}={uid}"
        lines.append(line)
    missing = [name for name in SECRET_GENERATORS if f"\n{name}=" not in f"\n{example}"]
    if missing:
        raise ValueError(f".env.example lacks the secrets {missing}: add them as `NAME=` lines")
    return "\n".join(lines) + "\n"


def write_env(docker_dir: Path, force: bool = False) -> Path:
    """Write `<docker_dir>/.env` from `.env.example`; refuse to replace one unless forced."""
    target = docker_dir / ".env"
    if target.exists() and not force:
        raise FileExistsError(
            f"{target} exists and holds the passwords your lab's databases were created "
            f"with; keeping it. To start over with new secrets, remove the lab's volumes "
            f"(docker compose -f docker/docker-compose.yml down -v) and run "
            f"`python -m medallion.env_file --force`."
        )
    example = (docker_dir / ".env.example").read_text(encoding="utf-8")
    # On Linux, files the containers write into ../data should belong to the student.
    uid = os.getuid() if hasattr(os, "getuid") else None
    text = render_env(example, uid)
    temporary = target.with_name(".env.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.chmod(0o600)
    os.replace(temporary, target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="replace an existing docker/.env")
    parser.add_argument(
        "--docker-dir", type=Path, default=load_settings().home / "docker", help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    try:
        target = write_env(args.docker_dir, force=args.force)
    except FileExistsError as error:
        # Not a failure: `make env && docker compose ... up` goes on with the existing file.
        print(error, file=sys.stderr)
        return 0
    print(f"wrote {target}: Airflow login is admin / the AIRFLOW_ADMIN_PASSWORD in that file")
    return 0


if __name__ == "__main__":
    sys.exit(main())
