from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("calls", api.CallViewSet, basename="sales-call")
router.register("followups", api.FollowUpViewSet, basename="sales-followup")
router.register("customers", api.CustomerViewSet, basename="sales-customer")
router.register("visits", api.VisitViewSet, basename="sales-visit")
router.register("leave", api.LeaveViewSet, basename="sales-leave")
router.register("work-records", api.WorkRecordViewSet, basename="sales-workrecord")
router.register("weekly-plans", api.WeeklyPlanViewSet, basename="sales-weeklyplan")
router.register("trainings", api.TrainingViewSet, basename="sales-training")

urlpatterns = [
    path("quota-days/", api.QuotaDayView.as_view(), name="sales-quota-day"),
    *router.urls,
]
