"""Plans, means, times and acts in progress (urgent), in English and Welsh;
and what must not be urgent: negation, looking back, idioms, medicine taken
as prescribed. The examples are written here, not copied from the corpora;
imminent.tsv and everyday.tsv (tuning) are measured at the end."""

from pathlib import Path

import pytest

from community.safety.imminence import KINDS, detect_imminence, load_patterns
from community.safety.pipeline import run_pipeline
from community.safety.risk import CATEGORIES, Tier, file_lexicons

HERE = Path(__file__).parent


def found(text, language="en"):
    return {(m.category, m.kind) for m in detect_imminence(text, language)}


@pytest.mark.parametrize(
    ("language", "category", "kind", "text"),
    [
        ("en", "suicide", "plan", "I've made up my mind, gonna jump off the viaduct"),
        ("en", "suicide", "plan", "wrote my goodbye note and left it on the table"),
        (
            "en",
            "suicide",
            "means",
            "I've been saving up my diazepam for weeks, there's enough now to end it",
        ),
        ("en", "suicide", "means", "bought a rope, it's hidden in the shed"),
        (
            "en",
            "suicide",
            "time",
            "I'm going to kill myself on Sunday when everyone is at church",
        ),
        ("en", "suicide", "act", "swallowed 25 co-codamol about 20mins ago, dizzy"),
        ("en", "suicide", "act", "I'm on the railway line now"),
        ("en", "suicide", "act", "Ive taken an overdose"),
        ("en", "suicide", "act", "the engine's running and the garage door is shut"),
        ("en", "suicide", "time", "my last night on earth. doing it at midnight"),
        ("en", "self_harm", "plan", "im gonna burn myself, already decided where"),
        ("en", "self_harm", "means", "got a razor blade hidden in my shoe for later"),
        ("en", "self_harm", "time", "as soon as my sister's asleep i'm going to cut"),
        ("en", "self_harm", "act", "just cut my wrist and its bleeding loads"),
        ("en", "self_harm", "act", "I'm burning myself with a lighter right now"),
        (
            "en",
            "harm_to_others",
            "plan",
            "I'm going to stab my stepdad when he comes through the door",
        ),
        (
            "en",
            "harm_to_others",
            "means",
            "I've got a knife in my coat for when I see him at school",
        ),
        ("en", "harm_to_others", "time", "tomorrow at lunch I'm going to glass him"),
        ("en", "harm_to_others", "act", "I'm waiting outside her flat with a hammer"),
        (
            "en",
            "safeguarding",
            "act",
            "my mum's boyfriend is beating my mum right now and I'm hiding",
        ),
        ("en", "safeguarding", "plan", "He's coming back tonight to kill me"),
        (
            "en",
            "safeguarding",
            "means",
            "she's been putting vodka in the baby's bottle so she sleeps",
        ),
        (
            "en",
            "safeguarding",
            "time",
            "he'll come into my room again when mum's at work tonight",
        ),
        ("cy", "suicide", "time", "Dw i'n mynd i ladd fy hun fory ar ôl ysgol."),
        ("cy", "suicide", "act", "Nes i gymryd 40 tabled hanner awr yn ôl."),
        ("cy", "suicide", "act", "Dw i ar ymyl y clogwyn rŵan."),
        ("cy", "self_harm", "time", "Dw i'n mynd i dorri fy hun heno."),
        ("cy", "harm_to_others", "plan", "Dw i'n mynd i'w drywanu o heno efo cyllell."),
        ("cy", "safeguarding", "act", "Mae o'n curo fy mam rŵan, dw i'n cuddio."),
        ("cy", "suicide", "act", "Rydw i wedi cymryd llond llaw o dabledi."),
        ("cy", "suicide", "means", "Mae'r rhaff wedi'i chlymu yn y llofft."),
        ("cy", "self_harm", "means", "Mae gen i gyllell o dan y gwely i frifo fy hun."),
        ("cy", "safeguarding", "act", "Mae fy nghariad yn fy nhagu i rŵan."),
        (
            "cy",
            "safeguarding",
            "plan",
            "Dw i'n mynd i adael y babi ar ben ei hun heno.",
        ),
    ],
)
def test_plans_means_times_and_acts_are_found(language, category, kind, text):
    assert (category, kind) in found(text, language)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # Leetspeak, text-speak and misspelling, as risk.normalise decodes them.
        ("k1ll1ng mys3lf 2nite", "suicide"),
        ("took 30 paracetemol an hr ago", "suicide"),
        ("i took like 40 sertraline im sorry", "suicide"),
        ("gonna kms 2moro after skool, got it all planned", "suicide"),
        ("cuttin rn and theres so much blood", "self_harm"),
    ],
)
def test_how_people_type_is_tolerated(text, category):
    assert category in {category for category, _ in found(text)}


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # Negation.
        ("I'm not going to take them, I promised my nurse.", "en"),
        ("I don't want to kill myself tonight, I just want the noise to stop.", "en"),
        ("I'm scared I'll cut again tonight, so I gave my blades to mum.", "en"),
        ("Dw i ddim yn mynd i ladd fy hun heno, dw i'n addo.", "cy"),
        # Looking back.
        ("Last year I took an overdose, now I'm well and back at college.", "en"),
        ("Two years ago I stood on the bridge; today I walked over it.", "en"),
        ("I used to cut after school, I've been free for a year.", "en"),
        ("Llynedd nes i gymryd 30 tabled, rwan dw i'n well.", "cy"),
        # Idioms.
        ("teething is killing us, she's up every hour tonight", "en"),
        ("I killed it in my drama exam today!!", "en"),
        ("gonna kill it at the match on Saturday", "en"),
        ("My brother is beating me at FIFA right now", "en"),
        ("I'm going to end it with my boyfriend tonight, he's been cheating", "en"),
        ("I'm going to batter some fish for tea tonight", "en"),
        ("Mae'r dannedd yn ein lladd ni heno!", "cy"),
        # Medicine taken as prescribed or for a headache.
        ("I took my 2 tablets at 9 like always.", "en"),
        ("took my 20mg of citalopram this morning as prescribed", "en"),
        ("I took 3 paracetamol for my headache, is that ok?", "en"),
        ("I took all the tablets the hospital gave me as they said", "en"),
        ("Nes i gymryd fy nhabledi fel arfer bore 'ma.", "cy"),
        # Everyday places, tools and plans.
        ("We're on the bridge now, the view over the river is beautiful", "en"),
        ("Sat on the roof terrace tonight with a cuppa", "en"),
        ("I have a knife in my bag for my lunch, apples", "en"),
        ("my daughter cut her finger on a tin and it won't stop bleeding", "en"),
        ("I took the whole box of chocolates to work", "en"),
        ("My dad said he'll come and pick me up after school tomorrow", "en"),
        ("I've saved up my tablets in a dosette box so I don't forget them", "en"),
        ("Left the engine running while I nipped into the garage for the pram", "en"),
        ("In the bath with a glass of wine right now, bliss", "en"),
        ("I'm doing it! Booked my first swimming lesson for Saturday", "en"),
        ("Going to jump off the high diving board at the pool on Saturday", "en"),
        ("Dw i ar y bont rŵan, mae'r olygfa'n hyfryd.", "cy"),
        ("Dw i'n mynd i dorri gwallt fy mab heno.", "cy"),
        ("Mae'r gath wedi torri'r fâs ac mae gwaed ar ei phawen.", "cy"),
        ("Dw i'n mynd i adael y babi efo Nain heno.", "cy"),
        ("Nes i gymryd dwy dabled at y cur pen.", "cy"),
        ("Mae'r babi'n fy nhagu i efo'i chwerthin!", "cy"),
    ],
)
def test_negation_looking_back_idiom_and_prescribed_medicine_are_not_urgent(
    text, language
):
    assert found(text, language) == set()


def test_every_category_and_kind_has_patterns_in_english_and_welsh():
    for language in ("en", "cy"):
        entries = load_patterns(language).entries
        assert {entry.category for entry in entries} == set(CATEGORIES)
    kinds = {(e.category, e.kind) for e in load_patterns("en").entries}
    assert kinds == {(c, k) for c in CATEGORIES for k in KINDS}


def test_a_language_without_a_file_still_runs_english():
    assert ("suicide", "act") in found("took 30 paracetamol an hour ago", "fr")


def test_urgent_is_held_from_peers_and_shows_the_crisis_card():
    verdict = run_pipeline(
        "took 30 paracetamol an hour ago", lexicons=file_lexicons("en")
    )
    assert verdict.tier == Tier.URGENT
    assert verdict.show_crisis_contacts
    assert verdict.action == "hold"


def test_a_new_parents_hello_is_calm():
    verdict = run_pipeline(
        "Just joined. My little one is 3 weeks old and teething is killing us.",
        lexicons=file_lexicons("en"),
    )
    assert not verdict.show_crisis_contacts


def _rows(name):
    for line in (HERE / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.split("\t")


def test_tuning_corpora_meet_their_targets():
    """The tuning parts only: imminent posts urgent or alert (at least 99%;
    urgent for at least 95%), crisis cards on at most 1% of everyday posts and
    alerts on at most 0.5%. The held-out parts are measured by the bench."""
    urgent = signposted = total = 0
    for language, _category, _kind, text in _rows("imminent.tsv"):
        tier = run_pipeline(text, language=language, lexicons=file_lexicons(language))
        total += 1
        urgent += tier.tier == Tier.URGENT
        signposted += tier.show_crisis_contacts
    assert signposted >= 0.99 * total
    assert urgent >= 0.95 * total
    cards = alerts = posts = 0
    for language, _pathway, text in _rows("everyday.tsv"):
        verdict = run_pipeline(
            text, language=language, lexicons=file_lexicons(language)
        )
        posts += 1
        cards += verdict.show_crisis_contacts
        alerts += verdict.tier == Tier.ALERT
    assert cards <= 0.01 * posts
    assert alerts <= 0.005 * posts
