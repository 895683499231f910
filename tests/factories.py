"""factory_boy factories for the domain; the standard cast lives in conftest."""

import factory
from django.contrib.auth.hashers import make_password

from accounts.models import Organisation, Role, Tier, User
from tickets.models import Category, Priority, Status, Ticket

PASSWORD = "demo"
_HASHED = make_password(PASSWORD)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    time_zone = "Europe/Berlin"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = _HASHED
    role = Role.CUSTOMER
    organisation = factory.SubFactory(OrganisationFactory)


class TechnicianFactory(UserFactory):
    role = Role.TECHNICIAN
    tier = Tier.L1
    organisation = None


class ManagerFactory(UserFactory):
    role = Role.MANAGER
    organisation = None
    is_staff = True


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Category {n}")


class TicketFactory(factory.django.DjangoModelFactory):
    """A bare ticket row (no events, no clocks): use services to test behaviour."""

    class Meta:
        model = Ticket

    subject = factory.Sequence(lambda n: f"Problem number {n}")
    description = "Something is broken."
    requester = factory.SubFactory(UserFactory)
    organisation = factory.LazyAttribute(lambda t: t.requester.organisation)
    priority = Priority.P3
    tier = Tier.L1
    status = Status.NEW


def api_key(user, name: str = "tests") -> str:
    """A new API token's key for `user` (send it as `Authorization: Token <key>`)."""
    from accounts.services import api_token_create

    return api_token_create(user=user, name=name)[1]
