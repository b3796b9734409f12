from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from .models import User


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    department = serializers.StringRelatedField()

    class Meta:
        model = User
        fields = ["id", "username", "name", "email", "department", "extension", "language", "roles"]

    def get_roles(self, obj) -> list[str]:
        return sorted(obj.role_codes)


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
def me(request):
    """Return the signed-in user with their roles."""
    return Response(MeSerializer(request.user).data)
