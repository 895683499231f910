"""Small references to people and organisations, used inside other answers."""

from rest_framework import serializers

from accounts.models import Organisation, User
from accounts.names import hides_staff_names, staff_name_for_customers


class UserRefSerializer(serializers.ModelSerializer):
    """A person. Customers see members of staff without id or username: only the display
    name the help desk chose (TIERDESK_STAFF_NAMES), e.g. "Anna" or "Support"."""

    id = serializers.IntegerField(read_only=True, allow_null=True)
    username = serializers.CharField(read_only=True, allow_null=True)
    name = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "name"]
        read_only_fields = fields

    def to_representation(self, user: User) -> dict:
        request = self.context.get("request")
        return user_ref(user, viewer=getattr(request, "user", None))

    def get_name(self, user: User) -> str:
        return str(user)


def user_ref(user: User, *, viewer) -> dict:
    """What UserRefSerializer answers for `user` as `viewer` sees them, built directly (list
    answers hold one or two per row)."""
    if user.is_support_staff and hides_staff_names(viewer):
        return {"id": None, "username": None, "name": staff_name_for_customers(user)}
    return {"id": user.pk, "username": user.username, "name": str(user)}


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name"]
        read_only_fields = fields
