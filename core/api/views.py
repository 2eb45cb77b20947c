from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pii import can_reveal, pii_reveal
from core.views import resolve_protected


class RevealSerializer(serializers.Serializer):
    model = serializers.CharField(help_text="app_label.ModelName, e.g. workers.Worker")
    id = serializers.CharField()
    field = serializers.CharField()
    reason = serializers.CharField(min_length=4)


class RevealView(APIView):
    """Reveal one protected value in full, with a reason; needs the reveal permission; every call is recorded."""

    @extend_schema(
        request=RevealSerializer,
        responses={200: {"type": "object", "properties": {"value": {"type": "string"}}}},
    )
    def post(self, request):
        serializer = RevealSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        obj = resolve_protected(request.user, data["model"], data["id"], data["field"])
        if not can_reveal(request.user):
            self.permission_denied(request, message="You do not have permission to reveal personal data.")
        value = pii_reveal(
            user=request.user, obj=obj, field=data["field"], reason=data["reason"], request=request
        )
        return Response({"value": value})
