"""The `kliento` command: demo, serve, worker, createuser, token, seed, manage."""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any, NoReturn

from kliento.core.limits import URI_LIMIT

DEFAULT_SETTINGS = "kliento.settings.dev"


class UsageError(Exception):
    """A bad argument: reported on one line, exit status 2."""


class Failure(Exception):
    """A command that cannot be done: reported on one line, exit status 1."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def _port(text: str) -> int:
    value = _positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kliento", description="Kliento, a self-hosted CRM.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    demo = sub.add_parser("demo", help="migrate, load demo data, run web + worker")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=_port, default=8000)

    serve = sub.add_parser("serve", help="run the production web server (gunicorn)")
    serve.add_argument("--bind", default="127.0.0.1:8000")
    serve.add_argument("--workers", type=_positive_int, default=2)

    sub.add_parser("worker", help="run the background worker (django-q2 cluster)")

    from kliento.core.choices import Role

    user = sub.add_parser("createuser", help="create a user with a role")
    user.add_argument("--username", required=True)
    user.add_argument("--password", required=True)
    user.add_argument("--role", required=True, choices=Role.values)
    user.add_argument("--team")
    user.add_argument("--email", default="")

    token = sub.add_parser("token", help="print a new API token for a user")
    token.add_argument("username")
    token.add_argument("--name", default="cli")

    seed = sub.add_parser("seed", help="add scale data (contacts, companies, deals, activities)")
    seed.add_argument("--contacts", type=_positive_int, required=True)
    seed.add_argument("--seed", type=int, default=1, help="random seed (default 1)")

    sub.add_parser("manage", help="Django's management commands (kliento manage help)")
    return parser


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    import django

    django.setup()


def _migrate() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print("Preparing the database …", flush=True)
        call_command("migrate", interactive=False, verbosity=0)


# --- commands ---------------------------------------------------------------------------------


def cmd_createuser(args: argparse.Namespace) -> int:
    _setup()
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from kliento.core import first_run
    from kliento.core.accounts import admin_exists
    from kliento.core.actors import Actor
    from kliento.core.models import Team, User

    if not args.username.strip() or len(args.username) > 150:
        raise UsageError("--username must be 1 to 150 characters")
    if User.objects.filter(username=args.username).exists():
        raise Failure(f"user {args.username!r} already exists")
    try:
        validate_password(args.password, User(username=args.username, email=args.email))
    except ValidationError as exc:
        raise UsageError("--password: " + " ".join(exc.messages)) from None
    with transaction.atomic():
        first_admin = args.role == "admin" and not admin_exists()
        team = Team.objects.get_or_create(name=args.team)[0] if args.team else None
        user = User(
            username=args.username,
            email=args.email,
            role=args.role,
            team=team,
            is_staff=args.role == "admin",
            is_superuser=args.role == "admin",
        )
        user.set_password(args.password)
        user.save()
        if first_admin:  # a new install: the first pipeline and reasons come with it
            first_run.run(Actor.of_user(user))
    team_text = f", team {team.name}" if team else ""
    print(f"Created user {user.username} ({user.role}{team_text}).")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    _setup()
    from kliento.core.models import User
    from kliento.core.tokens import token_issue

    user = User.objects.filter(username=args.username, is_active=True).first()
    if user is None:
        raise Failure(f"no active user {args.username!r}")
    _, key = token_issue(user=user, name=args.name)
    print(key)
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    _setup()
    _migrate()
    from kliento.demo import scale

    scale.seed(contacts=args.contacts, seed=args.seed, out=sys.stdout)
    return 0


# --- the worker -------------------------------------------------------------------------------
#
# django-q2's cluster stops on a signal to its main process only: a service manager
# signals the whole process group, its sentinel dies at once (SIGTERM is left at
# the default there), and the main process then waits for ever on an event the
# dead sentinel was sleeping on. So every process of the cluster starts with the
# stop signals blocked, except that a task worker takes SIGTERM (django-q2 needs
# it for timed-out tasks); the main process waits for a signal itself and stops
# the cluster: idle workers exit, a busy one finishes its task within the grace
# period or is stopped and its task goes back to the queue (run again after
# `retry`; tasks are idempotent).

STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


def _worker_takes_sigterm(**kwargs: Any) -> None:
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})


def _descendants(pid: int) -> list[int]:
    """The processes below `pid` (Linux /proc; empty elsewhere)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        children = [child for child, ppid in parents.items() if ppid == parent]
        found += children
        todo += children
    return found


def _signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


def _stop_cluster(cluster: Any, grace: float) -> None:
    cluster.stop_event.set()
    cluster.sentinel.join(grace)
    if cluster.sentinel.is_alive():
        # Only task workers take SIGTERM: their tasks go back to the queue.
        _signal_all(_descendants(os.getpid()), signal.SIGTERM)
        cluster.sentinel.join(grace)
    if cluster.sentinel.is_alive():
        _signal_all(_descendants(os.getpid()), signal.SIGKILL)
        cluster.sentinel.join(5)


def cmd_worker(args: argparse.Namespace) -> int:
    _setup()
    from django_q.cluster import Cluster
    from django_q.signals import post_spawn

    from kliento.core import events, schedules

    schedules.sync()  # the periodic jobs the installed apps registered
    grace = float(os.environ.get("KLIENTO_WORKER_STOP_SECONDS", "10"))
    post_spawn.connect(_worker_takes_sigterm, weak=False)
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    cluster = Cluster()
    cluster.start()
    # The domain events' dispatcher runs beside the cluster, in this process (a thread
    # started after the cluster forked; it inherits the blocked stop signals).
    dispatcher_stop = threading.Event()
    dispatcher = threading.Thread(
        target=events.run_dispatcher,
        args=(dispatcher_stop,),
        kwargs={"interval": float(os.environ.get("KLIENTO_EVENT_POLL", "1"))},
        name="event-dispatcher",
        daemon=True,
    )
    dispatcher.start()
    try:
        while cluster.sentinel.is_alive():
            received = signal.sigtimedwait(STOP_SIGNALS, 0.5)
            if received is not None:
                _say(f"kliento worker: stopping on {signal.Signals(received.si_signo).name}")
                return 0
        _say("kliento: error: the worker's cluster stopped by itself", error=True)
        return 1
    finally:
        # A handler's transaction in progress ends (commits or rolls back) before we go.
        dispatcher_stop.set()
        dispatcher.join(grace)
        # Also on an error here: never leave the cluster running without its main process.
        if cluster.sentinel.is_alive():
            _stop_cluster(cluster, grace)


def _say(text: str, error: bool = False) -> None:
    # Whoever started us may have closed our output already; stopping matters more.
    with contextlib.suppress(OSError):
        print(text, file=sys.stderr if error else sys.stdout, flush=True)


def _gunicorn_argv(bind: str, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--bind",
        bind,
        "--access-logfile",
        "-" if os.environ.get("KLIENTO_ACCESS_LOG") else "/dev/null",
        # gunicorn's control socket is one path per system user: two servers on one
        # machine (tests, several instances) would share it.
        "--no-control-socket",
        "--limit-request-line",
        str(URI_LIMIT),
        # Load Django once in the master before forking: the port opens only when the
        # application is ready, and workers share the imported code's memory.
        "--preload",
        "kliento.wsgi:application",
    ]


def cmd_serve(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    argv = _gunicorn_argv(args.bind, args.workers)
    os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn
    return 0  # pragma: no cover


def _ensure_demo_admin() -> str:
    """The banner line about the admin: created now, or already there."""
    from kliento.core.choices import Role
    from kliento.core.models import User
    from kliento.demo.base import DEMO_PASSWORD

    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = User(username="admin", role=Role.ADMIN, is_staff=True, is_superuser=True)
        admin.first_name, admin.last_name = "Demo", "Admin"
        admin.set_password(DEMO_PASSWORD)
        admin.save()
        return f"sign in as admin / {DEMO_PASSWORD}"
    if admin.check_password(DEMO_PASSWORD):
        return f"sign in as admin / {DEMO_PASSWORD}"
    return (
        "sign in as admin (its password was changed; reset it with "
        "`kliento manage changepassword admin`)"
    )


def _wait_until_serving(
    host: str, port: int, process: subprocess.Popen[Any], seconds: float
) -> bool:
    """True once the server answers an HTTP request, not merely once its port is open."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        conn = http.client.HTTPConnection(host, port, timeout=max(0.5, deadline - time.monotonic()))
        try:
            conn.request("GET", "/api/v1/openapi.json")
            if conn.getresponse().status < 500:
                return True
        except OSError:
            time.sleep(0.2)
        finally:
            conn.close()
    return False


def _stop(children: Sequence[subprocess.Popen[Any]], grace: float = 20.0) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def cmd_demo(args: argparse.Namespace) -> int:
    _setup()
    _migrate()
    from kliento.demo import story

    if story.is_loaded():
        print("Demo data already loaded.", flush=True)
    else:
        print("Loading the demo data …", flush=True)
        story.load()
    sign_in = _ensure_demo_admin()

    env = dict(os.environ)
    web = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
        _gunicorn_argv(f"{args.host}:{args.port}", 2), env=env, start_new_session=True
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "kliento.cli", "worker"],
        env=env,
        start_new_session=True,
    )
    children = [web, worker]
    stopping: list[int] = []

    def _on_signal(signum: int, frame: object) -> None:
        stopping.append(signum)

    previous = {s: signal.signal(s, _on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        if not _wait_until_serving(args.host, args.port, web, 60) and not stopping:
            print("kliento: error: the web server did not start", file=sys.stderr)
            _stop(children)
            return 1
        if not stopping:
            base = f"http://{args.host}:{args.port}"
            print(f"Kliento is running at {base} — {sign_in}", flush=True)
            print(f"API docs: {base}/api/v1/docs   (Ctrl-C stops web and worker)", flush=True)
            print(
                f"Other demo users ({', '.join(story.DEMO_USERNAMES)}) use the password "
                f"{story.DEMO_PASSWORD}.",
                flush=True,
            )
        while not stopping:
            dead = [c for c in children if c.poll() is not None]
            if dead:
                name = "web server" if dead[0] is web else "worker"
                print(
                    f"kliento: error: the {name} stopped (exit {dead[0].returncode}); "
                    "stopping the rest",
                    file=sys.stderr,
                    flush=True,
                )
                _stop(children)
                return 1
            time.sleep(0.2)
        print("Stopping Kliento …", flush=True)
        _stop(children)
        return 0
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        _stop(children, grace=5)


COMMANDS = {
    "demo": cmd_demo,
    "serve": cmd_serve,
    "worker": cmd_worker,
    "createuser": cmd_createuser,
    "token": cmd_token,
    "seed": cmd_seed,
}


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] == "manage":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
        from django.core.management import execute_from_command_line

        execute_from_command_line(["kliento manage", *args_list[1:]])
        return 0
    try:
        args = _parser().parse_args(args_list)
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"kliento: error: {exc} (see kliento --help)", file=sys.stderr)
        return 2
    except Failure as exc:
        print(f"kliento: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
