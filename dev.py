#!/usr/bin/env python3
"""Set up Kliento on a fresh machine and run it or its tests.

    python3 dev.py demo    # install, migrate, load demo data, run web + worker
    python3 dev.py test    # install, run the whole test suite

Needs only Python 3.11+ and the package registry. If `uv` is not on PATH, its
wheel is fetched from PyPI (checked against PyPI's sha256) and unpacked into
`.tools/`; uv then builds `.venv` from the committed `uv.lock`.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import shutil
import stat
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
TOOLS = ROOT / ".tools"
UV_VERSION = "0.13.9"


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


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "setup"}:
        print(__doc__)
        return 2
    uv = _uv()
    _sync(uv)
    command, rest = argv[0], argv[1:]
    run = [uv, "run", "--locked", "--no-sync"]
    if command == "setup":
        return 0
    args = [*run, "kliento", "demo", *rest] if command == "demo" else [*run, "pytest", *rest]
    return subprocess.call(args, cwd=ROOT, env=_env())  # noqa: S603


if __name__ == "__main__":
    try:
        raise SystemExit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        raise SystemExit(130) from None
