from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    """The groups of DESIGN.md; the value is the group's name."""

    ENGINEER = "engineer", pgettext_lazy("role", "Engineer")
    CHIEF_ENGINEER = "chief_engineer", pgettext_lazy("role", "Chief engineer")
    REQUESTER = "requester", pgettext_lazy("role", "Requester")
    SALES_REP = "sales_rep", pgettext_lazy("role", "Sales rep")
    SALES_SUPERVISOR = "sales_supervisor", pgettext_lazy("role", "Sales supervisor")
    FRONT_DESK = "front_desk", pgettext_lazy("role", "Front desk")
    SHIFT_LEADER = "shift_leader", pgettext_lazy("role", "Shift leader")
    FLOOR_MANAGER = "floor_manager", pgettext_lazy("role", "Floor manager")
    ADMINISTRATOR = "administrator", pgettext_lazy("role", "Administrator")


class Department(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=30, unique=True)
    email = models.EmailField(_("department mailbox"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A Telroom user; the employee profile lives on the user itself."""

    class Language(models.TextChoices):
        CHINESE = "zh-hans", "简体中文"
        ENGLISH = "en", "English"

    name = models.CharField(_("full name"), max_length=100, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    supervisor = models.ForeignKey(
        "self",
        verbose_name=_("supervisor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="team",
    )
    extension = models.CharField(_("phone extension"), max_length=20, blank=True)
    language = models.CharField(_("interface language"), max_length=10, choices=Language.choices, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(supervisor=models.F("pk")), name="user_not_own_supervisor"
            ),
        ]

    def __str__(self):
        return self.get_full_name()

    def get_full_name(self):
        return self.name or super().get_full_name() or self.username

    def get_short_name(self):
        return self.name or self.username

    @property
    def role_codes(self) -> set[str]:
        """Return the role codes this user holds (cached per instance)."""
        if not hasattr(self, "_role_codes"):
            self._role_codes = set(self.groups.values_list("name", flat=True))
        return self._role_codes

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.role_codes.intersection(roles))


from apps.core.audit import audit_register  # noqa: E402 - registration after the models

audit_register(Department)
audit_register(User, exclude_fields=["password", "last_login"], m2m_fields={"groups"})
