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

    def _hidden(self, user: User) -> bool:
        request = self.context.get("request")
        return user.is_support_staff and hides_staff_names(getattr(request, "user", None))

    def to_representation(self, user: User) -> dict:
        if self._hidden(user):
            return {"id": None, "username": None, "name": staff_name_for_customers(user)}
        return super().to_representation(user)

    def get_name(self, user: User) -> str:
        return str(user)


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name"]
        read_only_fields = fields
