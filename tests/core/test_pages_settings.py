"""Settings pages for administrators: users, teams, rights, custom fields, API tokens."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from kliento.core import records
from kliento.core.actors import Actor
from kliento.core.choices import AuditAction, Role
from kliento.core.models import ApiToken, AuditEvent, CustomField, RolePermission, Team, User
from kliento.core.tokens import token_issue
from tests.factories import CustomFieldFactory, DealFactory, TeamFactory, UserFactory

HOSTILE = "<script>alert(1)</script>"
NOT_ADMIN = [r for r in Role.values if r != Role.ADMIN]
PASSWORD = "long-enough-9876"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin(db) -> User:
    return UserFactory(role=Role.ADMIN, username="boss")


@pytest.fixture
def admin_client(admin) -> Client:
    return _client(admin)


def _user_form(**changes: str) -> dict[str, str]:
    return {
        "first_name": "Anna",
        "last_name": "Berzina",
        "email": "anna@example.com",
        "role": Role.MANAGER,
        "team_id": "",
        "language": "en",
        "time_zone": "UTC",
        "is_active": "on",
        **changes,
    }


def _state() -> tuple:
    """Everything a settings POST could change, to prove a refused one changed nothing."""
    return (
        list(User.objects.order_by("pk").values_list("username", "role", "is_active", "password")),
        list(Team.objects.order_by("pk").values_list("name", flat=True)),
        list(RolePermission.objects.values_list("role", "record_type", "scope")),
        list(CustomField.objects.order_by("pk").values_list("key", "label", "active")),
        list(ApiToken.objects.order_by("pk").values_list("pk", "revoked_at")),
    )


# --- who may use the settings ----------------------------------------------------------


def _settings_requests(admin: User) -> list[tuple[str, str, dict]]:
    team = TeamFactory(name="West")
    field = CustomFieldFactory()
    token, _key = token_issue(user=admin, name="mine")
    return [
        ("get", reverse("core:settings"), {}),
        ("get", reverse("core:settings-users"), {}),
        ("get", reverse("core:settings-user-create"), {}),
        (
            "post",
            reverse("core:settings-user-create"),
            {"username": "sneaky", "password": PASSWORD, "password2": PASSWORD},
        ),
        ("get", reverse("core:settings-user-edit", args=[admin.pk]), {}),
        (
            "post",
            reverse("core:settings-user-edit", args=[admin.pk]),
            _user_form(role=Role.READ_ONLY),
        ),
        (
            "post",
            reverse("core:settings-user-password", args=[admin.pk]),
            {"password": PASSWORD, "password2": PASSWORD},
        ),
        ("post", reverse("core:settings-user-unlock", args=[admin.pk]), {}),
        ("get", reverse("core:settings-teams"), {}),
        ("post", reverse("core:settings-team-create"), {"name": "Sneaky"}),
        ("get", reverse("core:settings-team-edit", args=[team.pk]), {}),
        ("post", reverse("core:settings-team-edit", args=[team.pk]), {"name": "Renamed"}),
        ("get", reverse("core:settings-roles"), {}),
        ("post", reverse("core:settings-roles"), {"role": "manager", "deal-scope": "all"}),
        ("get", reverse("core:settings-fields"), {}),
        ("get", reverse("core:settings-field-create"), {}),
        (
            "post",
            reverse("core:settings-field-create"),
            {"record_type": "contact", "key": "x", "label": "X", "field_type": "text"},
        ),
        ("get", reverse("core:settings-field-edit", args=[field.pk]), {}),
        ("post", reverse("core:settings-field-edit", args=[field.pk]), {"label": "Renamed"}),
        ("post", reverse("core:settings-field-delete", args=[field.pk]), {}),
        ("get", reverse("core:settings-tokens"), {}),
        ("post", reverse("core:settings-token-create"), {"name": "sneaky"}),
        ("post", reverse("core:settings-token-revoke", args=[token.pk]), {}),
    ]


@pytest.mark.parametrize("role", NOT_ADMIN)
def test_every_settings_page_and_post_is_refused_to_other_roles(admin, role):
    # given a user of another role and every settings page
    requests = _settings_requests(admin)
    client = _client(UserFactory(role=role))
    before = _state()
    for method, url, data in requests:
        # when they open or post it
        response = getattr(client, method)(url, data)
        # then it is a 403 page
        assert response.status_code == 403, (method, url)
    # and nothing changed
    assert _state() == before


def test_an_inactive_admin_is_not_an_admin(admin):
    # given an administrator deactivated while signed in
    client = _client(admin)
    UserFactory(role=Role.ADMIN)
    User.objects.filter(pk=admin.pk).update(is_active=False)
    # when they open the settings
    response = client.get(reverse("core:settings"))
    # then they are no longer let in (signed out by the auth backend)
    assert response.status_code == 302


def test_the_menu_shows_settings_to_admins_only(admin_client, db):
    # given an admin and a manager
    url = reverse("core:settings")
    manager = _client(UserFactory(role=Role.MANAGER))
    # when each opens a page
    as_admin = admin_client.get(reverse("core:notifications")).content.decode()
    as_manager = manager.get(reverse("core:notifications")).content.decode()
    # then only the admin's menu links to the settings
    assert f'href="{url}"' in as_admin
    assert f'href="{url}"' not in as_manager


def test_the_index_links_every_section(admin_client):
    # when the admin opens the settings
    response = admin_client.get(reverse("core:settings"))
    # then every section is linked, the settings menu item is current
    html = response.content.decode()
    assert response.status_code == 200
    for name in (
        "core:settings-users",
        "core:settings-teams",
        "core:settings-roles",
        "core:settings-fields",
        "core:settings-tokens",
        "sales:settings-pipelines",
        "sales:settings-reasons",
    ):
        assert f'href="{reverse(name)}"' in html, name
    assert f'href="{reverse("core:settings")}" aria-current="page"' in html


# --- users -------------------------------------------------------------------------


def test_users_list_shows_every_user_with_a_pinned_query_count(
    admin, admin_client, django_assert_num_queries
):
    # given 30 users, one of them deactivated
    users = UserFactory.create_batch(30)
    User.objects.filter(pk=users[0].pk).update(is_active=False)
    url = reverse("core:settings-users")
    # when the admin opens the list, the count of queries does not grow with the rows
    with django_assert_num_queries(3):
        response = admin_client.get(url)
    html = response.content.decode()
    # then the first page lists the users by username, inactive ones too
    assert response.status_code == 200
    listed = re.findall(r'data-record="user-(\d+)"', html)
    assert len(listed) == 31
    assert "Deactivated" in html
    # and the filter keeps only the deactivated
    only = admin_client.get(url, {"show": "inactive"}).content.decode()
    assert re.findall(r'data-record="user-(\d+)"', only) == [str(users[0].pk)]


def test_users_list_pages_with_a_cursor(admin_client, db):
    # given more users than a page
    from kliento.core.views.settings.users import PAGE_SIZE

    UserFactory.create_batch(PAGE_SIZE + 5)
    url = reverse("core:settings-users")
    # when the admin opens the list and then the next page
    first = admin_client.get(url).content.decode()
    cursor = re.search(r'hx-get="\?cursor=([^"]+)"', first)
    assert cursor is not None
    rest = admin_client.get(url, {"cursor": cursor[1]}, headers={"HX-Request": "true"})
    # then the pages do not overlap and together hold every user
    ids_first = re.findall(r'data-record="user-(\d+)"', first)
    ids_rest = re.findall(r'data-record="user-(\d+)"', rest.content.decode())
    assert len(ids_first) == PAGE_SIZE
    assert not set(ids_first) & set(ids_rest)
    assert len(ids_first) + len(ids_rest) == User.objects.count()
    # and a tampered cursor starts from the top
    assert admin_client.get(url, {"cursor": "'; DROP TABLE"}).status_code == 200


def test_admin_creates_a_user_who_can_sign_in(admin_client, db):
    # given a team
    team = TeamFactory(name="North")
    # when the admin creates a user
    response = admin_client.post(
        reverse("core:settings-user-create"),
        {
            "username": "ilze",
            "password": PASSWORD,
            "password2": PASSWORD,
            **_user_form(team_id=str(team.pk), role=Role.MARKETER, time_zone="Europe/Riga"),
        },
    )
    # then the user exists with the given values, and the creation is audited
    assert response.status_code == 302
    assert response["Location"] == reverse("core:settings-users")
    user = User.objects.get(username="ilze")
    assert (user.role, user.team_id, user.time_zone) == (Role.MARKETER, team.pk, "Europe/Riga")
    assert user.check_password(PASSWORD)
    assert AuditEvent.objects.filter(
        record_type="user", record_id=user.pk, action=AuditAction.CREATE
    ).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"username": HOSTILE}, "username"),
        ({"username": ""}, "username"),
        ({"username": "x" * 151}, "username"),
        ({"password": "123", "password2": "123"}, "password"),
        ({"password2": "something-else-1"}, "password2"),
        ({"email": "=HYPERLINK(1)"}, "email"),
        ({"role": "superuser"}, "role"),
        ({"team_id": "'; DROP TABLE core_user; --"}, "team_id"),
        ({"team_id": "999999"}, "team_id"),
        ({"language": "xx"}, "language"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"first_name": "a\x00b"}, "first_name"),
    ],
)
def test_bad_new_user_input_is_shown_by_field_and_creates_nothing(admin_client, changes, field):
    # given a form with one bad value
    data = {"username": "ilze", "password": PASSWORD, "password2": PASSWORD, **_user_form()}
    data.update(changes)
    count = User.objects.count()
    # when the admin posts it
    response = admin_client.post(reverse("core:settings-user-create"), data)
    # then the form comes back with the error under the field, escaped, and no user is created
    html = response.content.decode()
    assert response.status_code == 422
    assert f'id="err-{field}"' in html
    assert HOSTILE not in html
    assert User.objects.count() == count


def test_a_taken_username_is_refused(admin_client, admin):
    data = {"username": admin.username, "password": PASSWORD, "password2": PASSWORD}
    response = admin_client.post(reverse("core:settings-user-create"), {**_user_form(), **data})
    assert response.status_code == 422
    assert 'id="err-username"' in response.content.decode()


def test_admin_edits_a_user(admin_client, db):
    # given a manager
    user = UserFactory(role=Role.MANAGER, first_name="Old")
    team = TeamFactory(name="South")
    url = reverse("core:settings-user-edit", args=[user.pk])
    # when the admin opens and saves the form
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        _user_form(
            first_name=HOSTILE, role=Role.HEAD_OF_SALES, team_id=str(team.pk), language="ru"
        ),
    )
    # then the user is changed and the change audited
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.role, user.team_id, user.language) == (
        HOSTILE,
        Role.HEAD_OF_SALES,
        team.pk,
        "ru",
    )
    event = AuditEvent.objects.filter(record_type="user", record_id=user.pk).latest("id")
    assert event.changes["role"] == [Role.MANAGER, Role.HEAD_OF_SALES]
    # and the hostile name is shown inert in the list
    html = admin_client.get(reverse("core:settings-users")).content.decode()
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_admin_deactivates_a_user_who_then_cannot_sign_in(admin_client, db):
    user = UserFactory(role=Role.MANAGER)
    data = _user_form()
    del data["is_active"]  # an unchecked box is not posted
    response = admin_client.post(reverse("core:settings-user-edit", args=[user.pk]), data)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active is False
    assert not Client().login(username=user.username, password="secret-pass-123")


def test_an_unknown_user_is_a_404(admin_client):
    assert admin_client.get(reverse("core:settings-user-edit", args=[999999])).status_code == 404


@pytest.mark.parametrize("change", ["demote", "deactivate"])
def test_the_last_active_admin_cannot_be_demoted_or_deactivated(admin, admin_client, change):
    # given the only active administrator (another one exists, but deactivated)
    UserFactory(role=Role.ADMIN, is_active=False)
    data = _user_form(role=Role.ADMIN)
    if change == "demote":
        data["role"] = Role.MANAGER
    else:
        del data["is_active"]
    # when they try to demote or deactivate themselves
    response = admin_client.post(reverse("core:settings-user-edit", args=[admin.pk]), data)
    # then it is refused with the reason under the field and nothing changed
    html = response.content.decode()
    assert response.status_code == 422
    assert "at least one active administrator" in html
    field = "role" if change == "demote" else "is_active"
    assert f'id="err-{field}"' in html
    admin.refresh_from_db()
    assert (admin.role, admin.is_active) == (Role.ADMIN, True)


def test_an_admin_may_step_down_while_another_admin_remains(admin, admin_client):
    # given a second active administrator
    UserFactory(role=Role.ADMIN)
    # when the first makes themself a head of sales
    response = admin_client.post(
        reverse("core:settings-user-edit", args=[admin.pk]), _user_form(role=Role.HEAD_OF_SALES)
    )
    # then it is done and the settings are closed to them from the next request
    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.role == Role.HEAD_OF_SALES
    assert admin_client.get(reverse("core:settings")).status_code == 403


def test_admin_resets_a_password(admin_client, db):
    user = UserFactory()
    url = reverse("core:settings-user-password", args=[user.pk])
    # a weak one is refused and shown by the field
    weak = admin_client.post(url, {"password": "1234", "password2": "1234"})
    assert weak.status_code == 422
    assert 'id="err-password"' in weak.content.decode()
    user.refresh_from_db()
    assert user.check_password("secret-pass-123")
    # a good one is set
    response = admin_client.post(url, {"password": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_new_role_takes_effect_on_the_next_request(admin_client, db):
    # given a manager who does not see another team's deal
    manager = UserFactory(role=Role.MANAGER)
    deal = DealFactory(owner=UserFactory(role=Role.MANAGER))
    client = _client(manager)
    url = f"/api/v1/deals/{deal.pk}"
    assert client.get(url).status_code == 404
    # when the admin makes them head of sales
    data = _user_form(role=Role.HEAD_OF_SALES, team_id=str(manager.team_id))
    response = admin_client.post(reverse("core:settings-user-edit", args=[manager.pk]), data)
    assert response.status_code == 302
    # then their next request sees the deal
    assert client.get(url).status_code == 200


# --- teams -------------------------------------------------------------------------


def test_teams_list_with_a_pinned_query_count(admin_client, django_assert_num_queries):
    teams = TeamFactory.create_batch(30)
    UserFactory.create_batch(3, team=teams[0])
    with django_assert_num_queries(3):
        response = admin_client.get(reverse("core:settings-teams"))
    html = response.content.decode()
    assert len(re.findall(r'data-record="team-\d+"', html)) == Team.objects.count()


def test_admin_creates_and_renames_a_team(admin_client, db):
    # create
    response = admin_client.post(reverse("core:settings-team-create"), {"name": HOSTILE})
    assert response.status_code == 302
    team = Team.objects.get(name=HOSTILE)
    html = admin_client.get(reverse("core:settings-teams")).content.decode()
    assert HOSTILE not in html and "&lt;script&gt;" in html
    # rename
    url = reverse("core:settings-team-edit", args=[team.pk])
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"name": "East"}).status_code == 302
    team.refresh_from_db()
    assert team.name == "East"
    assert AuditEvent.objects.filter(record_type="team", record_id=team.pk).count() == 2


@pytest.mark.parametrize("name", ["", "   ", "x" * 121, "North"])
def test_bad_team_names_are_refused(admin_client, db, name):
    north = TeamFactory(name="North")
    other = TeamFactory(name="South")
    before = _state()
    created = admin_client.post(reverse("core:settings-team-create"), {"name": name})
    renamed = admin_client.post(reverse("core:settings-team-edit", args=[other.pk]), {"name": name})
    for response in (created, renamed):
        assert response.status_code == 422
        assert 'id="err-name"' in response.content.decode()
    assert _state() == before
    assert north.name == "North"


# --- roles and rights --------------------------------------------------------------


def _rights_form(role: str, scope: str = "own", **extra: str) -> dict[str, str]:
    data = {"role": role}
    for rt in records.names():  # every registered record type is on the form
        data[f"{rt}-scope"] = scope
    data.update(extra)
    return data


def test_roles_page_shows_the_matrix_and_explains_the_fixed_admin_role(admin_client):
    response = admin_client.get(reverse("core:settings-roles"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "always keeps full rights" in html
    # every role but the admin has a form to save; the admin's inputs are disabled
    assert html.count('name="role"') == len(Role.values)
    assert 'id="admin-deal-scope" name="deal-scope" disabled' in html


def test_a_rights_change_takes_effect_on_the_next_request(admin_client, db):
    # given a manager who does not see another team's deal
    manager = UserFactory(role=Role.MANAGER)
    deal = DealFactory(owner=UserFactory(role=Role.MANAGER))
    client = _client(manager)
    url = f"/api/v1/deals/{deal.pk}"
    assert client.get(url).status_code == 404
    # when the admin lets managers see all deals
    form = _rights_form(Role.MANAGER, "team", **{"deal-scope": "all", "deal-can_edit": "on"})
    response = admin_client.post(reverse("core:settings-roles"), form)
    assert response.status_code == 302
    # then the manager's next request sees it; the override is stored and audited
    assert client.get(url).status_code == 200
    row = RolePermission.objects.get(role=Role.MANAGER, record_type="deal")
    assert (row.scope, row.can_edit, row.can_create) == ("all", True, False)
    assert AuditEvent.objects.filter(record_type="role_permission").exists()
    # and the page shows the new values
    html = admin_client.get(reverse("core:settings-roles")).content.decode()
    assert re.search(r'id="manager-deal-can_edit" name="deal-can_edit" checked', html)


def test_the_admin_role_cannot_be_reduced(admin_client):
    before = _state()
    response = admin_client.post(reverse("core:settings-roles"), _rights_form(Role.ADMIN, "none"))
    assert response.status_code == 403
    assert _state() == before


@pytest.mark.parametrize(
    "form",
    [
        _rights_form("manager", "everything"),
        _rights_form("manager", HOSTILE),
        _rights_form("'; DROP TABLE", "own"),
        _rights_form("manager", "own", **{"deal-scope": ""}),
    ],
)
def test_bad_rights_are_refused(admin_client, form):
    before = _state()
    response = admin_client.post(reverse("core:settings-roles"), form)
    assert response.status_code == 422
    assert HOSTILE not in response.content.decode()
    assert _state() == before


# --- custom fields -----------------------------------------------------------------


def test_fields_list_with_a_pinned_query_count(admin_client, django_assert_num_queries):
    CustomFieldFactory.create_batch(15, record_type="contact")
    CustomFieldFactory.create_batch(15, record_type="deal", label=HOSTILE)
    with django_assert_num_queries(3):
        response = admin_client.get(reverse("core:settings-fields"))
    html = response.content.decode()
    assert len(re.findall(r'data-record="custom_field-\d+"', html)) == 30
    assert HOSTILE not in html
    only = admin_client.get(reverse("core:settings-fields"), {"record_type": "deal"})
    assert len(re.findall(r'data-record="custom_field-\d+"', only.content.decode())) == 15


@pytest.mark.parametrize(
    ("field_type", "choices"),
    [
        ("text", ""),
        ("number", ""),
        ("money", ""),
        ("date", ""),
        ("choice", "small\nlarge\n"),
        ("multi_choice", "red\ngreen\nblue"),
        ("yes_no", ""),
    ],
)
def test_admin_creates_a_field_of_every_type(admin_client, field_type, choices):
    response = admin_client.post(
        reverse("core:settings-field-create"),
        {
            "record_type": "deal",
            "key": "extra",
            "label": "Extra",
            "field_type": field_type,
            "choices": choices,
            "required": "on",
            "position": "3",
        },
    )
    assert response.status_code == 302
    field = CustomField.objects.get(record_type="deal", key="extra")
    assert (field.field_type, field.required, field.position) == (field_type, True, 3)
    assert field.choices == [c for c in choices.splitlines() if c]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"key": "Bad Key"}, "key"),
        ({"key": HOSTILE}, "key"),
        ({"label": ""}, "label"),
        ({"label": "x" * 101}, "label"),
        ({"field_type": "blob"}, "field_type"),
        ({"record_type": "'; DROP TABLE"}, "record_type"),
        ({"field_type": "choice", "choices": ""}, "choices"),
        ({"field_type": "text", "choices": "a\nb"}, "choices"),
        ({"field_type": "choice", "choices": "a\na"}, "choices"),
        ({"position": "-1"}, "position"),
        ({"position": "abc"}, "position"),
    ],
)
def test_bad_fields_are_refused_by_field(admin_client, changes, error):
    data = {"record_type": "contact", "key": "size", "label": "Size", "field_type": "text"}
    data.update(changes)
    response = admin_client.post(reverse("core:settings-field-create"), data)
    html = response.content.decode()
    assert response.status_code == 422
    assert f'id="err-{error}"' in html
    assert HOSTILE not in html
    assert not CustomField.objects.exists()


def test_a_duplicate_key_is_refused(admin_client):
    CustomFieldFactory(record_type="contact", key="size")
    data = {"record_type": "contact", "key": "size", "label": "Size", "field_type": "text"}
    response = admin_client.post(reverse("core:settings-field-create"), data)
    assert response.status_code == 422
    assert CustomField.objects.count() == 1


def test_admin_edits_and_removes_a_field(admin_client):
    field = CustomFieldFactory(field_type="choice", choices=["a", "b"])
    url = reverse("core:settings-field-edit", args=[field.pk])
    assert admin_client.get(url).status_code == 200
    # a choice field without choices is refused
    bad = admin_client.post(url, {"label": "Size", "choices": "", "active": "on"})
    assert bad.status_code == 422
    # a good edit saves label, choices, position and hides it
    response = admin_client.post(url, {"label": "Size", "choices": "S\nM\nL", "position": "5"})
    assert response.status_code == 302
    field.refresh_from_db()
    assert (field.label, field.choices, field.position, field.active) == (
        "Size",
        ["S", "M", "L"],
        5,
        False,
    )
    # removal
    removed = admin_client.post(reverse("core:settings-field-delete", args=[field.pk]))
    assert removed.status_code == 302
    assert not CustomField.objects.filter(pk=field.pk).exists()
    again = admin_client.post(reverse("core:settings-field-delete", args=[field.pk]))
    assert again.status_code == 404


# --- API tokens --------------------------------------------------------------------


def test_a_new_token_is_shown_once_and_works(admin, admin_client):
    # when the admin creates a token
    response = admin_client.post(reverse("core:settings-token-create"), {"name": HOSTILE})
    assert response.status_code == 302
    # then the next page shows the key once, with a copy button
    page = admin_client.get(reverse("core:settings-tokens"))
    html = page.content.decode()
    key = re.search(r'value="(kl_[^"]+)" readonly data-token', html)
    assert key is not None
    assert "data-copy" in html
    assert page["Cache-Control"] == "no-store"
    assert HOSTILE not in html and "&lt;script&gt;" in html
    # and never again; only its hash is stored
    assert key[1] not in admin_client.get(reverse("core:settings-tokens")).content.decode()
    token = ApiToken.objects.get(user=admin)
    assert key[1] not in (token.key_hash, token.prefix)
    # and the key works on the API
    api = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {key[1]}"})
    assert api.status_code == 200


def test_token_list_shows_everyone_s_tokens_with_a_pinned_query_count(
    admin, admin_client, django_assert_num_queries
):
    for user in UserFactory.create_batch(30):
        token_issue(user=user, name="sync")
    token_issue(user=admin, name="mine")
    with django_assert_num_queries(3):
        response = admin_client.get(reverse("core:settings-tokens"))
    html = response.content.decode()
    assert len(re.findall(r'data-record="api_token-\d+"', html)) == 31


def test_admin_revokes_another_user_s_token(admin_client, db):
    user = UserFactory()
    token, key = token_issue(user=user, name="sync")
    response = admin_client.post(reverse("core:settings-token-revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    html = admin_client.get(reverse("core:settings-tokens")).content.decode()
    assert f'data-record="api_token-{token.pk}"' not in html
    assert AuditEvent.objects.filter(record_type="api_token", record_id=token.pk).exists()


@pytest.mark.parametrize("name", ["", "x" * 101, "a\x00b"])
def test_a_token_needs_a_name(admin_client, name):
    response = admin_client.post(reverse("core:settings-token-create"), {"name": name})
    assert response.status_code == 422
    assert 'id="err-name"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_services_refuse_non_admin_actors(db):
    from kliento.core import accounts
    from kliento.core.errors import PermissionDenied

    actor = Actor.of_user(UserFactory(role=Role.HEAD_OF_SALES))
    with pytest.raises(PermissionDenied):
        accounts.user_create(actor=actor, username="x", password=PASSWORD)
    with pytest.raises(PermissionDenied):
        accounts.team_create(actor=actor, name="X")
    with pytest.raises(PermissionDenied):
        accounts.token_create(actor=actor, name="X")
    assert not Team.objects.filter(name="X").exists()


@pytest.mark.parametrize(
    ("name", "queries"),
    # the user's page: session, user, teams, target, and its sign-in failures (the unlock button)
    [("core:settings", 2), ("core:settings-roles", 3), ("core:settings-user-edit", 5)],
)
def test_settings_pages_have_a_pinned_query_count(
    admin, admin_client, django_assert_num_queries, name, queries
):
    # given many users, teams and overrides
    TeamFactory.create_batch(20)
    UserFactory.create_batch(20)
    RolePermission.objects.create(role=Role.MANAGER, record_type="deal", scope="all")
    url = reverse(name, args=[admin.pk]) if name.endswith("edit") else reverse(name)
    with django_assert_num_queries(queries):
        assert admin_client.get(url).status_code == 200


def test_role_rights_update_sets_one_record_type_and_refuses_the_admin_role(admin):
    from kliento.core.errors import PermissionDenied, ValidationFailed
    from kliento.core.rights_admin import role_rights_update
    from kliento.core.visibility import rights

    actor = Actor.of_user(admin)
    # a valid change is stored and read by the visibility rule
    role_rights_update(
        actor=actor,
        role=Role.MARKETER,
        record_type="deal",
        rights={"scope": "team", "can_create": True},
    )
    marketer = UserFactory(role=Role.MARKETER)
    assert rights(marketer, "deal").scope == "team"
    assert rights(marketer, "deal").can_create is True
    # bad values and the admin role change nothing
    with pytest.raises(ValidationFailed):
        role_rights_update(actor=actor, role=Role.MARKETER, record_type="deal", rights={"scope": 1})
    with pytest.raises(ValidationFailed):
        role_rights_update(
            actor=actor, role=Role.MARKETER, record_type="deal", rights={"can_edit": "yes"}
        )
    with pytest.raises(PermissionDenied):
        role_rights_update(
            actor=actor, role=Role.ADMIN, record_type="deal", rights={"scope": "none"}
        )
    with pytest.raises(PermissionDenied):
        role_rights_update(
            actor=Actor.of_user(marketer),
            role=Role.MARKETER,
            record_type="deal",
            rights={"scope": "all"},
        )
    assert list(RolePermission.objects.values_list("role", "scope")) == [(Role.MARKETER, "team")]
