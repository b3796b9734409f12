"""The audit trail shared by every app: django-auditlog, one LogEntry per change with before and after.

Each app registers its models with ``audit_register`` (in its ``models.py``). Web
requests get their actor from the middleware; services called elsewhere (tasks,
commands) wrap their work in ``audit_actor(actor)``.
"""

from auditlog.context import set_actor
from auditlog.models import LogEntry
from auditlog.registry import auditlog


def audit_register(model, **options):
    """Record every create, update and delete of ``model`` with its changed values."""
    auditlog.register(model, **options)
    return model


def audit_actor(actor):
    """Attribute the changes made inside this context to ``actor``."""
    return set_actor(actor)


def audit_entries_for(obj):
    """Return the audit entries of one object, newest first, with their actors."""
    return LogEntry.objects.get_for_object(obj).select_related("actor").order_by("-timestamp")


def audit_log_event(*, obj, actor, message: str, changes: dict | None = None):
    """Record an event that is not a field change (a reopened day, a granted exception)."""
    with set_actor(actor):
        return LogEntry.objects.log_create(
            obj,
            action=LogEntry.Action.ACCESS if changes is None else LogEntry.Action.UPDATE,
            changes=changes or {"event": [None, message]},
            force_log=True,
        )
