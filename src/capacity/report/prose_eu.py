"""The prose of report 06 (the EU around the Netherlands) in English and Dutch."""

from __future__ import annotations

EU: dict[str, dict[str, str]] = {
    "p06_title": {
        "en": "# The EU around the Netherlands\n\n"
              "Temporary protection ends on the same day in every member state. How many people are under "
              "it where, how the Dutch share has moved, which national statuses follow it, and what moves "
              "between member states could add to Dutch arrivals after the TPD end. Every series names its "
              "source; what is not known is said to be unknown.",
        "nl": "# De EU rond Nederland\n\n"
              "De tijdelijke bescherming eindigt in elke lidstaat op dezelfde dag. Hoeveel mensen waar onder "
              "die bescherming vallen, hoe het Nederlandse aandeel zich ontwikkelde, welke nationale "
              "verblijfsstatussen erop volgen, en wat verhuizingen tussen lidstaten kunnen toevoegen aan de "
              "instroom in Nederland na het einde van de RTB. Elke reeks noemt haar bron; wat onbekend is, "
              "heet onbekend.",
    },
    "p06_latest": {
        "en": "## People under temporary protection, by member state\n\n"
              "The latest month each member state reported to Eurostat (stock at the end of the month, new "
              "grants in that month). The per-country series run to August 2024 at the latest; Eurostat's "
              "EU-27 totals of 2025 follow below.",
        "nl": "## Mensen onder tijdelijke bescherming, per lidstaat\n\n"
              "De laatste maand die elke lidstaat aan Eurostat meldde (aantal aan het eind van de maand, "
              "nieuwe toekenningen in die maand). De reeksen per land lopen tot uiterlijk augustus 2024; de "
              "EU-27-totalen van Eurostat voor 2025 staan verderop.",
    },
    "p06_latest_caption": {"en": "Latest reported month per member state (Eurostat migr_asytpsm, migr_asytpfm)",
                           "nl": "Laatst gemelde maand per lidstaat (Eurostat migr_asytpsm, migr_asytpfm)"},
    "p06_stocks_chart": {"en": "People under temporary protection: the largest member states and the Netherlands",
                         "nl": "Mensen onder tijdelijke bescherming: de grootste lidstaten en Nederland"},
    "p06_grants_chart": {"en": "New temporary-protection grants per month",
                         "nl": "Nieuwe toekenningen van tijdelijke bescherming per maand"},
    "p06_breaks": {
        "en": "Sudden falls of a country's stock (Poland Oct 2022, Czechia and Sweden Mar 2023, Bulgaria Feb "
              "2024, Germany Jul 2024, the Netherlands Jan 2023) are register clean-ups or changes of "
              "definition, not departures; they are marked in the data (`note`).",
        "nl": "Plotselinge dalingen van het aantal in een land (Polen okt 2022, Tsjechië en Zweden mrt 2023, "
              "Bulgarije feb 2024, Duitsland jul 2024, Nederland jan 2023) zijn opschoningen van registers of "
              "wijzigingen van definitie, geen vertrek; ze zijn in de gegevens gemarkeerd (`note`).",
    },
    "p06_share": {
        "en": "## The Dutch share\n\n"
              "The Netherlands' stock as a share of the EU member states' total, in the months every member "
              "state in the data reported (Cyprus is not in the extraction). After August 2024 there is no "
              "Dutch Eurostat stock in the data, so the share in 2025 is unknown; the EU-27 totals of 2025 "
              "are shown on their own.",
        "nl": "## Het Nederlandse aandeel\n\n"
              "Het aantal in Nederland als aandeel van het totaal van de lidstaten, in de maanden waarin elke "
              "lidstaat in de gegevens meldde (Cyprus zit niet in de extractie). Na augustus 2024 bevatten de "
              "gegevens geen Nederlands Eurostat-aantal, dus het aandeel in 2025 is onbekend; de EU-27-totalen "
              "van 2025 staan apart.",
    },
    "p06_share_chart": {"en": "Share of the EU's people under temporary protection who are in the Netherlands",
                        "nl": "Aandeel van de mensen onder tijdelijke bescherming in de EU dat in Nederland is"},
    "p06_share_caption": {"en": "Dutch share per month (complete months only)",
                          "nl": "Nederlands aandeel per maand (alleen volledige maanden)"},
    "p06_totals_caption": {"en": "EU-27 totals from Eurostat releases, 2025",
                           "nl": "EU-27-totalen uit publicaties van Eurostat, 2025"},
    "p06_statuses": {
        "en": "## What follows temporary protection\n\n"
              "The Council's recommendation of 16 September 2025 asks member states to move people to "
              "national statuses. One row per member state: the status where a source was found, otherwise "
              "**unknown**.",
        "nl": "## Wat volgt op de tijdelijke bescherming\n\n"
              "De aanbeveling van de Raad van 16 september 2025 vraagt lidstaten mensen een nationale status "
              "te geven. Eén rij per lidstaat: de status waar een bron is gevonden, anders **onbekend**.",
    },
    "p06_statuses_caption": {"en": "Post-TP national statuses (datasets/post_tp_statuses.csv)",
                             "nl": "Nationale statussen na de tijdelijke bescherming (datasets/post_tp_statuses.csv)"},
    "p06_movement": {
        "en": "## Moves between member states after the TPD end\n\n"
              "When temporary protection ends everywhere at once, some people may move to a member state whose "
              "status suits them better. A simple share-and-gravity model: a share of the people under TP in "
              "each state moves, more where its status is less attractive, towards states with more "
              "compatriots and a more attractive status. **Every parameter is an assumption** (table below): "
              "no estimate of such moves is published, and most states' statuses are unknown, so their "
              "attractiveness is drawn from its whole range. The result is an input the forecast can take, "
              "not yet part of it.",
        "nl": "## Verhuizingen tussen lidstaten na het einde van de RTB\n\n"
              "Als de tijdelijke bescherming overal tegelijk eindigt, verhuizen sommige mensen misschien naar "
              "een lidstaat waarvan de status hen beter past. Een eenvoudig aandeel-en-zwaartekrachtmodel: "
              "een deel van de mensen onder tijdelijke bescherming in elke lidstaat verhuist, meer waar de "
              "status minder aantrekkelijk is, naar lidstaten met meer landgenoten en een aantrekkelijkere "
              "status. **Elke parameter is een aanname** (tabel hieronder): er is geen schatting van zulke "
              "verhuizingen gepubliceerd en de status van de meeste lidstaten is onbekend, dus hun "
              "aantrekkelijkheid wordt over het hele bereik getrokken. Het resultaat is een invoer voor de "
              "prognose, er nog geen deel van.",
    },
    "p06_movement_chart": {"en": "Arrivals in the Netherlands from other member states after the TPD end",
                           "nl": "Instroom in Nederland uit andere lidstaten na het einde van de RTB"},
    "p06_movement_caption": {"en": "Moves to and from the Netherlands, totals over the months after the TPD end",
                             "nl": "Verhuizingen naar en uit Nederland, totaal over de maanden na het einde "
                                   "van de RTB"},
    "p06_assumptions_caption": {"en": "Parameters of the movement layer (all assumptions)",
                                "nl": "Parameters van de verhuislaag (alle aannames)"},
    "p06_unknown": {
        "en": "**Not known:** the share of people who move when TP ends; where they go; the post-TP status of "
              "most member states; stocks per country after August 2024 (only EU totals of 2025).",
        "nl": "**Niet bekend:** het deel van de mensen dat verhuist als de tijdelijke bescherming eindigt; waar "
              "zij heen gaan; de status na de tijdelijke bescherming in de meeste lidstaten; aantallen per land "
              "na augustus 2024 (alleen EU-totalen voor 2025).",
    },
    "eu_arrivals": {"en": "Arrivals from other member states", "nl": "Instroom uit andere lidstaten"},
    "eu_departures": {"en": "Departures to other member states", "nl": "Vertrek naar andere lidstaten"},
    "eu_net": {"en": "Net arrivals from other member states", "nl": "Netto instroom uit andere lidstaten"},
    "unknown": {"en": "unknown", "nl": "onbekend"},
}
