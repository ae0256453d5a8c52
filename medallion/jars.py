"""JVM libraries for Spark, resolved once from Maven Central and checked by their checksums.

`spark/jars.lock` lists every jar the Spark engine loads, one per line: Maven
coordinates and the SHA-256 of the file. `fetch` downloads what `.jars/` lacks and refuses
a file whose checksum differs, so every machine runs exactly the jars CI ran, and a
machine that has them needs no network (copy `.jars/` for an offline classroom).

    python -m medallion.jars fetch                      # make setup runs this
    python -m medallion.jars paths                      # comma-separated, for spark.jars
    python -m medallion.jars add org.postgresql:postgresql:42.7.14

`add` downloads a jar, checks it against the SHA-1 Maven Central publishes beside it and
writes its line into the lock. It takes the one jar only: list a library's runtime
dependencies too (Maven's `mvn dependency:tree` shows them), because Spark gets nothing
else. Spark's own resolver (`spark.jars.packages`) does resolve dependencies, but
downloads at every cold start into ~/.ivy2 and checks no pinned checksum; README "The
stack" compares the two.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from medallion.settings import load_settings

MAVEN_CENTRAL = "https://repo1.maven.org/maven2"
TIMEOUT_SECONDS = 60


class JarError(RuntimeError):
    """A jar is missing, cannot be downloaded or does not match its checksum."""


@dataclass(frozen=True)
class Jar:
    """One locked jar: `group:artifact:version` and the SHA-256 of the file."""

    group: str
    artifact: str
    version: str
    sha256: str

    @property
    def coordinates(self) -> str:
        return f"{self.group}:{self.artifact}:{self.version}"

    @property
    def file_name(self) -> str:
        return f"{self.artifact}-{self.version}.jar"

    def url(self, repository: str) -> str:
        return f"{repository}/{self.group.replace('.', '/')}/{self.artifact}/{self.version}/{self.file_name}"


def lock_file() -> Path:
    return load_settings().home / "spark" / "jars.lock"


def jars_dir() -> Path:
    return Path(os.environ.get("MEDALLION_JARS_DIR", load_settings().home / ".jars"))


def repository() -> str:
    """Maven Central, or the mirror in MAVEN_REPOSITORY_URL (a company's Nexus, say)."""
    return os.environ.get("MAVEN_REPOSITORY_URL", MAVEN_CENTRAL).rstrip("/")


def read_lock(path: Path | None = None) -> list[Jar]:
    jars = []
    for number, line in enumerate((path or lock_file()).read_text().splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            coordinates, sha256 = line.split()
            group, artifact, version = coordinates.split(":")
        except ValueError:
            raise JarError(
                f"{path or lock_file()} line {number}: expected 'group:artifact:version sha256', "
                f"got {line!r}"
            ) from None
        jars.append(Jar(group, artifact, version, sha256.lower()))
    return jars


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(jars: list[Jar] | None = None) -> list[Path]:
    """Every locked jar in .jars/, downloaded if missing; raises JarError on a mismatch."""
    folder = jars_dir()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for jar in read_lock() if jars is None else jars:
        target = folder / jar.file_name
        if not target.exists() or sha256_of(target) != jar.sha256:
            _download(jar.url(repository()), target)
            if (found := sha256_of(target)) != jar.sha256:
                target.unlink()
                raise JarError(
                    f"{jar.coordinates} from {repository()} has SHA-256 {found}, but "
                    f"{lock_file()} says {jar.sha256}: the file is not the one CI tested. "
                    "Check MAVEN_REPOSITORY_URL, or update the lock with `add` on purpose."
                )
        # Readable by every user: the compose lab's Spark runs as the student's own uid.
        target.chmod(0o644)
        paths.append(target)
    return paths


def paths() -> list[Path]:
    """The locked jars as files, without downloading; raises JarError naming the fix."""
    found = [jars_dir() / jar.file_name for jar in read_lock()]
    missing = [path.name for path in found if not path.exists()]
    if missing:
        raise JarError(f"jars missing in {jars_dir()}: {', '.join(missing)}; run `make setup`")
    return found


def add(coordinates: str) -> Jar:
    """Download a jar, check it against Maven's published SHA-1, lock its SHA-256."""
    group, artifact, version = coordinates.split(":")
    probe = Jar(group, artifact, version, "")
    target = jars_dir() / probe.file_name
    target.parent.mkdir(parents=True, exist_ok=True)
    _download(probe.url(repository()), target)
    published = _read_url(probe.url(repository()) + ".sha1").decode().split()[0]
    if hashlib.sha1(target.read_bytes()).hexdigest() != published:  # noqa: S324 - Maven's own
        target.unlink()
        raise JarError(f"{coordinates}: the download does not match Maven's SHA-1 {published}")
    jar = Jar(group, artifact, version, sha256_of(target))
    kept = [
        line for line in lock_file().read_text().splitlines() if f"{group}:{artifact}:" not in line
    ]
    lock_file().write_text("\n".join([*kept, f"{jar.coordinates} {jar.sha256}"]) + "\n")
    return jar


def _read_url(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.read()
    except OSError as error:
        raise JarError(
            f"cannot download {url}: {error}. Offline? Copy a .jars/ folder from a machine "
            "that ran `make setup`, or set MAVEN_REPOSITORY_URL to a mirror you reach."
        ) from error


def _download(url: str, target: Path) -> None:
    """Write the file next to its target first, so a broken download never looks whole."""
    body = _read_url(url)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as handle:
        handle.write(body)
    # A temporary file is private (0600); a jar is for every user that runs Spark.
    os.chmod(handle.name, 0o644)
    os.replace(handle.name, target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["fetch", "paths", "add"])
    parser.add_argument("coordinates", nargs="?", help="add: group:artifact:version")
    args = parser.parse_args(argv)
    try:
        if args.command == "fetch":
            for path in fetch():
                print(f"{path.name}: checksum ok ({path.parent})")
        elif args.command == "paths":
            print(",".join(str(path) for path in paths()))
        else:
            if not args.coordinates:
                parser.error("add needs group:artifact:version")
            jar = add(args.coordinates)
            print(f"{jar.coordinates} {jar.sha256} -> {lock_file()}")
    except JarError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
