from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def assert_same_queries(client, url, add_rows, first: int = 2, more: int = 12) -> None:
    """Load ``url`` with a few rows and with many more: the number of queries must not change."""
    add_rows(first)
    client.get(url)  # warm per-process caches (content types, permissions)
    before, before_sql = count_queries(client, url)
    add_rows(more)
    after, after_sql = count_queries(client, url)
    assert after == before, "queries grew with rows:\n" + "\n".join(after_sql)
