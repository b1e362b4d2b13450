"""
Where the demo keeps its files and where it serves, read from the environment: the settings use these, and so does
the command line before it starts Django (so that ``serve --port`` and ``--db`` reach the settings).

* ``CERTEXCEPTIONS_HOME``: the demo's folder (uploads waiting for a task, and the database's default place);
  by default ``$XDG_DATA_HOME/certexceptions-demo``, that is ``~/.local/share/certexceptions-demo``.
* ``CERTEXCEPTIONS_DB``: the SQLite file; by default ``demo.sqlite3`` in that folder.
* ``CERTEXCEPTIONS_PORT``: the port the demo serves on, 127.0.0.1 only (default 8000). ``LMS_ROOT_URL``, and with
  it every ``join_url``, QR code and the JWT issuer, follow it.
"""
import os
from pathlib import Path

HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def home() -> Path:
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(os.environ.get("CERTEXCEPTIONS_HOME") or Path(data_home) / "certexceptions-demo")


def database() -> Path:
    return Path(os.environ.get("CERTEXCEPTIONS_DB") or home() / "demo.sqlite3")


def port() -> int:
    return int(os.environ.get("CERTEXCEPTIONS_PORT") or DEFAULT_PORT)


def lms_root_url() -> str:
    return f"http://{HOST}:{port()}"
