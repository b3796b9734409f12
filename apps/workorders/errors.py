from django.core.exceptions import ValidationError


class WorkOrderConflict(Exception):
    """The order (or the patch table) is not in a state that allows this: a 409 in the API."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return str(self.message)


class PlanStepFailed(WorkOrderConflict):
    """One step of the plan no longer fits the patch table; nothing of the plan was applied."""

    def __init__(self, message, *, position: int | None = None):
        super().__init__(message)
        self.position = position


__all__ = ["PlanStepFailed", "ValidationError", "WorkOrderConflict"]
