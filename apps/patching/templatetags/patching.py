"""Render the distribution table's rows in Python: 50–200 rows of 14 cells, fast."""

from html import escape as _escape
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def escape(value) -> str:
    return _escape(str(value), quote=True)


MONO = ("outlet", "port", "equipment_terminal", "line_terminal", "riser_pair", "floor_terminal")
PLAIN = ("user", "department", "building", "floor", "room")


@register.simple_tag
def table_rows(rows, can_edit=False, faulty=(), can_fault=False):
    trace_url = reverse("patching:trace")
    fault_url = reverse("patching:faulty")
    fault_badge = format_html(' <span class="badge text-bg-danger">{}</span>', _("faulty"))
    spare = format_html('<span class="badge text-bg-light">{}</span>', _("spare"))
    edit_label = escape(_("Edit"))
    edit_url = reverse("patching:extension_edit", args=["__N__"])
    out = []
    for row in rows:
        if row["kind"] == "spare":
            css = ' class="text-muted"'
        elif not row["complete"]:
            css = ' class="table-warning"'
        else:
            css = ""
        key = escape(row["extension"] or row["outlet"])
        cells = [f'<tr{css} data-testid="row-{key}">']
        if row["extension"]:
            number = escape(row["extension"])
            cells.append(
                f'<td class="fw-semibold"><a href="{trace_url}?q={quote(row["extension"])}">{number}</a></td>'
            )
        else:
            cells.append(f"<td>{spare}</td>")
        cells += [f"<td>{escape(row[k])}</td>" for k in PLAIN]
        for k in MONO:
            value = row[k]
            if value and k not in ("outlet", "port") and (can_fault or value in faulty):
                text = escape(value)
                if can_fault:
                    text = f'<a href="{fault_url}?d={quote(value)}">{text}</a>'
                if value in faulty:
                    cells.append(f'<td class="font-monospace table-danger">{text}{fault_badge}</td>')
                else:
                    cells.append(f'<td class="font-monospace">{text}</td>')
            else:
                cells.append(f'<td class="font-monospace">{escape(value)}</td>')
        cells.append(f"<td>{escape(row['notes'])}</td>")
        if can_edit and row["extension"]:
            url = edit_url.replace("__N__", quote(row["extension"]))
            cells.append(f'<td class="text-nowrap"><a class="small" href="{url}">{edit_label}</a></td>')
        else:
            cells.append("<td></td>")
        cells.append("</tr>")
        out.append("".join(cells))
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped
