from django.urls import path
from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.register("frames", api.FrameViewSet)
router.register("blocks", api.BlockViewSet)
router.register("terminals", api.TerminalViewSet)
router.register("pbx-ports", api.PbxPortViewSet)
router.register("cables", api.CableViewSet)
router.register("outlets", api.OutletViewSet)
router.register("extensions", api.ExtensionViewSet)
router.register("jumpers", api.JumperViewSet)
router.register("history", api.HistoryViewSet, basename="history")

urlpatterns = [
    path("table/", api.TableView.as_view(), name="patching-table"),
    path("trace/", api.TraceView.as_view(), name="patching-trace"),
    path("faulty/", api.FaultyView.as_view(), name="patching-faulty"),
    *router.urls,
]
