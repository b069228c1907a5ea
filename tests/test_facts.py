"""Every fact of the announcement, asked as SPARQL (tests/facts/*.rq) and answered with its quote.

Each query's ?quote* columns hold the oa:exact words of the annotations whose
body states the fact; the rest of a row is the fact itself. Rows are compared
as sets: reference data and the announcement may both state a triple, and the
union of graphs then yields it twice.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import select

from rit_graph.corpus.load import Corpus

FACTS = Path(__file__).parent / "facts"
T = "true^^xsd:boolean"

PARTNERSHIP_QUOTE = (
    "Das Cluster automotive-bw wird in den kommenden zwölf Monaten mit der japanischen Stadt Hitachi "
    "und Photonics BW mit der Stadt Kitakyushu zusammenarbeiten."
)
AIM_EN = "to promote cooperation between Baden-Württemberg and Japanese companies@en"
KITAKYUSHU_QUOTE = (
    "Die Stadt Kitakyushu liegt im Süden Japans in der Präfektur Fukuoka, die ein wichtiger Knotenpunkt "
    "zu den schnell wachsenden Märkten in China und Südostasien ist."
)
GDP_QUOTE = (
    "Das Bruttoinlandsprodukt (BIP) der Präfektur erreicht rund 158 Mrd. Euro - und ist damit mit dem BIP "
    "von Singapur oder Hong Kong vergleichbar."
)

#: query file -> (expected rows without the quote columns, expected quotes)
EXPECTED: dict[str, tuple[set[tuple[str, ...]], set[str]]] = {
    "01-announcement.rq": (
        {
            (
                "Baden-württembergische Cluster erstmals als Partner für japanische Regionen@de",
                (
                    "Die beiden Cluster automotive-bw und Photonics BW kooperieren mit den japanischen Städten "
                    "Hitachi und Kitakyushu.@de"
                ),
                "de^^xsd:language",
                about,
            )
            for about in (
                "id/selection/jetro-rit-bw-clusters",
                "id/partnership/automotive-bw-hitachi",
                "id/partnership/photonics-bw-kitakyushu",
            )
        },
        {"Baden-württembergische Cluster erstmals als Partner für japanische Regionen"},
    ),
    "02-jetro-selects-clusters.rq": (
        {
            ("Japan External Trade Organization@en", f"id/organisation/{c}", "partners for Japanese regions@en")
            for c in ("automotive-bw", "photonics-bw")
        },
        {
            (
                "Die japanische Außenhandelsorganisation JETRO hat erstmals zwei baden-württembergische Cluster "
                "als Partner für japanische Regionen ausgewählt."
            ),
            "Die beiden Cluster automotive-bw und Photonics BW",
        },
    ),
    "03-automotive-bw-partnership.rq": (
        {("id/partnership/automotive-bw-hitachi", "id/place/hitachi", T)},
        {PARTNERSHIP_QUOTE},
    ),
    "04-photonics-bw-partnership.rq": (
        {("id/partnership/photonics-bw-kitakyushu", "id/place/kitakyushu", T)},
        {PARTNERSHIP_QUOTE},
    ),
    "05-rit-programme.rq": (
        {
            (
                f"id/partnership/{p}",
                "Regional Industry Tie-up Program (RIT)@en",
                (
                    "gives financial support to cooperation between Japanese and foreign regions with comparable "
                    "economic structures@en"
                ),
            )
            for p in ("automotive-bw-hitachi", "photonics-bw-kitakyushu")
        },
        {
            (
                "Dieser Wirtschaftsaustausch wird im Rahmen des so genannten RIT-Programms (Regional Industry "
                "Tie-up) gefördert."
            ),
            (
                "Dieses Programm unterstützt finanziell die Kooperation zwischen japanischen und ausländischen "
                "Regionen, deren wirtschaftliche Struktur vergleichbar ist."
            ),
        },
    ),
    "06-selection-won.rq": (
        {("id/place/baden-wuerttemberg", "intensive selection process@en", "European and German locations@en")},
        {
            (
                "Baden-Württemberg hat sich mit den beiden Clustern in einem intensiven Auswahlprozess gegenüber "
                "europäischen und deutschen Standorten durchgesetzt."
            )
        },
    ),
    "07-application-bw-i.rq": (
        {
            (
                "id/organisation/bw-i",
                "Baden-Württemberg International@en",
                (
                    "the State of Baden-Württemberg's competence centre for the internationalisation of business "
                    "and science@en"
                ),
            )
        },
        {
            (
                "Die Initiative für die Bewerbung ging von Baden-Württemberg International (bw-i) aus, dem "
                "Kompetenzzentrum des Landes Baden-Württemberg für die Internationalisierung von Wirtschaft und "
                "Wissenschaft."
            ),
            "bw-i betreute die Cluster auch während des Auswahlprozesses.",
        },
    ),
    "08-munich-visit.rq": (
        {
            (
                "2015-06-22^^xsd:date",
                "id/place/japan",
                "id/place/munich",
                "id/event/photonics-trade-fair-munich-2015",
                f"id/organisation/{o}",
                "make initial contacts@en",
            )
            for o in ("bw-i", "photonics-bw")
        },
        {
            (
                "Bereits am 22. Juni 2015 wird eine japanische Delegation nach München kommen und dort gemeinsam "
                "mit bw-i und Photonics BW die Messe Photonics besuchen sowie erste Kontakte knüpfen."
            )
        },
    ),
    "09-hitachi-talks.rq": (
        {("2015-06-28^^xsd:date", "2015-07-04^^xsd:date", "id/place/hitachi-region", "initial cooperation talks@en")},
        {
            (
                "Vom 28. Juni bis 4. Juli 2015 reisen Experten von automotive-bw in die Region Hitachi für erste "
                "Kooperationsgespräche."
            )
        },
    ),
    "10-return-visit.rq": (
        {
            (
                "2015-09^^xsd:gYearMonth",
                "id/place/hitachi",
                "id/place/baden-wuerttemberg",
                "id/event/2015-06-28-automotive-bw-hitachi-talks",
                T,
            )
        },
        {"Im September dann erfolgt der Gegenbesuch einer Delegation aus Hitachi in Baden-Württemberg."},
    ),
    "11-kitakyushu-visit.rq": (
        {("2015-11^^xsd:gYearMonth", "id/place/kitakyushu", "rit:Planned", T)},
        {"Für November ist ein Besuch der Clustervertreter von Photonics BW in Kitakyushu geplant."},
    ),
    "12-aim.rq": (
        {
            (f"id/event/{e}", AIM_EN)
            for e in (
                "2015-06-22-japanese-delegation-munich",
                "2015-06-28-automotive-bw-hitachi-talks",
                "2015-09-hitachi-return-visit",
                "2015-11-photonics-bw-kitakyushu-visit",
            )
        },
        {
            (
                "Ziel dieser Maßnahmen ist es, die Zusammenarbeit zwischen baden-württembergischen und japanischen "
                "Unternehmen zu fördern."
            )
        },
    ),
    "13-kitakyushu.rq": (
        {
            (
                "id/place/fukuoka-prefecture",
                "in the south of Japan@en",
                "id/organisation/oecd",
                "first Japanese model city for green growth@en",
            )
        },
        {
            KITAKYUSHU_QUOTE,
            "Kitakyushu ist von der OECD zur ersten japanischen Modellstadt für grünes Wachstum gekürt worden.",
        },
    ),
    "14-fukuoka.rq": (
        {
            (f"id/place/{area}", "158000000000^^xsd:integer", "EUR", f"id/place/{place}")
            for area in ("china", "southeast-asia")
            for place in ("singapore", "hong-kong")
        },
        {KITAKYUSHU_QUOTE, GDP_QUOTE},
    ),
    "15-hitachi.rq": (
        {
            (
                "id/place/ibaraki-prefecture",
                "150^^xsd:integer",
                "KMT",
                "id/place/tokyo",
                "north-east@en",
                "id/organisation/hitachi-ltd",
            )
        },
        {
            "Die Metropole Hitachi liegt in der Präfektur Ibaraki, 150 km nordöstlich von Tokyo.",
            "Der weltweit bekannte Mischkonzern Hitachi hat seinen Hauptsitz in der Stadt.",
        },
    ),
}


def test_every_query_file_has_its_expected_answer() -> None:
    assert sorted(p.name for p in FACTS.glob("*.rq")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fact(corpus: Corpus, name: str) -> None:
    rows = select(corpus.data, (FACTS / name).read_text(encoding="utf-8"), corpus.project.base_iri)
    facts = {tuple(v for k, v in row.items() if not k.startswith("quote")) for row in rows}
    quotes = {v for row in rows for k, v in row.items() if k.startswith("quote")}
    expected_facts, expected_quotes = EXPECTED[name]
    assert facts == expected_facts
    assert quotes == expected_quotes
