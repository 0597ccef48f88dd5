"""Static guards on what the browser gets: assets from the lock file, templates the CSP allows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from kliento.core.templatetags.kliento import icon_path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "kliento"
TEMPLATES = sorted(SRC.glob("**/templates/**/*.html"))
SCRIPTS = sorted(p for p in SRC.glob("**/static/kliento/js/*.js"))
STYLES = sorted(SRC.glob("**/static/kliento/css/*.css"))


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_every_front_end_package_is_pinned_with_a_checksum():
    manifest = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    for name, version in manifest["dependencies"].items():
        entry = lock[f"node_modules/{name}"]
        assert entry["version"] == version, name
        assert entry["integrity"].startswith("sha512-"), name


def test_the_installed_assets_are_the_ones_the_manifest_names():
    wanted = json.loads((ROOT / "package.json").read_text())["kliento"]["static"]
    for pattern, target in wanted.items():
        if target.endswith("/"):
            assert finders.find(f"kliento/vendor/{target}" + "menu.svg") or "icons" not in target
        else:
            assert finders.find(f"kliento/vendor/{target}"), (
                f"{pattern} -> {target}: run dev.py setup"
            )


@pytest.mark.parametrize("template", TEMPLATES, ids=_rel)
def test_templates_hold_nothing_the_content_security_policy_forbids(template: Path):
    html = template.read_text()
    problems = [
        "an inline <script> (put the code in a static .js file)"
        for match in re.finditer(r"<script\b([^>]*)>", html)
        if "src=" not in match.group(1)
    ]
    if re.search(r"\sstyle\s*=", html):
        problems.append("a style= attribute (use a class)")
    if re.search(r"\son[a-z]+\s*=", html):
        problems.append("an inline event handler (on...=)")
    if re.search(r"\shx-on[:-]", html):
        problems.append("hx-on (htmx eval is off)")
    if re.search(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", html) and not _only_links(html):
        problems.append("an asset from another host")
    assert not problems, f"{_rel(template)}: {problems}"


def _only_links(html: str) -> bool:
    """Absolute URLs are allowed only as links a person clicks (<a href>), never as assets."""
    for match in re.finditer(r"""<(\w+)\b[^>]*\s(?:src|href)\s*=\s*["'](?:https?:)?//""", html):
        if match.group(1).lower() != "a":
            return False
    return True


@pytest.mark.parametrize("template", TEMPLATES, ids=_rel)
def test_every_static_file_and_icon_a_template_names_exists(template: Path):
    html = template.read_text()
    for name in re.findall(r"""\{%\s*static\s+['"]([^'"]+)['"]""", html):
        assert finders.find(name), f"{_rel(template)} names a missing static file {name}"
    for name in re.findall(r"""\{%\s*icon\s+['"]([a-z0-9-]+)['"]""", html):
        assert icon_path(name).exists(), f"{_rel(template)}: icon {name}"


@pytest.mark.parametrize("script", SCRIPTS, ids=_rel)
def test_scripts_never_evaluate_strings(script: Path):
    code = script.read_text()
    assert not re.search(r"\beval\s*\(|new Function\s*\(|setTimeout\s*\(\s*['\"]", code), _rel(
        script
    )


@pytest.mark.parametrize("style", STYLES, ids=_rel)
def test_stylesheets_load_nothing_from_another_host(style: Path):
    css = style.read_text()
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", css), _rel(style)
    assert "@import" not in css, _rel(style)
