"""The /notifications API: only the caller's own, newest first, unread count, marking read."""

from __future__ import annotations

import pytest

from kliento.core.models import Notification
from kliento.core.notifications import notification_create

pytestmark = pytest.mark.django_db


def notify(user, n):
    return [
        notification_create(user=user, key=f"k{i}", kind="reminder", title=f"Reminder {i}")[0]
        for i in range(n)
    ]


def test_list_is_newest_first_and_only_mine(api, manager, stranger):
    mine = notify(manager, 3)
    notify(stranger, 2)

    response = api(manager).get("/notifications")

    assert response.status_code == 200
    assert [n["id"] for n in response.json()["items"]] == [n.pk for n in reversed(mine)]


def test_unread_filter_count_read_and_read_all(api, manager):
    first, second, third = notify(manager, 3)
    client = api(manager)

    assert client.get("/notifications/unread-count").json() == {"count": 3}

    read = client.post(f"/notifications/{second.pk}/read")
    assert read.status_code == 200
    assert read.json()["read_at"] is not None
    again = client.post(f"/notifications/{second.pk}/read")
    assert again.json()["read_at"] == read.json()["read_at"]  # reading twice keeps the first time

    unread = client.get("/notifications", {"unread": "true"}).json()["items"]
    assert [n["id"] for n in unread] == [third.pk, first.pk]
    assert client.get("/notifications/unread-count").json() == {"count": 2}

    assert client.post("/notifications/read-all").json() == {"count": 2}
    assert client.get("/notifications/unread-count").json() == {"count": 0}
    assert client.get("/notifications", {"unread": "true"}).json()["items"] == []


def test_someone_elses_notification_is_404(api, manager, stranger):
    (theirs,) = notify(stranger, 1)

    response = api(manager).post(f"/notifications/{theirs.pk}/read")

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert api(manager).post("/notifications/read-all").json() == {"count": 0}
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_creating_with_the_same_key_twice_keeps_one(manager):
    first, created = notification_create(user=manager, key="x", kind="k", title="t")
    again, created_again = notification_create(user=manager, key="x", kind="k", title="other")

    assert created and not created_again
    assert first.pk == again.pk


def test_cursor_pages_through_all(api, manager):
    made = notify(manager, 5)
    client = api(manager)

    page1 = client.get("/notifications", {"limit": 2}).json()
    page2 = client.get("/notifications", {"limit": 2, "cursor": page1["next_cursor"]}).json()
    page3 = client.get("/notifications", {"limit": 2, "cursor": page2["next_cursor"]}).json()

    ids = [n["id"] for p in (page1, page2, page3) for n in p["items"]]
    assert ids == [n.pk for n in reversed(made)]
    assert page3["next_cursor"] is None


def test_bad_parameters_are_422(api, manager):
    client = api(manager)

    assert client.get("/notifications", {"limit": 500}).status_code == 422
    assert client.get("/notifications", {"cursor": "%%%"}).status_code == 422
    assert client.get("/notifications", {"unread": "perhaps"}).status_code == 422
    assert client.post("/notifications/abc/read").status_code == 422


def test_requires_authentication(api, db):
    assert api(None).get("/notifications").status_code == 401


def test_list_query_count_is_fixed(api, manager, django_assert_num_queries):
    notify(manager, 6)
    client = api(manager)
    client.get("/notifications/unread-count")  # the token's first use is recorded once

    # token lookup, the page
    with django_assert_num_queries(2):
        response = client.get("/notifications")

    assert len(response.json()["items"]) == 6
