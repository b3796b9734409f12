from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.register("lines", api.LineViewSet, basename="frontdesk-line")
router.register("calls", api.CallViewSet, basename="frontdesk-call")
router.register("callbacks", api.CallbackViewSet, basename="frontdesk-callback")
router.register("use-requests", api.UseRequestViewSet, basename="frontdesk-use-request")

urlpatterns = router.urls
