#!/usr/bin/env python3
"""Set up Kliento on a fresh machine and run it or its tests.

    python3 dev.py demo    # install, migrate, load demo data, run web + worker
    python3 dev.py test    # install, run the whole test suite

and for developers:

    python3 dev.py lint       # ruff, the import contracts, the migrations check
    python3 dev.py fmt        # ruff format and the fixable lint rules
    python3 dev.py typecheck  # mypy (strict) over the whole tree
    python3 dev.py snapshot   # write the OpenAPI snapshot the tests compare against
    python3 dev.py messages   # bring the en/ru/lv/mn catalogues in step with the code

Needs only Python 3.11+ and the package registries. If `uv` is not on PATH, its
wheel is fetched from PyPI (checked against PyPI's sha256) and unpacked into
`.tools/`; uv then builds `.venv` from the committed `uv.lock`. The front-end
assets are fetched from the npm registry as `package-lock.json` pins them
(checked against its sha512) and unpacked into Kliento's static folder; no
Node.js is needed. `test` also installs Debian's Chromium for the browser tests
when it is missing and the machine allows it.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import io
import json
import os
import platform
import shutil
import stat
import subprocess
import sys
import tarfile
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
TOOLS = ROOT / ".tools"
UV_VERSION = "0.13.9"
VENDOR = ROOT / "src" / "kliento" / "core" / "static" / "kliento" / "vendor"
# Icons are inlined into the pages, so they stay out of the static files: the static
# file server indexes every file it may serve when it starts.
ICONS = ROOT / "src" / "kliento" / "core" / "icons"
DESTINATIONS = {"static": VENDOR, "icons": ICONS}
NPM_REGISTRY = os.environ.get("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org").rstrip("/")
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "kliento" / "npm"
CHROMIUM = os.environ.get("KLIENTO_CHROMIUM", "/usr/bin/chromium")


def _wheel_tag() -> str:
    machine = platform.machine().lower()
    arch = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}
    if sys.platform.startswith("linux"):
        return f"manylinux_2_17_{arch.get(machine, machine)}"
    if sys.platform == "darwin":
        return "macosx_11_0_arm64" if arch.get(machine) == "aarch64" else "macosx_10_12_x86_64"
    sys.exit("dev.py: install uv yourself on this platform (https://pypi.org/project/uv/)")


def _fetch_uv() -> Path:
    target = TOOLS / "uv"
    if target.exists():
        return target
    print(f"dev.py: fetching uv {UV_VERSION} from PyPI …", flush=True)
    index = os.environ.get("UV_INDEX_URL", "https://pypi.org/simple").rstrip("/")
    request = urllib.request.Request(  # noqa: S310 - an https index URL
        f"{index}/uv/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(request, timeout=60) as resp:  # noqa: S310
        files = json.load(resp)["files"]
    prefix, tag = f"uv-{UV_VERSION}-", _wheel_tag()
    wheel = next(
        (f for f in files if f["filename"].startswith(prefix) and tag in f["filename"]),
        None,
    )
    if wheel is None:
        sys.exit(f"dev.py: no uv wheel for {tag}; install uv yourself")
    with urllib.request.urlopen(wheel["url"], timeout=300) as resp:  # noqa: S310
        data = resp.read()
    if hashlib.sha256(data).hexdigest() != wheel["hashes"]["sha256"]:
        sys.exit("dev.py: the uv wheel does not match PyPI's checksum; refusing it")
    TOOLS.mkdir(exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        member = next(n for n in zf.namelist() if n.endswith("/scripts/uv"))
        target.write_bytes(zf.read(member))
    target.chmod(target.stat().st_mode | stat.S_IEXEC | stat.S_IXGRP | stat.S_IXOTH)
    return target


def _uv() -> str:
    found = shutil.which("uv")
    return found if found else str(_fetch_uv())


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["UV_PYTHON_DOWNLOADS"] = "never"
    env.setdefault("UV_PYTHON", sys.executable)
    return env


def _sync(uv: str) -> None:
    subprocess.run([uv, "sync", "--locked", "--quiet"], cwd=ROOT, env=_env(), check=True)  # noqa: S603


def _tarball(name: str, entry: dict[str, str]) -> bytes:
    """The package's tarball, from the cache or the registry, checked against the lock."""
    algorithm, _, expected = entry["integrity"].partition("-")
    cached = CACHE / f"{hashlib.sha256(entry['integrity'].encode()).hexdigest()}.tgz"
    if cached.exists():
        data = cached.read_bytes()
    else:
        base = name.rsplit("/", 1)[-1]
        url = entry.get("resolved") or f"{NPM_REGISTRY}/{name}/-/{base}-{entry['version']}.tgz"
        print(f"dev.py: fetching {name} {entry['version']} from the npm registry …", flush=True)
        with urllib.request.urlopen(url, timeout=300) as resp:  # noqa: S310 - registry URL
            data = resp.read()
    digest = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if digest != expected:
        sys.exit(f"dev.py: {name} does not match package-lock.json's {algorithm}; refusing it")
    CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(data)
    return data


def _unpack(name: str, data: bytes, wanted: dict[str, tuple[Path, str]]) -> None:
    """Writes each file of the tarball that a pattern of `wanted` names to its (folder,
    target): a target that is empty or ends in "/" keeps the file's own name."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            inner = member.name.split("/", 1)[1]  # tarballs hold package/<path>
            for pattern, (folder, target) in wanted.items():
                if not fnmatch.fnmatch(f"{name}/{inner}", pattern):
                    continue
                dest = folder / target
                if target == "" or target.endswith("/"):
                    dest = dest / Path(inner).name
                dest.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                assert source is not None
                dest.write_bytes(source.read())


def _assets() -> None:
    """Unpack the front-end files package.json names, at the versions the lock pins."""
    lock_bytes = (ROOT / "package-lock.json").read_bytes()
    stamp = VENDOR / ".lock-sha256"
    lock_hash = hashlib.sha256(lock_bytes + (ROOT / "package.json").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == lock_hash:
        return
    named = json.loads((ROOT / "package.json").read_text())["kliento"]
    wanted = {
        pattern: (folder, target)
        for part, folder in DESTINATIONS.items()
        for pattern, target in named.get(part, {}).items()
    }
    packages = json.loads(lock_bytes)["packages"]
    for folder in DESTINATIONS.values():
        shutil.rmtree(folder, ignore_errors=True)
    for key, entry in packages.items():
        if not key.startswith("node_modules/"):
            continue
        name = key.removeprefix("node_modules/")
        mine = {p: t for p, t in wanted.items() if p.startswith(name + "/")}
        if mine:
            _unpack(name, _tarball(name, entry), mine)
    VENDOR.mkdir(parents=True, exist_ok=True)
    stamp.write_text(lock_hash)


def _chromium() -> None:
    """Debian's Chromium drives the browser tests; install it if we may."""
    if Path(CHROMIUM).exists():
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("dev.py: installing Debian's chromium for the browser tests …", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        apt = shutil.which("apt-get") or "apt-get"
        install = [apt, "install", "-y", "-q", "--no-install-recommends", "chromium"]
        if subprocess.call(install, env=env) != 0:  # noqa: S603
            subprocess.call([apt, "update", "-q"], env=env)  # noqa: S603
            subprocess.run(install, env=env, check=True)  # noqa: S603
        return
    sys.exit(
        f"dev.py: the browser tests need Chromium at {CHROMIUM}: "
        "run `sudo apt-get install chromium` (or set KLIENTO_CHROMIUM)"
    )


# The developer commands: each is a list of steps run in order, stopping at the first failure.
_LANGUAGES = ["-l", "ru", "-l", "lv", "-l", "mn"]
_CHECK_SETTINGS = {"DJANGO_SETTINGS_MODULE": "kliento.settings.test"}
TOOLS_STEPS: dict[str, list[list[str]]] = {
    "lint": [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["lint-imports"],
        ["kliento", "manage", "makemigrations", "--check", "--dry-run"],
    ],
    "fmt": [["ruff", "check", "--fix", "."], ["ruff", "format", "."]],
    "typecheck": [["mypy", "src/kliento"]],
    "snapshot": [["pytest", "-q", "-n", "0", "tests/test_openapi_snapshot.py"]],
    "messages": [
        ["kliento", "manage", "makemessages", *_LANGUAGES, "--no-obsolete", "--ignore", "static/*"],
        ["kliento", "manage", "compilemessages"],
    ],
}
_STEP_ENV = {
    "snapshot": {"KLIENTO_UPDATE_SNAPSHOT": "1"},
    "lint": _CHECK_SETTINGS,
    "messages": _CHECK_SETTINGS,
}


def _tool_steps(command: str, run: list[str]) -> int:
    env = {**_env(), **_STEP_ENV.get(command, {})}
    if command == "lint":  # the migrations check runs on the embedded database
        env.pop("DATABASE_URL", None)
    # makemessages works on the package folder, where the catalogues live
    cwd = ROOT / "src" / "kliento" if command == "messages" else ROOT
    for step in TOOLS_STEPS[command]:
        code = subprocess.call([*run, *step], cwd=cwd, env=env)  # noqa: S603
        if code:
            return code
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "setup", *TOOLS_STEPS}:
        print(__doc__)
        return 2
    uv = _uv()
    _sync(uv)
    _assets()
    command, rest = argv[0], argv[1:]
    if command == "test":
        _chromium()
    run = [uv, "run", "--locked", "--no-sync"]
    if command == "setup":
        return 0
    if command in TOOLS_STEPS:
        return _tool_steps(command, run)
    if command == "demo":
        args = [*run, "kliento", "demo", *rest]
    else:  # the suite on every core unless told otherwise (-n 0: one process)
        chosen = any(a.startswith(("-n", "--numprocesses")) for a in rest)
        spread = [] if chosen else ["-n", "auto"]
        args = [*run, "pytest", *spread, *rest]
    return subprocess.call(args, cwd=ROOT, env=_env())  # noqa: S603


if __name__ == "__main__":
    try:
        raise SystemExit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        raise SystemExit(130) from None
