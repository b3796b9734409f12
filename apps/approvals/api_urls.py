from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("requests", api.FunctionChangeViewSet, basename="functionchange")
router.register("adjustments", api.AdjustmentRecordViewSet, basename="adjustmentrecord")

urlpatterns = router.urls
