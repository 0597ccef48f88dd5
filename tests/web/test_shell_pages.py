"""The pages every user meets first: sign-in, first run, language, notifications, search."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from kliento.core.choices import Role
from kliento.core.models import Notification, User
from kliento.core.web import search as search_registry
from tests.factories import UserFactory

PASSWORD = "secret-pass-123"


@pytest.fixture
def admin_user(db) -> User:
    return UserFactory(role=Role.ADMIN)


def test_sign_in_with_the_right_password_lands_on_my_day(admin_user, manager):
    client = Client()
    response = client.post(
        reverse("core:sign-in"), {"username": manager.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/", follow=True).redirect_chain[-1][0] == reverse("activities:my-day")


def test_a_wrong_password_says_so_and_signs_nobody_in(admin_user, manager):
    client = Client()
    response = client.post(reverse("core:sign-in"), {"username": manager.username, "password": "x"})
    assert response.status_code == 401
    assert "Wrong username or password." in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(KLIENTO_LOGIN_MAX_FAILURES_ACCOUNT=3)
def test_too_many_failures_lock_the_account_with_a_clear_message(admin_user, manager):
    client = Client()
    for _ in range(2):
        client.post(reverse("core:sign-in"), {"username": manager.username, "password": "x"})
    locked = client.post(reverse("core:sign-in"), {"username": manager.username, "password": "x"})
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    # even the right password is refused while locked
    again = client.post(
        reverse("core:sign-in"), {"username": manager.username, "password": PASSWORD}
    )
    assert again.status_code == 429


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_sign_in_never_redirects_to_another_site(admin_user, manager, target):
    response = Client().post(
        reverse("core:sign-in"),
        {"username": manager.username, "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_sign_in_returns_to_the_page_asked_for(admin_user, manager):
    response = Client().post(
        reverse("core:sign-in"),
        {"username": manager.username, "password": PASSWORD, "next": "/notifications/"},
    )
    assert response["Location"] == "/notifications/"


def test_sign_out_is_a_post_and_ends_the_session(admin_user, manager):
    client = Client()
    client.force_login(manager)
    assert client.get(reverse("core:sign-out")).status_code == 405
    assert client.post(reverse("core:sign-out")).status_code == 302
    assert client.get(reverse("activities:my-day")).status_code == 302


def test_a_new_install_asks_for_the_first_administrator(db):
    client = Client()
    assert client.get(reverse("core:sign-in"))["Location"] == reverse("core:welcome")
    response = client.post(
        reverse("core:welcome"),
        {
            "username": "boss",
            "email": "boss@example.com",
            "password": "long-enough-pass-1",
            "password2": "long-enough-pass-1",
        },
    )
    assert response.status_code == 302
    boss = User.objects.get(username="boss")
    assert boss.role == Role.ADMIN and boss.check_password("long-enough-pass-1")
    assert client.get(reverse("activities:my-day")).status_code == 200  # signed in
    # once an administrator exists the page is gone for everyone
    assert Client().get(reverse("core:welcome"))["Location"] == reverse("core:sign-in")
    late = Client().post(
        reverse("core:welcome"),
        {
            "username": "intruder",
            "password": "long-enough-pass-1",
            "password2": "long-enough-pass-1",
        },
    )
    assert late.status_code == 302
    assert not User.objects.filter(username="intruder").exists()


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (
            {"username": "", "password": "long-enough-pass-1", "password2": "long-enough-pass-1"},
            "username",
            "Enter a username.",
        ),
        (
            {"username": "a", "password": "long-enough-pass-1", "password2": "other-pass-2222"},
            "password2",
            "The two passwords differ.",
        ),
        ({"username": "a", "password": "short", "password2": "short"}, "password", "too short"),
        (
            {
                "username": "x" * 151,
                "password": "long-enough-pass-1",
                "password2": "long-enough-pass-1",
            },
            "username",
            "At most 150 characters.",
        ),
    ],
)
def test_the_first_run_form_shows_each_error_under_its_field(db, form, field, message):
    response = Client().post(reverse("core:welcome"), form)
    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="err-{field}"' in html
    assert message in html
    assert not User.objects.exists()


def test_the_first_run_form_escapes_what_it_echoes(db):
    response = Client().post(
        reverse("core:welcome"),
        {
            "username": "<script>alert(1)</script>",
            "email": '"><img src=x onerror=alert(1)>',
            "password": "short",
            "password2": "short",
        },
    )
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_the_language_switch_is_saved_on_the_user(admin_user, manager):
    client = Client()
    client.force_login(manager)
    response = client.post(reverse("core:language"), {"language": "ru", "next": "/notifications/"})
    assert response["Location"] == "/notifications/"
    manager.refresh_from_db()
    assert manager.language == "ru"
    page = client.get(reverse("core:notifications"))
    assert 'lang="ru"' in page.content.decode()
    assert "Уведомления" in page.content.decode()


def test_an_unknown_language_or_a_foreign_next_changes_nothing(admin_user, manager):
    client = Client()
    client.force_login(manager)
    response = client.post(
        reverse("core:language"), {"language": "xx", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    manager.refresh_from_db()
    assert manager.language == "en"


def test_every_page_carries_a_strict_content_security_policy(admin_user, manager):
    client = Client()
    client.force_login(manager)
    policy = client.get(reverse("activities:my-day"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert Client().get(reverse("core:sign-in"))["Content-Security-Policy"] == policy


def test_the_bell_counts_only_ones_own_unread_notifications(admin_user, manager, colleague):
    Notification.objects.create(user=manager, key="a", kind="reminder", title="Call Ilze")
    Notification.objects.create(
        user=manager, key="b", kind="reminder", title="Old", read_at="2026-01-01T00:00Z"
    )
    Notification.objects.create(user=colleague, key="c", kind="reminder", title="Not yours")
    client = Client()
    client.force_login(manager)
    bell = client.get(reverse("core:bell"), headers={"HX-Request": "true"}).content.decode()
    assert '<span class="badge" data-unread>1</span>' in bell
    assert 'hx-trigger="every 60s"' in bell  # it refreshes itself, without a reload loop
    html = client.get(reverse("core:notifications")).content.decode()
    assert "Call Ilze" in html and "Not yours" not in html


def test_marking_a_notification_read_with_htmx_returns_the_row(admin_user, manager):
    note = Notification.objects.create(user=manager, key="a", kind="reminder", title="Call Ilze")
    client = Client()
    client.force_login(manager)
    response = client.post(
        reverse("core:notification-read", args=[note.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="notification" id="notification-{note.pk}"')
    assert 'id="bell"' in html and 'hx-swap-oob="true"' in html  # the bell counts again
    assert "data-unread" not in html  # nothing unread is left
    note.refresh_from_db()
    assert note.read_at is not None


def test_notifications_page_through_with_a_cursor_and_survive_a_bad_one(admin_user, manager):
    for i in range(35):
        Notification.objects.create(user=manager, key=f"k{i}", kind="reminder", title=f"N{i:02d}")
    client = Client()
    client.force_login(manager)
    first = client.get(reverse("core:notifications"))
    assert first.context["page"].next_cursor
    second = client.get(
        reverse("core:notifications"),
        {"cursor": first.context["page"].next_cursor},
        headers={"HX-Request": "true"},
    )
    rows = re.findall(r'id="notification-(\d+)"', first.content.decode() + second.content.decode())
    assert len(rows) == len(set(rows)) == 35
    assert "<html" not in second.content.decode()  # only the rows
    assert client.get(reverse("core:notifications"), {"cursor": "garbage!"}).status_code == 200


def test_the_global_search_asks_only_finders_of_types_the_role_sees(
    admin_user, make_user, monkeypatch
):
    asked: list[str] = []

    def finder(record_type: str) -> search_registry.Finder:
        def find(user, q, limit):
            asked.append(record_type)
            return [search_registry.Hit(f"{record_type}-1", f"{q} hit", "", "/x/")]

        return search_registry.Finder(record_type, record_type, "search", find, order=1)

    monkeypatch.setattr(search_registry, "_FINDERS", {})
    search_registry.register(finder("deal"))
    search_registry.register(finder("contact"))
    marketer = make_user(Role.MARKETER)  # sees no deals
    client = Client()
    client.force_login(marketer)
    response = client.get(
        reverse("core:search"), {"q": "<b>ann</b>"}, headers={"HX-Request": "true"}
    )
    assert asked == ["contact"]
    html = response.content.decode()
    assert "&lt;b&gt;ann&lt;/b&gt; hit" in html and "<b>ann</b>" not in html
    assert 'data-record="contact-1"' in html


def test_pages_without_sign_in_go_to_the_sign_in_page_and_back(admin_user):
    response = Client().get(reverse("core:notifications"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('core:sign-in')}?next=/notifications/"
