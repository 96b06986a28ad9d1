"""Bad input (issue 5): empty bodies, one 200 KB sentence, non-English text declared English,
HTML left in the body. Each is ingested through the API into a real DuckDB file: no crash, and
a clear warning stored with the article's pipeline run (GET /articles/{id} and
/articles/{id}/annotations both show it)."""

from __future__ import annotations

import re

import pytest
from litestar.testing import TestClient

from service.body_checks import blank_markup, check_body, guess_language
from service.temporal import MAX_EXPRESSIONS
from service.text import MAX_SENTENCE_CHARS, MAX_STORY_SENTENCE_CHARS, segment

from conftest import DEMO, SHARED_DATA

AFP = (DEMO / "afp-belgorod-2023-05-23.txt").read_text(encoding="utf-8")
PUBLISHED = "2023-05-23T12:00:00+03:00"

# A French dispatch on the same story (written for this test), sent as English.
FRENCH = """Des drones ont frappé mardi la région russe de Belgorod, frontalière de l'Ukraine, où des \
opérations de sécurité se poursuivaient pour le deuxième jour après une incursion attribuée à des \
combattants venus d'Ukraine, ont annoncé les autorités.

Plusieurs drones ont touché des maisons et un bâtiment administratif pendant la nuit, sans faire de \
victimes, a écrit sur Telegram le gouverneur de la région, Viatcheslav Gladkov.

Lundi, la Russie avait affirmé que ses troupes combattaient un groupe de « sabotage » entré depuis \
l'Ukraine et avait instauré un « régime antiterroriste » dans la région, une première depuis le \
début de l'offensive de Moscou en Ukraine en février 2022.

Selon le gouverneur, huit personnes ont été blessées et les autorités aident les habitants à quitter \
la zone des combats. Il a ajouté mardi qu'il était encore trop tôt pour que les habitants qui ont \
fui rentrent chez eux."""


def ingest(client: TestClient, id: str, body: str, **fields: object) -> tuple[dict, dict]:
    """POST one article; its detail and its annotations as the API shows them."""
    sent = {"id": id, "source": "Test Wire", "body": body, "published_at": PUBLISHED, **fields}
    response = client.post("/articles", json=sent)
    assert response.status_code == 201, response.text
    detail = client.get(f"/articles/{id}").json()
    annotations = client.get(f"/articles/{id}/annotations").json()
    assert detail["body"] == body.replace("\r\n", "\n")  # the body is stored exactly as sent
    assert detail["run"]["warnings"] == annotations["warnings"]
    return detail, annotations


def warning(annotations: dict, start: str) -> str:
    found = [w for w in annotations["warnings"] if w.startswith(start)]
    assert found, annotations["warnings"]
    return found[0]


# ------------------------------------------------------------------ empty bodies ------------

@pytest.mark.parametrize("body", ["", "   ", "\n\n\t  \n"])
def test_an_empty_or_blank_body_is_stored_with_a_warning(client: TestClient, body: str) -> None:
    detail, annotations = ingest(client, "empty", body)
    assert annotations["warnings"] == ["body is empty: nothing to tag"]
    assert detail["time_expressions"] == [] and annotations["mentions"] == []


def test_a_body_of_markup_only_is_empty_once_blanked(client: TestClient) -> None:
    _, annotations = ingest(client, "markup-only", '<div class="story"><p></p><br/></div>\n<!-- ad slot -->')
    assert warning(annotations, "HTML markup found in the body (<div>, <p>, <br>)")
    assert warning(annotations, "body is empty once its markup is blanked out: nothing to tag")
    assert annotations["time_expressions"] == [] and annotations["mentions"] == []


# ------------------------------------------------------------------ one 200 KB sentence -----

def run_on_sentence(size: int = 200_000) -> str:
    """The AFP dispatch's words without any sentence end, repeated into one line of `size`."""
    words = re.sub(r"[.!?…\n]+", " ", AFP).split()
    text = " ".join(words * (size // len(" ".join(words)) + 1))[:size]
    return text.rstrip() + "x" * (size - len(text.rstrip()))


def test_one_200_kb_sentence_is_tagged_but_not_parsed(client: TestClient) -> None:
    body = run_on_sentence()
    assert len(body) == 200_000
    # bounded work: nothing of it goes to the parser (its pieces are `run_on`, not story text)...
    seg = segment(body)
    assert seg.story_sentences() == [] and seg.run_on == [(0, 200_000)]
    assert all(s.end - s.start <= MAX_SENTENCE_CHARS and s.kind == "run_on" for s in seg.sentences)

    detail, annotations = ingest(client, "run-on", body)
    text = warning(annotations, "a sentence of 200,000 characters (at 0) was not parsed")
    assert f"longer than {MAX_STORY_SENTENCE_CHARS:,}" in text and "tense from nearby words" in text
    # ...so it makes no events, and the tagger's own bound holds
    assert annotations["mentions"] == []
    assert 0 < len(annotations["time_expressions"]) <= MAX_EXPRESSIONS
    for x in annotations["time_expressions"]:
        assert body[x["start"]:x["end"]] == x["text"]
    # tense from the words around: "authorities said Tuesday" is the Tuesday of publication
    said_tuesday = body.index("authorities said Tuesday") + len("authorities said ")
    [tuesday] = [x for x in annotations["time_expressions"] if x["start"] == said_tuesday]
    assert tuesday["value"] == "2023-05-23"


def test_run_on_text_longer_than_spacys_own_limit_is_tokenized_not_refused() -> None:
    # spaCy refuses texts over 1,000,000 characters; unparsed text is only tokenized, so a body
    # allowed by a raised TIMELINE_MAX_BODY_CHARS must not crash the pipeline.
    from service.articles import ArticleIn, Limits, validate
    from service.pipeline import derive

    body = "the convoy moved on " * 60_000  # 1,200,000 characters, one run-on line
    article = validate(ArticleIn(id="huge", body=body, published_at=PUBLISHED), Limits(max_body_chars=2_000_000))
    derived = derive(article)
    assert derived.mentions == []
    assert any(w.startswith("a sentence of 1,199,999 characters (at 0) was not parsed") for w in derived.warnings)


def test_a_run_on_table_does_not_cost_the_story_its_events(client: TestClient) -> None:
    table = " | ".join(f"row {i} 2023-05-{1 + i % 28:02d} {i * 7} units" for i in range(600))
    assert len(table) > MAX_STORY_SENTENCE_CHARS
    body = AFP + "\n\n" + table + "\n"
    _, plain = ingest(client, "plain", AFP)
    _, annotations = ingest(client, "with-table", body)
    start = len(AFP) + 2
    assert warning(annotations, f"a sentence of {len(table):,} characters (at {start:,}) was not parsed")
    assert [(m["trigger"], m["kind"]) for m in annotations["mentions"]] == \
        [(m["trigger"], m["kind"]) for m in plain["mentions"]]
    assert any(x["start"] >= start for x in annotations["time_expressions"])  # the table's dates are tagged


# ------------------------------------------------------------------ not English -------------

def test_french_declared_as_english_is_processed_with_a_warning(client: TestClient) -> None:
    _, annotations = ingest(client, "fr-as-en", FRENCH, language="en")
    text = warning(annotations, "the body looks like French, not English as declared")
    assert "English rules may miss or misread" in text and '"language"' in text

    _, declared = ingest(client, "fr-as-fr", FRENCH, language="fr")
    assert not any("not English" in w for w in declared["warnings"])
    assert any(x["value"] == "2022-02" for x in declared["time_expressions"])  # "février 2022", French rules


@pytest.mark.parametrize(("body", "looks"), [
    ("Die Regierung kündigte am Montag an, dass die Verhandlungen mit den Gewerkschaften in der kommenden "
     "Woche wieder aufgenommen werden. Nach Angaben des Arbeitsministers verliefen die Gespräche ruhig, und "
     "eine Einigung könnte noch vor Ende des Monats erzielt werden. Die Gewerkschaften bleiben jedoch "
     "vorsichtig und rufen für Donnerstag zu einem neuen Aktionstag auf.", "looks like German"),
    ("Правительство объявило в понедельник, что переговоры с профсоюзами возобновятся на следующей неделе. "
     "По словам министра труда, обсуждения прошли спокойно, и соглашение может быть достигнуто до конца "
     "месяца. Профсоюзы остаются осторожными.", "is mostly written in Cyrillic script"),
    ("政府周一宣布，与工会的谈判将于下周恢复。劳工部长表示，讨论进行得很平静，可能在月底前达成协议。"
     "工会方面仍保持谨慎，并呼吁周四举行新的动员日。" * 2, "is mostly written in Chinese characters"),
])
def test_other_languages_are_named(body: str, looks: str) -> None:
    guess = guess_language(body)
    assert guess is not None and guess.looks_like == looks
    assert check_body(body, "en").warnings[0].startswith(f"the body {looks}, not English as declared")
    assert check_body(body, "de").warnings == []  # only a body declared English is checked


def test_english_news_never_gets_a_language_or_markup_warning() -> None:
    from service.sources.timeml import iter_corpus

    bodies = [AFP, (DEMO / "translated-belgorod-2023-05-23.txt").read_text(encoding="utf-8")]
    tbaq = SHARED_DATA / "tbaq"
    if tbaq.is_dir():
        bodies += [d.text for d in iter_corpus([tbaq])]
        assert len(bodies) == 258
    for body in bodies:
        assert check_body(body, "en").warnings == [], body[:200]
    assert guess_language("Short note: Monday.") is None  # too short to tell


# ------------------------------------------------------------------ HTML --------------------

def as_html(text: str) -> str:
    """The AFP dispatch as a careless feed sends it: paragraphs in <p>, a link, bold dates, a
    script, a comment and non-breaking spaces."""
    html = [f'<p class="para">{p}</p>' for p in text.split("\n") if p.strip()]

    def edit(old: str, new: str) -> None:
        [k] = [k for k, p in enumerate(html) if old in p]
        html[k] = html[k].replace(old, new)

    edit("authorities said Tuesday", "authorities said <b>Tuesday</b>")
    edit("On Monday,", '<a href="https://example.org/live?day=monday">On Monday</a>,')
    edit("Gladkov said on Tuesday", "Gladkov said on&nbsp;Tuesday")
    html.insert(2, "<!-- <p>advert: sale ends Friday</p> -->")
    html.insert(0, '<script type="text/javascript">var published = "Thursday";</script>')
    return '<div class="article">\n' + "\n".join(html) + "\n</div>"


def test_html_is_blanked_out_and_offsets_still_point_into_the_stored_body(client: TestClient) -> None:
    body = as_html(AFP)
    _, plain = ingest(client, "plain", AFP)
    _, annotations = ingest(client, "html", body)
    text = warning(annotations, "HTML markup found in the body (<div>, <script>, <p>, <b>, …)")
    assert "replaced by spaces of the same length" in text

    blanked, names, _ = blank_markup(body)
    assert len(blanked) == len(body) and {"p", "a", "b", "script", "div", "&nbsp;"} <= set(names)
    # what is read is the plain text: the same time expressions and the same events
    assert len(plain["time_expressions"]) > 5 and len(plain["mentions"]) > 10
    assert sorted((x["text"], x["value"]) for x in annotations["time_expressions"]) == \
        sorted((x["text"], x["value"]) for x in plain["time_expressions"])
    assert [(m["trigger"], m["kind"], m["valid_from"], m["valid_until"]) for m in annotations["mentions"]] == \
        [(m["trigger"], m["kind"], m["valid_from"], m["valid_until"]) for m in plain["mentions"]]
    # nothing is read from markup: not the script's "Thursday", not the comment's "Friday"
    assert not any(x["text"] in ("Thursday", "Friday") for x in annotations["time_expressions"])
    # and every stored offset is an offset into the body as sent
    for x in annotations["time_expressions"]:
        assert body[x["start"]:x["end"]] == x["text"]
    for m in annotations["mentions"]:
        assert body[m["trigger_start"]:m["trigger_end"]] == m["trigger"]


def test_angle_brackets_that_are_not_html_are_text() -> None:
    body = "Prices rose 3% <Reuters> as a < b and b > c on Monday; AT&T said <unk> nothing."
    assert blank_markup(body) == (body, [], 0)
    assert check_body(body, "en").warnings == []
