"""Every package is pinned and locked with hashes, and the lock files say
what requirements*.txt say (`make lock` makes them anew)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==([^\s;\\]+)")


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    """name -> version for each `name[extras]==version` line of `path`,
    following `-r` includes."""
    found: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("-r "):
            found.update(pins(path.parent / line[3:].strip()))
        elif match := PIN.match(line):
            found[_name(match[1])] = match[2]
    return found


def locked(path: Path) -> dict[str, list[str]]:
    """name==version -> its hashes, for each package in a lock file."""
    packages: dict[str, list[str]] = {}
    current = None
    for line in path.read_text().splitlines():
        if match := PIN.match(line):
            current = f"{_name(match[1])}=={match[2]}"
            packages[current] = []
        elif current and (hashed := re.search(r"--hash=sha256:([0-9a-f]{64})", line)):
            packages[current].append(hashed[1])
    return packages


@pytest.mark.parametrize(
    ("wanted", "lock"),
    [
        ("requirements.txt", "requirements.lock"),
        ("requirements-dev.txt", "requirements-dev.lock"),
    ],
)
def test_each_pin_is_in_its_lock_file_with_hashes(wanted, lock):
    every = locked(ROOT / lock)
    assert every, f"{lock} lists no packages"
    for name, version in pins(ROOT / wanted).items():
        assert f"{name}=={version}" in every, (
            f"{name}=={version} is in {wanted} but not {lock}: run `make lock`"
        )
    unhashed = [package for package, hashes in every.items() if not hashes]
    assert unhashed == []


def test_every_requirement_is_pinned_exactly():
    for path in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / path).read_text().splitlines():
            line = line.strip()
            if line and not line.startswith(("#", "-r ")):
                assert PIN.match(line), f"{path}: {line!r} is not pinned with =="


def test_the_production_lock_holds_no_test_tools():
    production = {
        package.split("==")[0] for package in locked(ROOT / "requirements.lock")
    }
    assert not production & {"pytest", "moto", "playwright", "ruff", "uv"}


def test_moto_brings_its_s3_server_only():
    """moto's `server` extra brings every AWS service's dependencies."""
    dev = {package.split("==")[0] for package in locked(ROOT / "requirements-dev.lock")}
    assert {"moto", "flask", "flask-cors"} <= dev
    assert not dev & {"cfn-lint", "docker", "aws-xray-sdk", "graphql-core"}
