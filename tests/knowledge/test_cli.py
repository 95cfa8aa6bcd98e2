"""The knowledge command line: useful output and helpful errors."""
import pytest

from knowledge.__main__ import main


def test_validate(capsys):
    assert main(["validate"]) == 0
    assert capsys.readouterr().out.startswith("ok: ")


def test_search_finds_lvb_alcohol(capsys):
    assert main(["search", "lvb", "alcohol"]) == 0
    out = capsys.readouterr().out
    assert "take_it_personal" in out or "open_en_alert" in out


def test_show_unknown_id_suggests(capsys):
    assert main(["show", "barcod"]) == 2
    assert "Did you mean: barcode" in capsys.readouterr().err


def test_plan_from_yaml(tmp_path, capsys):
    state = tmp_path / "state.yaml"
    state.write_text(
        "municipality: Zwolle\nsignals:\n  - substances: [lachgas]\n    settings: [straat]\n"
        "groups: [hangjongeren]\npartners: [jongerenwerk]\n",
        encoding="utf-8",
    )
    assert main(["plan", str(state)]) == 0
    out = capsys.readouterr().out
    assert "Plan for Zwolle" in out and "5. " in out


@pytest.mark.parametrize(
    "content, message",
    [
        ("groups: [marsmannetjes]\n", "unknown group 'marsmannetjes'"),
        ("signals: [3]\n", "signal #1 must be a mapping"),
        ("gemeente: Zwolle\n", "unknown key(s) gemeente"),
        ("signals: [\n", "not valid YAML"),
    ],
)
def test_plan_rejects_bad_state_files(tmp_path, capsys, content, message):
    state = tmp_path / "state.yaml"
    state.write_text(content, encoding="utf-8")
    assert main(["plan", str(state)]) == 2
    assert message in capsys.readouterr().err
