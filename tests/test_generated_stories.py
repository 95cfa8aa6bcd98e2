"""The generated stories are committed; they must be what scripts/dev/make_stories.py writes now."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_generated_stories_are_up_to_date():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts/dev/make_stories.py"), "--check"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, (
        "data/stories/interview.yml or tests/test_stories.yml is out of date: "
        f"run .venv/bin/python scripts/dev/make_stories.py and commit the result\n{result.stderr}"
    )
