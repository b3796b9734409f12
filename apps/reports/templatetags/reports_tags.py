from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def can_run(kind, user) -> bool:
    return bool(kind) and kind.can_run(user)


@register.filter
def role_labels(codes) -> str:
    from apps.accounts.models import Role

    labels = dict(Role.choices)
    return "、".join(str(labels.get(code, code)) for code in codes or [])
