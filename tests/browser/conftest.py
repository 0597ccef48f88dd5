"""Browser tests: Debian's Chromium (Playwright) against the real production server.

The server is `kliento serve` (gunicorn) in a subprocess, started once per test
session against the test database; each test gets the database through
`transactional_db`, so the rows it creates are committed and the server sees them.

Every page a test opens is watched: a request to any host but the live server's,
a console error, an uncaught script error, a Content-Security-Policy violation
or a dialog fails the test, unless the test says it expects it
(`page.watch.allow_console(pattern)`, `page.watch.allow_dialogs(accept=...)`).
A server error (5xx) fails it too, with the server's log of the error.

Fixtures: `live_server` (.url), `page` (1280x800), `phone` (375x740, touch),
`person(role, **fields)` (a user who signs in with PASSWORD), `manager_user`,
`admin_user`; helper: `signed_in(page, user)`.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from kliento.core.models import User
from tests.worker.conftest import KLIENTO, REPO, database_url, free_port

PASSWORD = "secret-pass-123"  # tests/factories.py
CHROMIUM = os.environ.get("KLIENTO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
TIMEOUT_MS = 10_000

# Runs before any script of every page: collects CSP violations on window and
# reports each at once to the test (the window's list is lost on navigation).
WATCH_SCRIPT = """
(() => {
  window.__klientoCsp = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    const text = e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
      " at " + e.sourceFile + ":" + e.lineNumber;
    window.__klientoCsp.push(text);
    if (window.__klientoReportCsp) window.__klientoReportCsp(text);
  });
})();
"""


# --- the server -------------------------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def netloc(self) -> str:
        return urlsplit(self.url).netloc

    def logs(self) -> str:
        """The last error the server logged (from its first line), else the log's tail."""
        text = self.log.read_text(errors="replace")
        start = text.rfind("Internal Server Error")
        return text[start : start + 8000] if start >= 0 else text[-4000:]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own server
            return response.status < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except OSError:
        return False


@pytest.fixture(scope="session")
def _kliento_server(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """`kliento serve` on a free port, against the test database, for the whole session."""
    with django_db_blocker.unblock():
        db_url = database_url()
    data_dir = tmp_path_factory.mktemp("kliento-server")
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kliento.settings.test",
        "DATABASE_URL": db_url,
        "KLIENTO_DEBUG": "0",
        "KLIENTO_DATA_DIR": str(data_dir),
        # No idle connection outlives a request: the test flushes the tables after
        # each test and drops the database at the end.
        "KLIENTO_DB_CONN_MAX_AGE": "0",
        "KLIENTO_ALLOWED_HOSTS": "127.0.0.1",
        "PYTHONPATH": str(REPO),
    }
    for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", "KLIENTO_ACCESS_LOG"):
        env.pop(name, None)
    log = data_dir / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [KLIENTO, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + 30
        while not _answers(server.url + "/sign-in/"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the server did not start\n{server.logs()}")
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def live_server(_kliento_server: LiveServer, transactional_db: None) -> LiveServer:
    """The running server; this test's rows are committed, so it sees them."""
    if _kliento_server.process.poll() is not None:
        raise AssertionError(f"the server stopped\n{_kliento_server.logs()}")
    return _kliento_server


@pytest.fixture(autouse=True)
def _live_server_helper() -> None:
    """Replaces pytest-django's helper, which configures an in-process server we do not use."""


# --- the browser --------------------------------------------------------------------------


@dataclass
class Watch:
    """What the pages of one browser context did that a page must never do."""

    own_host: str
    own_requests: int = 0
    foreign_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    allowed_console: list[re.Pattern[str]] = field(default_factory=list)
    dialogs_expected: bool = False
    dialog_answer: tuple[bool, str | None] = (False, None)  # accept?, text for a prompt

    def allow_console(self, pattern: str) -> None:
        """Console errors matching `pattern` are expected by this test."""
        self.allowed_console.append(re.compile(pattern))

    def allow_dialogs(self, *, accept: bool = False, prompt_text: str | None = None) -> None:
        """Dialogs are expected: each is accepted (with `prompt_text`) or dismissed."""
        self.dialogs_expected = True
        self.dialog_answer = (accept, prompt_text)

    def on_request(self, request: Any) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if parts.netloc == self.own_host:
            self.own_requests += 1
        else:
            self.foreign_requests.append(request.url)

    def on_response(self, response: Any) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.request.method} {response.url}")

    def on_console(self, message: Any) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def on_page_error(self, web_error: Any) -> None:
        where = web_error.page.url if web_error.page else "?"
        self.console_errors.append(f"uncaught: {web_error.error} (on {where})")

    def on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        accept, prompt_text = self.dialog_answer
        if accept:
            dialog.accept(*([prompt_text] if prompt_text is not None else []))
        else:
            dialog.dismiss()

    def problems(self) -> list[str]:
        found = [f"server error: {text}" for text in self.server_errors]
        found += [f"request to another host: {url}" for url in self.foreign_requests]
        found += [f"CSP violation: {text}" for text in self.csp_violations]
        found += [
            f"console error: {text}"
            for text in self.console_errors
            if not any(p.search(text) for p in self.allowed_console)
        ]
        if not self.dialogs_expected:
            found += [f"dialog: {text}" for text in self.dialogs]
        return found


@pytest.fixture(scope="module")
def browser(_kliento_server: LiveServer) -> Iterator[Browser]:
    """Chromium for one test module.

    Playwright's sync API keeps an asyncio loop running in this thread, and Django
    refuses ORM calls (the test's data, the flush after each test) while one runs;
    so for as long as the browser is open, and only then, Django is told that
    this thread is safe. Hence a module-scoped browser rather than a session one.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _watched_context(browser: Browser, server: LiveServer, **options: Any) -> BrowserContext:
    context = browser.new_context(base_url=server.url, locale="en-US", **options)
    context.set_default_timeout(TIMEOUT_MS)
    watch = Watch(own_host=server.netloc)
    context.expose_binding(
        "__klientoReportCsp", lambda source, text: watch.csp_violations.append(text)
    )
    context.add_init_script(WATCH_SCRIPT)
    context.on("request", watch.on_request)
    context.on("response", watch.on_response)
    context.on("console", watch.on_console)
    context.on("weberror", watch.on_page_error)
    context.on("dialog", watch.on_dialog)
    context.watch = watch  # type: ignore[attr-defined]
    context.server = server  # type: ignore[attr-defined]
    return context


def _open_page(context: BrowserContext) -> Page:
    page = context.new_page()
    page.watch = context.watch  # type: ignore[attr-defined]
    return page


def _check(context: BrowserContext) -> None:
    watch: Watch = context.watch  # type: ignore[attr-defined]
    context.close()
    problems = watch.problems()
    report = "the pages did what no page may do:\n" + "\n".join(problems)
    if watch.server_errors:
        report += "\n--- server log:\n" + context.server.logs()  # type: ignore[attr-defined]
    assert not problems, report


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    """A fresh laptop-sized browser context (no cookies); checked at the end of the test."""
    ctx = _watched_context(browser, live_server, viewport=LAPTOP)
    yield ctx
    _check(ctx)


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return _open_page(context)


@pytest.fixture
def phone(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A page in a phone-sized, touch browser context; checked at the end of the test."""
    ctx = _watched_context(browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True)
    yield _open_page(ctx)
    _check(ctx)


# --- helpers -------------------------------------------------------------------------------


def signed_in(page: Page, user: User, password: str = PASSWORD) -> Page:
    """Signs `user` in through the sign-in form and waits for the page behind it."""
    page.goto("/sign-in/")
    page.get_by_label("Username", exact=True).fill(user.username)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert "/sign-in/" not in page.url, page.locator("[role=alert]").all_inner_texts()
    return page


@pytest.fixture
def person(make_user: Callable[..., User]) -> Callable[..., User]:
    """Makes saved users who can sign in with PASSWORD (the factory leaves it unsaved).

    An administrator exists first, as on any installed site (without one, every
    visitor is sent to the first-run page).
    """
    from kliento.core.choices import Role

    def make(*args: Any, **kwargs: Any) -> User:
        user = make_user(*args, **kwargs)
        user.save()
        return user

    if not User.objects.filter(role=Role.ADMIN).exists():
        make(Role.ADMIN, is_staff=True, is_superuser=True, username="site-admin")
    return make


@pytest.fixture
def admin_user(person: Callable[..., User]) -> User:
    return User.objects.get(username="site-admin")


@pytest.fixture
def manager_user(person: Callable[..., User]) -> User:
    return person(username="manager-anna", first_name="Anna", last_name="Ozola")


def xss_flag(page: Page) -> Any:
    return page.evaluate("() => window.__xss")
