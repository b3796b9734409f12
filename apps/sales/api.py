import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .models import Absence, Call, Customer, FollowUp, TrainingSession, WeeklyPlan, WorkRecord


class SalesPermission(permissions.BasePermission):
    """Reading needs the model's view permission, writing its add permission."""

    def has_permission(self, request, view):
        model = view.queryset.model if view.queryset is not None else view.model
        action = "view" if request.method in permissions.SAFE_METHODS else "add"
        return request.user.is_authenticated and request.user.has_perm(
            f"sales.{action}_{model._meta.model_name}"
        )


def _raise(exc: DjangoValidationError):
    raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


class RepField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="username", read_only=True, **kwargs)


class CallSerializer(serializers.ModelSerializer):
    rep = RepField()

    class Meta:
        model = Call
        fields = [
            "id",
            "rep",
            "date",
            "started_at",
            "number",
            "number_normalised",
            "talk_seconds",
            "outcome",
            "notes",
            "source",
            "verified",
        ]
        read_only_fields = ["date", "number_normalised", "source", "verified"]


class FollowUpSerializer(serializers.ModelSerializer):
    rep = RepField()
    counts = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "rep",
            "date",
            "contact_person",
            "company_name",
            "phone",
            "phone_normalised",
            "content",
            "category",
            "next_follow_up",
            "is_false",
            "counts",
            "problems",
        ]
        read_only_fields = ["date", "phone_normalised", "is_false"]

    def get_counts(self, obj) -> bool:
        return not obj.problems()

    def get_problems(self, obj) -> list[str]:
        return obj.problems()


class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "phone", "company_name", "contact_person", "created_at"]


class AbsenceSerializer(serializers.ModelSerializer):
    rep = RepField()
    decided_by = RepField()

    class Meta:
        model = Absence
        fields = [
            "id",
            "rep",
            "kind",
            "date",
            "hours",
            "customer",
            "purpose",
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = ["kind", "status", "decided_at", "decision_note"]


class WorkRecordSerializer(serializers.ModelSerializer):
    rep = RepField()

    class Meta:
        model = WorkRecord
        fields = ["id", "rep", "date", "content", "submitted_at", "is_late"]
        read_only_fields = ["date", "submitted_at", "is_late"]


class WeeklyPlanSerializer(serializers.ModelSerializer):
    rep = RepField()

    class Meta:
        model = WeeklyPlan
        fields = ["id", "rep", "week_start", "content", "submitted_at", "is_late"]
        read_only_fields = ["submitted_at", "is_late"]


class TrainingSerializer(serializers.ModelSerializer):
    attendees = serializers.SerializerMethodField()

    class Meta:
        model = TrainingSession
        fields = ["id", "topic", "starts_at", "ends_at", "place", "attendance_taken", "attendees"]

    def get_attendees(self, obj) -> list[dict]:
        return [{"rep": a.rep.username, "present": a.present} for a in obj.attendance.all()]


class _Base(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    permission_classes = [SalesPermission]

    def scoped(self, queryset):
        return queryset.filter(rep__in=selectors.visible_reps(user=self.request.user))


class CallViewSet(_Base):
    queryset = Call.objects.none()
    serializer_class = CallSerializer
    filterset_fields = ["date", "outcome", "source", "verified"]

    def get_queryset(self):
        return selectors.call_list(user=self.request.user).order_by("-started_at", "-pk")

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = services.call_log(
                actor=self.request.user,
                rep=self.request.user,
                number=data["number"],
                started_at=data["started_at"],
                talk_seconds=data.get("talk_seconds", 0),
                outcome=data["outcome"],
                notes=data.get("notes", ""),
            )
        except DjangoValidationError as exc:
            _raise(exc)


class FollowUpViewSet(_Base):
    queryset = FollowUp.objects.none()
    serializer_class = FollowUpSerializer
    filterset_fields = ["date", "category", "is_false"]

    def get_queryset(self):
        return selectors.follow_up_list(user=self.request.user).order_by("-date", "-pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        try:
            serializer.instance = services.follow_up_create(
                actor=self.request.user, rep=self.request.user, **data
            )
        except DjangoValidationError as exc:
            _raise(exc)


class CustomerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Customer.objects.none()
    serializer_class = CustomerSerializer
    permission_classes = [SalesPermission]
    filterset_fields = ["phone"]

    def get_queryset(self):
        reps = selectors.visible_reps(user=self.request.user)
        return Customer.objects.filter(follow_ups__rep__in=reps).distinct().order_by("pk")


class _AbsenceViewSet(_Base):
    queryset = Absence.objects.none()
    serializer_class = AbsenceSerializer
    kinds: tuple[str, ...] = ()
    filterset_fields = ["date", "status"]

    def get_queryset(self):
        return (
            selectors.absence_list(user=self.request.user)
            .filter(kind__in=self.kinds)
            .order_by("-date", "-pk")
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        kind = self.request.data.get("kind") or self.kinds[0]
        if kind not in self.kinds:
            raise ValidationError({"kind": [f"one of {', '.join(self.kinds)}"]})
        try:
            serializer.instance = services.absence_request(
                actor=self.request.user,
                kind=kind,
                day=data["date"],
                hours=data["hours"],
                purpose=data.get("purpose", ""),
                customer=data.get("customer", ""),
            )
        except DjangoValidationError as exc:
            _raise(exc)


class VisitViewSet(_AbsenceViewSet):
    kinds = (Absence.Kind.VISIT,)


class LeaveViewSet(_AbsenceViewSet):
    kinds = (Absence.Kind.LEAVE, Absence.Kind.TRAINING)


class WorkRecordViewSet(_Base):
    queryset = WorkRecord.objects.none()
    serializer_class = WorkRecordSerializer
    filterset_fields = ["date", "is_late"]

    def get_queryset(self):
        return self.scoped(WorkRecord.objects.select_related("rep")).order_by("-date", "-pk")

    def perform_create(self, serializer):
        try:
            serializer.instance = services.work_record_submit(
                actor=self.request.user, content=serializer.validated_data["content"]
            )
        except DjangoValidationError as exc:
            _raise(exc)


class WeeklyPlanViewSet(_Base):
    queryset = WeeklyPlan.objects.none()
    serializer_class = WeeklyPlanSerializer
    filterset_fields = ["week_start", "is_late"]

    def get_queryset(self):
        return self.scoped(WeeklyPlan.objects.select_related("rep")).order_by("-week_start", "-pk")

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = services.weekly_plan_submit(
                actor=self.request.user, content=data["content"], week=data["week_start"]
            )
        except DjangoValidationError as exc:
            _raise(exc)


class TrainingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = TrainingSession.objects.none()
    serializer_class = TrainingSerializer
    permission_classes = [SalesPermission]

    def get_queryset(self):
        sessions = TrainingSession.objects.prefetch_related("attendance__rep").order_by("-starts_at")
        if not selectors.is_supervisor(self.request.user):
            sessions = sessions.filter(attendance__rep=self.request.user)
        return sessions


class QuotaDaySerializer(serializers.Serializer):
    rep = serializers.CharField()
    date = serializers.DateField()
    closed = serializers.BooleanField()
    working_day = serializers.BooleanField()
    new_employee = serializers.BooleanField()
    rules_applied = serializers.DictField()
    required_calls = serializers.IntegerField()
    required_customers = serializers.IntegerField()
    effective_calls = serializers.IntegerField()
    counted_customers = serializers.IntegerField()
    short_calls = serializers.IntegerField()
    short_customers = serializers.IntegerField()
    false_records = serializers.IntegerField()
    fine_shortfall = serializers.DecimalField(max_digits=10, decimal_places=2)
    fine_false = serializers.DecimalField(max_digits=10, decimal_places=2)
    fine_total = serializers.DecimalField(max_digits=10, decimal_places=2)
    reasons = serializers.ListField(child=serializers.CharField())


class QuotaDayView(APIView):
    """The standard applied, what counted, shortfalls and fines of one rep's day."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("rep", str), OpenApiParameter("date", datetime.date)],
        responses=QuotaDaySerializer,
    )
    def get(self, request):
        from django.core.exceptions import PermissionDenied

        if not request.user.has_perm("sales.view_dayresult"):
            raise PermissionDenied
        rep = selectors.rep_get_visible(user=request.user, username=request.query_params.get("rep"))
        try:
            day = datetime.date.fromisoformat(request.query_params.get("date", ""))
        except ValueError as exc:
            raise ValidationError({"date": ["YYYY-MM-DD"]}) from exc
        stored = selectors.quota_day_get(rep=rep, day=day)
        if stored is not None and stored.is_closed:
            data = {f: getattr(stored, f) for f in QuotaDaySerializer().fields if hasattr(stored, f)}
            data.update(rep=rep.username, closed=True)
        else:
            rule_set = selectors.rule_set_for(day=day)
            result = selectors.quota_days_evaluate(reps=[rep], day=day, rule_set=rule_set)[rep.pk]
            data = {f: getattr(result, f) for f in QuotaDaySerializer().fields if hasattr(result, f)}
            data.update(
                rep=rep.username, date=day, closed=False, rules_applied=rule_set.as_rules().snapshot()
            )
        return Response(QuotaDaySerializer(data).data)
