from rest_framework.routers import SimpleRouter

from .api import WorkOrderViewSet

router = SimpleRouter()
router.register("", WorkOrderViewSet, basename="workorder")

urlpatterns = router.urls
