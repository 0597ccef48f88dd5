"""Takes the README's screenshots: the kanban board, a contact card and My day, in English
and Russian, from the demo data, through the real server and Debian's Chromium.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--user janis]

It loads the demo story (as `kliento demo` does) into a throw-away SQLite database
in a temporary folder, starts `kliento serve` on a free port, signs in as a demo
manager and saves <language>-<page>.png (en-board.png, ru-my-day.png, ...). A page
that does not exist yet (404) is skipped with a message. Chromium is
$KLIENTO_CHROMIUM or /usr/bin/chromium; nothing is downloaded.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
KLIENTO = str(Path(sys.executable).parent / "kliento")
CHROMIUM = os.environ.get("KLIENTO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1440, "height": 900}
LANGUAGES = ("en", "ru")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own server
            return response.status < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except OSError:
        return False


def _load_demo(env: dict[str, str], username: str) -> int | None:
    """Migrates, loads the demo story; returns the id of the manager's busiest contact."""
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count

    from kliento.customers.models import Contact
    from kliento.demo import story

    call_command("migrate", interactive=False, verbosity=0)
    story.load()
    contact = (
        Contact.objects.filter(owner__username=username)
        .annotate(n=Count("activities"))
        .order_by("-n", "pk")
        .first()
    )
    return contact.pk if contact else None


def _shoot(base: str, out: Path, username: str, password: str, contact_id: int | None) -> int:
    from playwright.sync_api import sync_playwright

    pages = [("board", "/board/"), ("my-day", "/my-day/")]
    if contact_id is not None:
        pages.insert(1, ("contact", f"/contacts/{contact_id}/"))
    else:
        print(f"skipped the contact card: {username} owns no contact")
    saved = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for language in LANGUAGES:
            context = browser.new_context(base_url=base, viewport=VIEWPORT, locale=language)
            page = context.new_page()
            page.goto("/sign-in/")
            # (by id: with a Russian browser the sign-in page is in Russian already)
            page.locator("#f-username").fill(username)
            page.locator("#f-password").fill(password)
            with page.expect_navigation():
                page.locator("form.stack button[type=submit]").click()
            if "/sign-in/" in page.url:
                raise SystemExit(f"could not sign in as {username}")
            # The language switcher of the account menu saves the choice on the user.
            page.locator("summary.avatar").click()
            page.locator("#lang-select").select_option(language)
            with page.expect_navigation():
                page.locator("#lang-select ~ button[type=submit]").click()
            for name, path in pages:
                response = page.goto(path)
                status = response.status if response else 0
                if status == 404:
                    print(f"skipped {language}-{name}: {path} does not exist yet (404)")
                    continue
                if status != 200:
                    raise SystemExit(f"{path} answered {status}")
                page.wait_for_load_state("networkidle")  # htmx parts (timeline, columns)
                target = out / f"{language}-{name}.png"
                page.screenshot(path=str(target))
                print(f"saved {target}")
                saved += 1
            context.close()
        browser.close()
    return saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--user", default="janis", help="demo user to sign in as")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"no Chromium at {CHROMIUM} (set KLIENTO_CHROMIUM)", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kliento-screenshots-") as tmp:
        env = {
            "DJANGO_SETTINGS_MODULE": "kliento.settings.dev",
            "KLIENTO_DEBUG": "0",
            "KLIENTO_DATA_DIR": tmp,
            "DATABASE_URL": f"sqlite:///{tmp}/demo.sqlite3",
            "KLIENTO_ALLOWED_HOSTS": "127.0.0.1",
        }
        print("Loading the demo data …", flush=True)
        contact_id = _load_demo(env, args.user)
        from kliento.demo.base import DEMO_PASSWORD

        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        log = (Path(tmp) / "server.log").open("wb")
        server = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
            [KLIENTO, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            cwd=REPO,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 30
            while not _answers(base + "/sign-in/"):
                if server.poll() is not None or time.monotonic() > deadline:
                    print("the server did not start:", file=sys.stderr)
                    print((Path(tmp) / "server.log").read_text()[-3000:], file=sys.stderr)
                    return 1
                time.sleep(0.1)
            saved = _shoot(base, args.out, args.user, DEMO_PASSWORD, contact_id)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            log.close()
    print(f"{saved} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
