"""The PostgreSQL and Redis servers the project starts for itself (medallion.local_servers).

Each test starts its own server from the installed binaries on a free port and checks it
with a real client: psycopg for PostgreSQL, the Redis protocol over a socket for Redis.
"""

from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path

import pytest
from support.services import free_port, require

from medallion.local_servers import postgres, redis


@pytest.fixture
def cluster_folder():
    """A folder under /tmp (the `postgres` user must reach it when the tests run as root)."""
    require(postgres.find_binaries() is not None, f"PostgreSQL: {postgres.INSTALL_HINT}")
    folder = Path(tempfile.mkdtemp(prefix="medallion-pg-test-"))
    yield folder
    postgres.LocalPostgres(folder, 1).remove()


def test_a_cluster_starts_serves_a_database_and_keeps_it_across_restarts(cluster_folder):
    import psycopg

    server = postgres.LocalPostgres(cluster_folder, free_port()).start()
    server.create_database("shop", owner="shop")
    with psycopg.connect(server.dsn("shop").replace("user=postgres", "user=shop")) as shop:
        shop.execute("create table orders (order_id text primary key)")
        shop.execute("insert into orders values ('O1'), ('O2')")
    server.stop()
    assert not server.is_running()

    server.start()  # the same folder: no initdb, the data is still there
    with psycopg.connect(server.dsn("shop")) as connection:
        assert connection.execute("select count(*) from orders").fetchone()[0] == 2
        listening = connection.execute("select current_setting('listen_addresses')").fetchone()
        assert listening == ("127.0.0.1",)
    assert server.database_exists("shop") and not server.database_exists("nope")


def test_as_root_the_cluster_belongs_to_the_postgres_user(cluster_folder):
    if os.geteuid() != 0:
        pytest.skip("only as root: an ordinary user runs the cluster as itself")
    postgres.LocalPostgres(cluster_folder, free_port()).start()
    assert (cluster_folder / "data").stat().st_uid == postgres._system_user().pw_uid


def test_a_taken_port_is_named_in_the_error(cluster_folder):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        with pytest.raises(postgres.PostgresError, match=f"did not start on 127.0.0.1:{port}"):
            postgres.LocalPostgres(cluster_folder, port).start(timeout_seconds=15)


def test_remove_stops_the_server_and_deletes_its_folder(cluster_folder):
    server = postgres.LocalPostgres(cluster_folder, free_port()).start()
    server.remove()
    assert not cluster_folder.exists()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", server.port)) != 0


def test_the_command_line_starts_reports_and_stops(cluster_folder, capsys):
    port = str(free_port())
    arguments = ["--dir", str(cluster_folder), "--port", port]
    assert postgres.main(["start", *arguments]) == 0
    assert postgres.main(["create-db", *arguments, "--database", "shop", "--owner", "shop"]) == 0
    assert postgres.main(["status", *arguments]) == 0
    assert postgres.main(["stop", *arguments]) == 0
    assert postgres.main(["status", *arguments]) == 3
    printed = capsys.readouterr().out
    assert f"postgresql://postgres@127.0.0.1:{port}/postgres" in printed
    assert f"database shop: postgresql://postgres@127.0.0.1:{port}/shop" in printed
    assert "PostgreSQL stopped" in printed


def test_redis_answers_ping_and_stops(tmp_path):
    require(redis.find_binary() is not None, f"Redis: {redis.INSTALL_HINT}")
    with redis.LocalRedis(tmp_path, free_port()) as server:
        assert server.ping()
        with socket.create_connection(("127.0.0.1", server.port), timeout=2) as client:
            client.sendall(b"SET lesson medallion\r\nGET lesson\r\n")
            answer = b""
            while not answer.endswith(b"medallion\r\n"):
                answer += client.recv(64)
            assert answer == b"+OK\r\n$9\r\nmedallion\r\n"
    assert not server.ping()
    assert not any(tmp_path.glob("*.rdb")), "a throw-away broker keeps nothing on disk"


def test_redis_on_a_taken_port_says_so(tmp_path):
    require(redis.find_binary() is not None, f"Redis: {redis.INSTALL_HINT}")
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        with pytest.raises(redis.RedisError, match=f"did not answer on 127.0.0.1:{port}"):
            redis.LocalRedis(tmp_path, port).start(timeout_seconds=5)
