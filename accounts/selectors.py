"""Shared reads about people: who belongs to a tier, who manages."""

from django.db.models import QuerySet

from .models import Role, User


def technicians_of_tier(*, tier: str) -> QuerySet[User]:
    return User.objects.filter(role=Role.TECHNICIAN, tier=tier, is_active=True).order_by("username")


def managers() -> QuerySet[User]:
    return User.objects.filter(role=Role.MANAGER, is_active=True).order_by("username")


def team_leads(*, tier: str | None = None) -> QuerySet[User]:
    users = User.objects.filter(role=Role.TECHNICIAN, is_team_lead=True, is_active=True)
    if tier:
        users = users.filter(tier=tier)
    return users.order_by("username")
