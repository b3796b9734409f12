"""Demo departments and one login per role. For demonstrations only."""

import datetime

from django.utils import timezone

from .models import Department, Role, User
from .services import department_get_or_create, user_create

DEPARTMENTS = [
    ("it", "信息技术部"),
    ("eng", "工程部"),
    ("sales", "销售部"),
    ("service", "前厅部"),
    ("admin", "行政部"),
    ("finance", "财务部"),
]

USERS = [
    # username, name, role, department code, extension
    ("engineer", "王工", Role.ENGINEER, "eng", "8001"),
    ("chief", "李总工", Role.CHIEF_ENGINEER, "eng", "8000"),
    ("requester", "赵行政", Role.REQUESTER, "admin", "8101"),
    ("supervisor", "陈主管", Role.SALES_SUPERVISOR, "sales", "8200"),
    ("rep", "刘销售", Role.SALES_REP, "sales", "8201"),
    ("frontdesk", "孙前台", Role.FRONT_DESK, "service", "8300"),
    ("leader", "周领班", Role.SHIFT_LEADER, "service", "8301"),
    ("manager", "吴经理", Role.FLOOR_MANAGER, "service", "8302"),
    ("admin", "郑管理员", Role.ADMINISTRATOR, "it", "8900"),
]

DEMO_PASSWORD = "telroom-demo"


def seed(*, stdout) -> None:
    departments = {code: department_get_or_create(code=code, name=name) for code, name in DEPARTMENTS}
    for username, name, role, dept, ext in USERS:
        if User.objects.filter(username=username).exists():
            continue
        user_create(
            username=username,
            password=DEMO_PASSWORD,
            name=name,
            email=f"{username}@example.com",
            roles=[role],
            department=departments[dept],
            hire_date=timezone.localdate() - datetime.timedelta(days=400),
            extension=ext,
            is_staff=role == Role.ADMINISTRATOR,
            is_superuser=role == Role.ADMINISTRATOR,
        )
    supervisor = User.objects.get(username="supervisor")
    User.objects.filter(username="rep", supervisor__isnull=True).update(supervisor=supervisor)
    stdout.write("Demo logins (for demonstrations only; change or remove them before real use):")
    for username, _name, role, _dept, _ext in USERS:
        stdout.write(f"  {Role(role).label:<20} {username:<12} / {DEMO_PASSWORD}")
    stdout.write(f"  {Department.objects.count()} departments")
