"""The training wrapper (bot/train.py): progress from Rasa's log, a per-component report, errors."""
from __future__ import annotations

import stat
from pathlib import Path
from typing import List

from bot.train import Progress, clock, main, train

FAKE_RASA = r"""#!/usr/bin/env bash
# Stands in for "python -m rasa train ...": writes what Rasa's log looks like, then exits with $FAKE_CODE.
echo "some warning"
echo "2026-12-02 INFO rasa.engine.training.hooks - Starting to train component 'SpacyNLP'."
echo "2026-12-02 INFO rasa.engine.training.hooks - Finished training component 'SpacyNLP'."
echo "2026-12-02 INFO rasa.engine.training.hooks - Starting to train component 'DIETClassifier'."
printf 'Epochs:   0%%|          | 0/3 [00:00<?, ?it/s]\r'
sleep 0.3
printf 'Epochs:  33%%|###       | 1/3 [00:00<00:00, t_loss=9.1]\r'
sleep 0.3
printf 'Epochs: 100%%|##########| 3/3 [00:01<00:00, t_loss=2.1]\n'
echo "2026-12-02 INFO rasa.engine.training.hooks - Finished training component 'DIETClassifier'."
echo "args: $*"
exit "${FAKE_CODE:-0}"
"""


def fake_python(tmp_path: Path) -> str:
    path = tmp_path / "fake-python"
    path.write_text(FAKE_RASA, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_clock():
    assert clock(0) == "0:00"
    assert clock(75.2) == "1:15"
    assert clock(3600) == "60:00"


def test_progress_follows_components_and_epochs():
    progress = Progress(started=0.0)
    assert "preparing" in progress.status(1.0)
    progress.feed("INFO - Starting to train component 'DIETClassifier'.", 10.0)
    progress.feed("Epochs:  40%|####      | 40/100 [00:30<00:45, t_loss=3.2]", 40.0)
    assert progress.status(40.0) == "   training 0:40 · DIETClassifier, epoch 40/100"
    progress.feed("INFO - Finished training component 'DIETClassifier'.", 70.0)
    assert progress.durations == {"DIETClassifier": 60.0}
    assert "last: DIETClassifier" in progress.status(71.0)


def test_the_same_component_twice_is_counted_twice():
    progress = Progress(started=0.0)
    for start, end in ((0.0, 2.0), (2.0, 7.0)):
        progress.feed("Starting to train component 'CountVectorsFeaturizer'.", start)
        progress.feed("Finished training component 'CountVectorsFeaturizer'.", end)
    assert progress.durations == {"CountVectorsFeaturizer": 2.0, "CountVectorsFeaturizer #2": 5.0}
    report = progress.report(total=7.0)
    assert report[0].endswith("CountVectorsFeaturizer #2") and report[-1].endswith("in all")


def test_train_prints_status_and_report_and_keeps_the_log(tmp_path, monkeypatch):
    lines: List[str] = []
    log = tmp_path / "var" / "train.log"
    monkeypatch.delenv("FAKE_CODE", raising=False)
    code = train(["--out", "models"], log, every=0.2, out=lines.append, python=fake_python(tmp_path))
    assert code == 0
    assert any("DIETClassifier" in line and "training" in line for line in lines), lines
    assert lines[-1].strip().endswith("in all")
    assert any(line.strip().endswith("DIETClassifier") for line in lines[-4:]), lines
    text = log.read_text(encoding="utf-8")
    assert "args: -m rasa train --out models" in text
    assert "3/3" in text  # progress-bar refreshes are kept, one per line


def test_a_failed_training_says_so_with_the_last_lines(tmp_path, monkeypatch):
    lines: List[str] = []
    monkeypatch.setenv("FAKE_CODE", "3")
    code = train([], tmp_path / "train.log", out=lines.append, python=fake_python(tmp_path))
    assert code == 3
    errors = [i for i, line in enumerate(lines) if line.startswith("error: training failed")]
    assert len(errors) == 1, lines
    assert any("args:" in line for line in lines[errors[0]:])
    assert not any("in all" in line for line in lines)


def test_main_passes_rasa_arguments_after_a_double_dash(tmp_path, monkeypatch):
    seen = {}

    def fake_train(rasa_args, log_path, every):
        seen.update(args=rasa_args, log=log_path, every=every)
        return 0

    monkeypatch.setattr("bot.train.train", fake_train)
    assert main(["--log", str(tmp_path / "t.log"), "--", "--fixed-model-name", "x", "--out", "m"]) == 0
    assert seen["args"] == ["--fixed-model-name", "x", "--out", "m"]
    assert seen["log"] == tmp_path / "t.log"


def test_steps_restored_from_the_cache_are_shown():
    progress = Progress(started=0.0)
    progress.feed("INFO rasa.engine.training.hooks - Restored component 'RegexFeaturizer' from cache.", 3.0)
    assert "reusing unchanged steps" in progress.status(4.0) and "RegexFeaturizer" in progress.status(4.0)
