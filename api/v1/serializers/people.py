"""Small references to people and organisations, used inside other answers."""

from rest_framework import serializers

from accounts.models import Organisation, User


class UserRefSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "name"]
        read_only_fields = fields

    def get_name(self, user: User) -> str:
        return str(user)


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name"]
        read_only_fields = fields
