"""Management commands: demo data and the demo two-factor code."""

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from community.models import Pathway
from tests.factories import totp_code

pytestmark = pytest.mark.django_db


# One test for both commands that read the demo data: loading it takes long.
@override_settings(HARBOUR_DEMO=True)
def test_on_the_demo_data_demo_totp_prints_the_code_and_assess_text_its_verdicts(
    capsys, monkeypatch
):
    import io
    import json

    from home.management.commands.load_demo import DEMO_TOTP_SECRET

    call_command("load_demo")
    capsys.readouterr()
    call_command("demo_totp", "clinician.ed@example.org")
    printed = capsys.readouterr().out.split()[0]
    assert printed in {totp_code(DEMO_TOTP_SECRET, offset) for offset in (-1, 0, 1)}

    # assess_text: one JSON object per line of input, with the pathway's rules.
    monkeypatch.setattr(
        "sys.stdin", io.StringIO("I was 7 stone\nI want to kill myself\n\n")
    )
    call_command("assess_text", "--pathway", "eating-disorders", "--lang", "en")
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["verdict"] == "rewrite"
    assert first["rule_hits"][0]["excerpt"] == "7 stone"
    assert second["alert"] == ["suicide"]
    assert second["categories"]["suicide"] == 1.0


def test_assess_text_takes_one_argument_and_welsh(capsys):
    import json

    call_command("assess_text", "Dw i eisiau lladd fy hun", "--lang", "cy")
    assert json.loads(capsys.readouterr().out)["alert"] == ["suicide"]


def test_assess_text_refuses_an_unknown_pathway():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No pathway"):
        call_command("assess_text", "x", "--pathway", "nope")


def test_demo_totp_refuses_outside_the_demo(settings):
    from django.core.management.base import CommandError

    settings.HARBOUR_DEMO = False
    with pytest.raises(CommandError, match="demo"):
        call_command("demo_totp", "clinician.ed@example.org")


# export_safety_labels -----------------------------------------------------------------


def _labelled(pathway, text, decision, reason, categories, language="en"):
    from django.contrib.contenttypes.models import ContentType

    from community.moderation.models import ModerationCase, SafetyLabel
    from tests.factories import UserFactory

    author = UserFactory()
    case = ModerationCase.objects.create(
        pathway=pathway,
        content_type=ContentType.objects.get_for_model(Pathway),
        object_id=ModerationCase.objects.count() + 1,
        author=author,
    )
    return SafetyLabel.objects.create(
        pathway=pathway,
        case=case,
        author=author,
        language=language,
        text=text,
        tier="review",
        categories=categories,
        decision=decision,
        reason=reason,
    )


def test_export_safety_labels_writes_the_corpus_format(tmp_path, capsys):
    from community.safety.corpus import read_corpus
    from tests.factories import make_pathway

    perinatal, other = make_pathway("Perinatal"), make_pathway("Eating disorders")
    _labelled(
        perinatal,
        "Just joined.\tMy little one\nis 3 weeks old.",
        "not_a_risk",
        "everyday",
        ["safeguarding"],
    )
    _labelled(
        perinatal,
        "Dw i eisiau marw",
        "confirmed",
        "risk_stated",
        ["suicide", "self_harm"],
        "cy",
    )
    _labelled(perinatal, "reported only", "confirmed", "other", [])
    _labelled(other, "Not in perinatal", "not_a_risk", "past", ["suicide"])

    output = tmp_path / "labels.tsv"
    call_command("export_safety_labels", "--output", str(output))
    lines = [
        line
        for line in output.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    ]
    assert lines == [
        "en\tnone\tJust joined. My little one is 3 weeks old.",
        "cy\tself_harm,suicide\tDw i eisiau marw",
        "en\tnone\tNot in perinatal",
    ]
    assert output.stat().st_mode & 0o077 == 0  # its owner's alone
    assert read_corpus(output)[1] == (
        "cy",
        {"suicide", "self_harm"},
        "Dw i eisiau marw",
    )
    assert "3 labels written; 1 confirmed without categories left out" in (
        capsys.readouterr().err
    )

    call_command("export_safety_labels", "--pathway", perinatal.slug)
    out = capsys.readouterr().out
    assert "Just joined" in out and "Not in perinatal" not in out
    with pytest.raises(CommandError):
        call_command("export_safety_labels", "--pathway", "nowhere")
