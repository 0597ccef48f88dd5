from kliento.core.choices import Role


def test_me_returns_the_token_owner(api, manager):
    response = api(manager).get("/me")

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == manager.username
    assert body["role"] == Role.MANAGER
    assert body["team_id"] == manager.team_id


def test_me_without_a_token_is_401_with_the_error_shape(api, db):
    response = api(None).get("/me")

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication required.", "errors": []}


def test_a_revoked_token_no_longer_works(api, manager):
    client = api(manager)
    from kliento.core.models import ApiToken
    from kliento.core.tokens import token_revoke

    token_revoke(token=ApiToken.objects.get(user=manager))

    assert client.get("/me").status_code == 401
