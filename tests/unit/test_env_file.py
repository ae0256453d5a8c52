"""`make env`: docker/.env from .env.example with fresh secrets, never clobbering one."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import pytest

from medallion.env_file import SECRET_GENERATORS, main

EXAMPLE = Path(__file__).resolve().parents[2] / "docker" / ".env.example"


def parse_env(path: Path) -> dict[str, str]:
    return dict(
        line.split("=", 1)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )


@pytest.fixture
def docker_dir(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / ".env.example")
    return tmp_path


def test_fills_every_secret_and_keeps_the_settings(docker_dir):
    assert main(["--docker-dir", str(docker_dir)]) == 0
    written = parse_env(docker_dir / ".env")
    example = parse_env(EXAMPLE)

    assert written.keys() == example.keys()
    for name in SECRET_GENERATORS:
        assert len(written[name]) >= 20, name
    assert len({written[name] for name in SECRET_GENERATORS}) == len(SECRET_GENERATORS)
    assert base64.urlsafe_b64decode(written["AIRFLOW_FERNET_KEY"]).__len__() == 32
    assert written["COMPOSE_PROFILES"] == example["COMPOSE_PROFILES"]
    assert written["AIRFLOW_UID"].isdigit()
    assert (docker_dir / ".env").stat().st_mode & 0o077 == 0, "secrets file readable by others"


def test_accepted_by_cryptography_as_a_fernet_key(docker_dir):
    from cryptography.fernet import Fernet

    main(["--docker-dir", str(docker_dir)])
    key = parse_env(docker_dir / ".env")["AIRFLOW_FERNET_KEY"]
    assert Fernet(key).decrypt(Fernet(key).encrypt(b"connection")) == b"connection"


def test_every_run_generates_new_secrets(docker_dir):
    main(["--docker-dir", str(docker_dir)])
    first = parse_env(docker_dir / ".env")
    main(["--docker-dir", str(docker_dir), "--force"])
    second = parse_env(docker_dir / ".env")
    assert all(first[name] != second[name] for name in SECRET_GENERATORS)


def test_never_overwrites_an_existing_env_without_force(docker_dir, capsys):
    (docker_dir / ".env").write_text("AIRFLOW_ADMIN_PASSWORD=students-own\n")
    assert main(["--docker-dir", str(docker_dir)]) == 0  # so `make env && ...` goes on
    assert (docker_dir / ".env").read_text() == "AIRFLOW_ADMIN_PASSWORD=students-own\n"
    assert "--force" in capsys.readouterr().err


def test_an_example_without_a_secret_line_is_refused(docker_dir):
    example = docker_dir / ".env.example"
    example.write_text(example.read_text().replace("AIRFLOW_JWT_SECRET=\n", ""))
    with pytest.raises(ValueError, match="AIRFLOW_JWT_SECRET"):
        main(["--docker-dir", str(docker_dir)])
