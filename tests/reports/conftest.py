import pytest

from apps.reports import registry
from apps.reports.writer import ReportWriter


@pytest.fixture
def flaky_kind():
    """A kind that fails while ``state["fail"]`` is true, for the failure and retry paths."""
    state = {"fail": True}

    def build(report: ReportWriter, params: dict) -> None:
        if state["fail"]:
            raise ValueError("交换机数据暂不可用")
        sheet = report.detail("明细", ["序号"])
        sheet.append([1])

    registry._kinds["flaky"] = registry.ReportKind(
        code="flaky", label="不稳定报表", build=build, run_permissions=("accounts.view_user",)
    )
    yield state
    registry._kinds.pop("flaky", None)
