"""factory_boy factories shared by every test module."""

from __future__ import annotations

import factory

from kliento.core.choices import Role
from kliento.core.models import Team, User


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    role = Role.MANAGER
    team = factory.SubFactory(TeamFactory)
    password = factory.django.Password("secret-pass-123")
