"""The `kliento` command: users, tokens and one-line errors for bad arguments."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kliento.cli import main
from kliento.core.choices import Role
from kliento.core.models import Team, User
from kliento.core.tokens import token_authenticate


def test_createuser_creates_the_user_with_role_and_a_new_team(db, capsys):
    # given no team "Riga office"
    assert not Team.objects.filter(name="Riga office").exists()

    # when
    code = main(
        ["createuser", "--username", "zoe", "--password", "Long-enough-pass-42",
         "--role", "manager", "--team", "Riga office", "--email", "zoe@example.com"]
    )  # fmt: skip

    # then
    assert code == 0
    user = User.objects.get(username="zoe")
    assert user.role == Role.MANAGER
    assert user.team is not None and user.team.name == "Riga office"
    assert user.email == "zoe@example.com"
    assert user.check_password("Long-enough-pass-42")
    assert "Created user zoe" in capsys.readouterr().out


def test_createuser_uses_an_existing_team(db, team):
    code = main(
        ["createuser", "--username", "ann", "--password", "Long-enough-pass-42",
         "--role", "read_only", "--team", team.name]
    )  # fmt: skip

    assert code == 0
    assert User.objects.get(username="ann").team_id == team.pk
    assert Team.objects.filter(name=team.name).count() == 1


def test_createuser_refuses_an_existing_username_on_one_line(db, manager, capsys):
    code = main(
        ["createuser", "--username", manager.username, "--password", "Long-enough-pass-42",
         "--role", "admin"]
    )  # fmt: skip

    assert code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already exists" in err
    assert User.objects.get(pk=manager.pk).role == Role.MANAGER


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--role", "emperor"], "invalid choice"),
        (["--role", "manager", "--password", "short"], "--password"),
    ],
)
def test_createuser_bad_role_or_weak_password_is_one_line_and_creates_nothing(
    db, capsys, args, words
):
    base = ["createuser", "--username", "bob", "--password", "Long-enough-pass-42"]
    code = main(base + args)

    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err
    assert not User.objects.filter(username="bob").exists()


def test_token_prints_a_working_token(db, manager, capsys):
    code = main(["token", manager.username, "--name", "laptop"])

    assert code == 0
    key = capsys.readouterr().out.strip()
    found = token_authenticate(key)
    assert found is not None
    assert found.user == manager
    assert found.name == "laptop"


def test_token_for_an_unknown_user_fails_on_one_line(db, capsys):
    code = main(["token", "nobody"])

    assert code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nobody" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["seed", "--contacts", "-5"],
        ["seed", "--contacts", "abc"],
        ["seed", "--contacts", "0"],
        ["seed"],
        ["frobnicate"],
        [],
        ["demo", "--port", "70000"],
        ["serve", "--workers", "zero"],
        ["createuser", "--username", "x"],
    ],
)
def test_bad_arguments_give_one_line_and_a_non_zero_exit(db, capsys, argv):
    code = main(argv)

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("kliento: error: ")


@pytest.mark.parametrize("value", ["-5", "abc"])
def test_the_installed_command_rejects_bad_seed_sizes(value):
    # The real entry point, as a user would run it (no database is touched).
    done = subprocess.run(
        [sys.executable, "-m", "kliento.cli", "seed", "--contacts", value],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert "--contacts" in done.stderr


def test_manage_runs_django_commands(capsys):
    code = main(["manage", "help", "--commands"])

    assert code == 0
    out = capsys.readouterr().out
    assert "migrate" in out and "qcluster" in out
