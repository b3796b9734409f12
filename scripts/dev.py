#!/usr/bin/env python3
"""Set up and run Telroom, or set up and run its tests, with nothing but Python 3.11.

    python3 scripts/dev.py run     # embedded: SQLite, in-process tasks, demo data, http://127.0.0.1:8000
    python3 scripts/dev.py test    # the whole test suite (extra arguments go to pytest)

A virtual environment is made in .venv (or $TELROOM_VENV) and the project installed
into it from pyproject.toml; it is refreshed whenever pyproject.toml changes.
"""

import hashlib
import os
import signal
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("TELROOM_VENV", ROOT / ".venv"))
PYTHON = VENV / "bin" / "python"


def sh(*args, **kwargs):
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True, **kwargs)


def ensure_venv() -> None:
    if not PYTHON.exists():
        print(f"Creating a virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / ".telroom-installed"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != digest:
        sh(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        sh(PYTHON, "-m", "pip", "install", "--quiet", "-e", ".[dev]")
        stamp.write_text(digest)


def manage(*args) -> None:
    sh(PYTHON, "manage.py", *args)


def run(extra: list[str]) -> int:
    ensure_venv()
    manage("compiletranslations")
    manage("migrate", "--noinput")
    manage("collectstatic", "--noinput", "--verbosity", "0")
    manage("seed_demo")
    address = extra[0] if extra else "127.0.0.1:8000"
    children = []
    celery = [str(PYTHON), "-m", "celery", "-A", "telroom"]
    if os.environ.get("REDIS_URL"):
        children.append(
            subprocess.Popen([*celery, "worker", "--loglevel", "INFO", "--concurrency", "2"], cwd=ROOT)
        )
    # With no Redis, beat runs each due task itself (tasks are eager), so schedules still produce reports.
    children.append(subprocess.Popen([*celery, "beat", "--loglevel", "INFO"], cwd=ROOT))
    print(f"\nTelroom is at http://{address}/  (Ctrl+C stops it)\n", flush=True)
    try:
        return subprocess.call([str(PYTHON), "manage.py", "runserver", "--noreload", address], cwd=ROOT)
    except KeyboardInterrupt:
        return 0
    finally:
        for child in children:
            child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


def test(extra: list[str]) -> int:
    ensure_venv()
    manage("compiletranslations")
    return subprocess.call([str(PYTHON), "-m", "pytest", *extra], cwd=ROOT)


def main() -> int:
    commands = {"run": run, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
