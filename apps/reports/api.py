"""The reports API: the kinds a person may run, runs (request, follow, download)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services
from .models import ReportRun
from .registry import kind_get, kinds_runnable_by
from .selectors import report_run_list


class KindSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    description = serializers.CharField()
    parameters = serializers.SerializerMethodField()

    def get_parameters(self, kind) -> list[dict]:
        form = kind.form()
        return [
            {"name": name, "label": str(field.label or name), "required": field.required}
            for name, field in form.fields.items()
        ]


class RunSerializer(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField()
    requested_by = serializers.StringRelatedField()
    schedule = serializers.StringRelatedField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "kind",
            "kind_label",
            "parameters",
            "parameters_text",
            "requested_by",
            "schedule",
            "slot",
            "status",
            "row_count",
            "seconds",
            "file_size",
            "error",
            "created_at",
            "finished_at",
            "download_url",
        ]

    def get_kind_label(self, run) -> str:
        kind = kind_get(run.kind)
        return str(kind.label) if kind else run.kind

    def get_download_url(self, run) -> str | None:
        return reverse("reports-run-download", args=[run.pk]) if run.downloadable else None


class RunRequestSerializer(serializers.Serializer):
    kind = serializers.CharField()
    parameters = serializers.DictField(required=False, default=dict)


class KindList(APIView):
    @extend_schema(responses=KindSerializer(many=True))
    def get(self, request):
        """Return the report kinds the signed-in user may run."""
        return Response(KindSerializer(kinds_runnable_by(request.user), many=True).data)


class RunList(generics.ListAPIView):
    """List the runs the signed-in user may download (newest first), or request a new one."""

    serializer_class = RunSerializer

    def get_queryset(self):
        return report_run_list(user=self.request.user, kind=self.request.query_params.get("kind"))

    @extend_schema(request=RunRequestSerializer, responses={202: RunSerializer})
    def post(self, request):
        """Queue a run; follow it at its URL until ``status`` is ``succeeded``."""
        data = RunRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            run = services.report_run_request(
                kind_code=data.validated_data["kind"],
                parameters=data.validated_data["parameters"],
                actor=request.user,
            )
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from exc
        except ValidationError as exc:
            raise ApiValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            ) from exc
        return Response(RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


def _run_for(request, pk) -> ReportRun:
    run = get_object_or_404(ReportRun.objects.select_related("requested_by", "schedule"), pk=pk)
    if not services.download_allowed(run=run, user=request.user):
        raise ApiPermissionDenied()
    return run


class RunDetail(APIView):
    @extend_schema(responses=RunSerializer)
    def get(self, request, pk):
        return Response(RunSerializer(_run_for(request, pk)).data)


class RunDownload(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        """Return the run's workbook."""
        run = _run_for(request, pk)
        if not run.downloadable:
            raise Http404
        return FileResponse(
            run.file.open("rb"), as_attachment=True, filename=run.file.name.rsplit("/", 1)[-1]
        )
