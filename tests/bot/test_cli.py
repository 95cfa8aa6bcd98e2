"""`python -m bot export`: a conversation from a SQLite tracker store to a file."""
import asyncio
import io
import os
import subprocess
import sys

import pytest

from bot.cli import PROJECT_DIR, write_endpoints
from tests.bot import helpers

CID = "cli-conversation"


@pytest.fixture(scope="module")
def endpoints(tmp_path_factory):
    """An endpoints file whose SQLite tracker store holds one conversation."""
    from rasa.core.tracker_store import SQLTrackerStore

    tmp = tmp_path_factory.mktemp("export-cli")
    db = tmp / "tracker.db"
    domain = helpers.domain()
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(db))
    asyncio.run(store.save(helpers.tracker(CID, domain)))
    store.engine.dispose()
    return write_endpoints(tmp / "endpoints.yml", 5999, str(db))


def export(*args, cwd=None):
    env = dict(os.environ, PYTHONPATH=str(PROJECT_DIR))
    return subprocess.run([sys.executable, "-m", "bot", "export", *args], cwd=cwd or PROJECT_DIR, env=env,
                          capture_output=True, text=True, timeout=180)


def test_export_docx(endpoints, tmp_path):
    out = tmp_path / "samenvatting.docx"
    result = export(CID, "--format", "docx", "--out", str(out), "--endpoints", str(endpoints))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    import docx

    document = docx.Document(io.BytesIO(out.read_bytes()))
    assert document.core_properties.title == "Samenvatting preventieaanpak Amersfoort"
    assert document.core_properties.author == "Preventiewijzer"
    rows = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert rows[0] == ["Stap", "Interventie", "Type", "Erkenning", "Bron"]
    assert any(r[1].startswith("DIMS") for r in rows)  # the agreed step 1
    body = "\n".join(p.text for p in document.paragraphs)
    assert "(overgeslagen)" in body  # plan_choices is read even when the domain has no such slot


def test_export_default_name_in_the_current_folder(endpoints, tmp_path):
    result = export(CID, "--format", "md", "--endpoints", str(endpoints), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    files = list(tmp_path.glob("preventiewijzer-amersfoort-*.md"))
    assert len(files) == 1 and result.stdout.strip() == str(files[0])
    assert files[0].read_text(encoding="utf-8").startswith("# Samenvatting preventieaanpak Amersfoort")


def test_one_line_errors(endpoints, tmp_path):
    result = export("nobody", "--endpoints", str(endpoints))
    assert result.returncode == 2
    assert result.stderr.strip() == "error: no conversation 'nobody' in the tracker store"

    result = export(CID, "--format", "xls", "--endpoints", str(endpoints))
    assert result.returncode == 2
    assert result.stderr.strip() == "error: unknown format 'xls'; choose one of: md, docx, pdf"

    missing = write_endpoints(tmp_path / "endpoints.yml", 5999, str(tmp_path / "none.db"))
    result = export(CID, "--endpoints", str(missing))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: no tracker store at {tmp_path / 'none.db'}: no conversation has been kept there yet"
    )
    assert not (tmp_path / "none.db").exists()  # not created by looking

    result = export(CID, "--endpoints", str(tmp_path / "nope.yml"))
    assert result.returncode == 2 and result.stderr.strip().startswith("error: endpoints file not found")
