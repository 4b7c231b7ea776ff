"""The prose of reports 02-04 in English and Dutch: headings, introductions and captions.

Until these notebooks carry their prose as markdown cells (an English and a Dutch twin, as
notebooks 01 and 06 do), a notebook shows it in the page's language with
``report.Text(report.t(key, lang))``; :func:`capacity.report.labels.t` reads this table.
Short labels, column names and table phrases are in the gettext catalogue
(:mod:`capacity.i18n`), not here. Keys start with the report's number (``p02_`` … ``p04_``).
"""

from __future__ import annotations

_FORECAST: dict[str, dict[str, str]] = {
    "p02_title": {
        "en": "# Arrivals and departures\n\n"
              "How many people from Ukraine will register with Dutch municipalities each month, how many "
              "will leave, and how many will be registered, over the next 36 months — as sample paths with "
              "median and 50 / 67 / 95 % bands, under the scenario of this report.\n\n"
              "**What the data allow.** Monthly arrivals (Eurostat temporary-protection grants) exist only "
              "for 2022-03 … 2024-08; departures are CBS's published cumulative counts spread over the "
              "months between publications (to 2024-10); the BRP registered count is sparse and runs to "
              "2025-03. The models are fitted to those ends; **arrivals and departures for 2024-09 … 2025-03 "
              "are forecasts, not data.** The population paths start from the last observed registered "
              "count (March 2025) and run 36 months from April 2025.",
        "nl": "# Instroom en vertrek\n\n"
              "Hoeveel mensen uit Oekraïne zich de komende 36 maanden per maand bij Nederlandse gemeenten "
              "inschrijven, hoeveel er vertrekken en hoeveel er ingeschreven staan — als gesimuleerde paden "
              "met de mediaan en banden van 50, 67 en 95%, onder het scenario van dit rapport.\n\n"
              "**Wat de gegevens toelaten.** Instroom per maand (toekenningen van tijdelijke bescherming, "
              "Eurostat) is er alleen van maart 2022 tot en met augustus 2024; het vertrek bestaat uit de "
              "cumulatieve aantallen van het CBS, verdeeld over de maanden tussen de publicaties (tot en met "
              "oktober 2024); het aantal ingeschrevenen in de BRP is maar af en toe gepubliceerd, het laatst "
              "voor maart 2025. De modellen zijn tot die eindpunten geschat; **instroom en vertrek van "
              "september 2024 tot en met maart 2025 zijn voorspellingen, geen gegevens.** De paden van de "
              "bevolking beginnen bij het laatst gepubliceerde aantal ingeschrevenen (maart 2025) en lopen "
              "36 maanden vanaf april 2025.",
    },
    "p02_computation": {
        "en": "## Computation\n\n"
              "The suite's pipeline computes the history, the backtest of every model (once per run: it "
              "does not depend on the scenario), the scenario's sample paths and the gap check; this report "
              "only shows them.",
        "nl": "## Berekening\n\n"
              "De rekenstap van de suite berekent de reeksen, de toets op het verleden van elk model (eenmaal "
              "per run: die hangt niet van het scenario af), de gesimuleerde paden van het scenario en de "
              "controle van de maanden zonder gegevens; dit rapport laat ze alleen zien.",
    },
    "p02_headline_caption": {"en": "Registered population and forecast quality",
                             "nl": "Ingeschrevenen en kwaliteit van de voorspelling"},
    "p02_forecast": {
        "en": "## Forecast\n\n"
              "Median (line) and 50 / 67 / 95 % bands; black points are the history (hollow = interpolated). "
              "Arrivals are a count; departures are a rate on the people present, so a larger registered "
              "population gives proportionally more departures. The stock identity registered[t] = "
              "registered[t−1] + arrivals[t] − departures[t] holds on every path.\n\n"
              "The registered population is a state-space model of every published count: the ministry's "
              "letters to parliament (registered in the BRP with protection under the RTB: the count the "
              "cabinet's plan concerns, and the one forecast here), the biweekly table with its own offset, "
              "rounded press figures with a larger error and Eurostat's stock with its register clean-ups. "
              "A filter (statsmodels) estimates the level each month, moved by the published arrivals minus "
              "departures and by a drift it estimates; where flows are not published, the net flow carries "
              "on with its own uncertainty. So the band is narrow just after a count and widens with every "
              "month without one. The dotted line marks the last published count, the dashed line today.",
        "nl": "## Voorspelling\n\n"
              "De mediaan (lijn) en banden van 50, 67 en 95%; zwarte punten zijn waarnemingen (open = "
              "geïnterpoleerd). De instroom is een aantal; het vertrek is een kans op de aanwezige mensen, "
              "dus meer ingeschrevenen geven naar verhouding meer vertrek. Op elk pad geldt: ingeschreven "
              "deze maand = ingeschreven vorige maand + instroom − vertrek.\n\n"
              "Het aantal ingeschrevenen komt uit een toestandsruimtemodel van elke gepubliceerde telling: "
              "de Kamerbrieven van het ministerie (ingeschreven in de BRP met bescherming onder de RTB: het "
              "aantal waar het kabinetsplan over gaat, en dat hier voorspeld wordt), de tweewekelijkse tabel "
              "met een eigen verschil, afgeronde cijfers uit de pers met een grotere fout en de voorraad van "
              "Eurostat met zijn opschoningen. Een filter (statsmodels) schat elke maand het niveau, bewogen "
              "door de gepubliceerde instroom min vertrek en door een geschatte drift; waar geen stromen "
              "gepubliceerd zijn, loopt de netto-instroom door met een eigen onzekerheid. De band is dus "
              "smal vlak na een telling en wordt breder met elke maand zonder telling. De stippellijn "
              "markeert de laatste gepubliceerde telling, de streeplijn vandaag.",
    },
    "p02_rate": {
        "en": "The departure rate behind the departures: the share of the registered population that "
              "leaves in a month. Its history is CBS's published departures spread between publications, "
              "over the BRP count of the month before; beyond the 12 backtested months its trend is damped "
              "(`forecast.trend_damping`).",
        "nl": "De vertrekkans achter het vertrek: het deel van de ingeschrevenen dat in een maand vertrekt. "
              "De historie is het door het CBS gepubliceerde vertrek, verdeeld over de maanden tussen de "
              "publicaties, gedeeld door het aantal in de BRP van de maand ervoor; na de 12 getoetste "
              "maanden vlakt de trend af (`forecast.trend_damping`).",
    },
    "p02_quantile_caption": {"en": "Quantile table (persons; persons per month)",
                             "nl": "Kwantieltabel (personen; personen per maand)"},
    "p02_backtest": {
        "en": "## Backtest scorecard\n\n"
              "Rolling-origin backtest with an expanding window (first origin after 12 months; horizons "
              "1–12): every model is refitted at every origin (Prophet at the latest 8 only, for speed). "
              "MASE < 1 beats the one-step naive forecast in-sample; coverage should be close to 50 / 80 / "
              "95 %. The ensemble's weights and calibrated bands at each origin come only from the other "
              "origins' errors (leave-one-origin-out). **The departure-rate series is interpolated between "
              "three CBS publications, so its backtest flatters smooth models; read it as a check, not "
              "proof.**",
        "nl": "## Toets op het verleden: scorekaart\n\n"
              "Elk model is opnieuw geschat op elk beginpunt, met alle gegevens tot dat punt (eerste "
              "beginpunt na 12 maanden; 1 tot 12 maanden vooruit; Prophet alleen op de laatste 8 "
              "beginpunten, om tijd te sparen). Een MASE onder 1 is beter dan de naïeve voorspelling "
              "(de vorige maand herhalen); de dekking hoort dicht bij 50, 80 en 95% te liggen. De gewichten "
              "van de combinatie van modellen en de geijkte banden op elk beginpunt komen alleen uit de "
              "fouten op de andere beginpunten. **De reeks van de vertrekkans is geïnterpoleerd tussen drie "
              "CBS-publicaties, dus deze toets valt gunstig uit voor gladde modellen; lees hem als "
              "controle, niet als bewijs.**",
    },
    "p02_backtest_caption": {"en": "Horizons 1–6, averaged (n = forecasts scored)",
                             "nl": "1 tot 6 maanden vooruit, gemiddeld (n = beoordeelde voorspellingen)"},
    "p02_scorecard_caption": {"en": "Full scorecard: every model, series, origin, horizon and metric",
                              "nl": "Volledige scorekaart: elk model, elke reeks, elk beginpunt, elke "
                                    "horizon en elke maatstaf"},
    "p02_gap": {
        "en": "## What changed since the data's last month\n\n"
              "The models end with the Eurostat data (2024-08); the BRP registered count was published "
              "again in December 2024, February 2025 and March 2025. Starting from December 2024, the table "
              "runs the forecast arrivals and departures forward and compares with the later counts. If an "
              "observed count lies outside the band, the months after the data end did not go as the "
              "models expected — read the first forecast months with that in mind. Note that the December "
              "2024 count (Kamerbrief of 20 Dec 2024, 123,680) and the February/March 2025 counts "
              "(Rijksoverheid figures via the monitor report and NOS) come from different publications and "
              "may not count exactly the same people; a fall of 3,000 in ten weeks is larger than any month "
              "in the history.",
        "nl": "## Wat er veranderde na de laatste gegevens\n\n"
              "De modellen eindigen met de Eurostat-gegevens (augustus 2024); het aantal ingeschrevenen in "
              "de BRP is daarna nog gepubliceerd voor december 2024, februari 2025 en maart 2025. Vanaf "
              "december 2024 rekent de tabel de voorspelde instroom en het voorspelde vertrek door en "
              "vergelijkt de uitkomst met de latere tellingen. Ligt een telling buiten de band, dan liepen "
              "de maanden na het einde van de gegevens anders dan de modellen verwachtten: lees de eerste "
              "voorspelde maanden met dat in gedachten. De telling van december 2024 (Kamerbrief van 20 "
              "december 2024, 123.680) en die van februari en maart 2025 (cijfers van de Rijksoverheid via "
              "de monitorrapportage en de NOS) komen uit verschillende publicaties en tellen mogelijk niet "
              "precies dezelfde mensen; een daling van 3.000 in tien weken is groter dan in welke maand "
              "van de reeks ook.",
    },
    "p02_gap_caption": {"en": "Observed registered count against the forecast from the first count after the "
                              "data end",
                        "nl": "Gepubliceerd aantal ingeschrevenen tegenover de voorspelling vanaf de eerste "
                              "telling na het einde van de gegevens"},
    "p02_stock_backtest": {
        "en": "## Backtest of the registered population\n\n"
              "From every month since the fit start, with the data as they stood then (later counts and "
              "flows not yet known), the state-space model is refitted and its forecast distribution of "
              "every count published 1–12 months later is scored with the CRPS (persons; lower is better), "
              "beside two benchmarks on the same counts: a random walk with drift on the counts, and the "
              "flows-only model (arrivals minus departures from the last count; it needs the departures "
              "published from May 2024, so it has fewer forecasts). Skill is 1 − CRPS / CRPS of the "
              "benchmark: above 0 the model is better. Coverage is the share of counts inside the band, "
              "with its 95 % Clopper–Pearson interval on the number of distinct counts (forecasts of one "
              "count from neighbouring months are not independent); the interval score is the weighted "
              "interval score of the 50/80/95 % bands. No peer forecast is scored: the MPP's figures for "
              "people from Ukraine are not in the data, and it was published after the last count.",
        "nl": "## Toets op het verleden van het aantal ingeschrevenen\n\n"
              "Vanaf elke maand sinds het begin van de schatting, met de gegevens zoals ze toen waren "
              "(latere tellingen en stromen nog onbekend), is het toestandsruimtemodel opnieuw geschat en "
              "is de voorspelde verdeling van elke telling die 1 tot 12 maanden later verscheen beoordeeld "
              "met de CRPS (personen; lager is beter), naast twee vergelijkingsmodellen op dezelfde "
              "tellingen: een random walk met drift op de tellingen, en het model van alleen instroom min "
              "vertrek vanaf de laatste telling (dat het vertrek nodig heeft zoals gepubliceerd vanaf mei "
              "2024, en dus minder voorspellingen heeft). Winst is 1 − CRPS / CRPS van het "
              "vergelijkingsmodel: boven 0 is het model beter. De dekking is het aandeel tellingen binnen "
              "de band, met een 95%-interval (Clopper–Pearson) op het aantal verschillende tellingen; de "
              "intervalscore is de gewogen intervalscore van de banden van 50, 80 en 95%. Er is geen "
              "vergelijking met een andere voorspeller: de cijfers van de MPP voor mensen uit Oekraïne "
              "staan niet in de gegevens, en de MPP verscheen na de laatste telling.",
    },
    "p02_stock_backtest_caption": {"en": "Backtest of the registered population by months ahead",
                                   "nl": "Toets op het verleden van het aantal ingeschrevenen, per aantal "
                                         "maanden vooruit"},
    "p02_status_caption": {"en": "Where data end and forecasts begin",
                           "nl": "Waar de gegevens eindigen en de voorspelling begint"},
    "p02_checks_caption": {"en": "Checks against the monitor report",
                           "nl": "Controle tegen de monitorrapportage"},
    "p02_scenarios": {
        "en": "## Scenarios\n\n"
              "Each shipped scenario declares its shocks (start month, duration, shape, size) in YAML; "
              "uncertain sizes are distributions drawn per path. The baseline has no shocks. The run's "
              "index page (`index.html`) compares every scenario of the run side by side: the registered "
              "population per scenario as a chart, and every headline figure in one table.",
        "nl": "## Scenario's\n\n"
              "Elk meegeleverd scenario legt zijn schokken (beginmaand, duur, vorm, omvang) vast in YAML; "
              "een onzekere omvang is een kansverdeling waaruit per pad wordt getrokken. Het "
              "basisscenario heeft geen schokken. De overzichtspagina van de run (`index.html`) zet alle "
              "scenario's van de run naast elkaar: het aantal ingeschrevenen per scenario in een grafiek, "
              "en alle kerncijfers in één tabel.",
    },
    "p02_headline_all_caption": {"en": "Headline figures of this scenario", "nl": "Kerncijfers van dit scenario"},
    "p02_assumptions": {"en": "## Assumptions of this scenario", "nl": "## Aannames van dit scenario"},
}

_SHELTER: dict[str, dict[str, str]] = {
    "p03_title": {
        "en": "# Municipal shelter: occupancy and places needed\n\n"
              "How many people from Ukraine need a place in municipal shelter (gemeentelijke opvang), "
              "against how many places, on every forecast path. Occupied places never exceed the places: "
              "the rest is **unmet demand** (people refused or waiting). Figures are persons at month end; "
              "bands are 50/67/95 % of the forecast paths.",
        "nl": "# Gemeentelijke opvang: bezetting en benodigde plekken\n\n"
              "Hoeveel mensen uit Oekraïne een plek in de gemeentelijke opvang nodig hebben, tegenover "
              "hoeveel plekken, op elk pad van de prognose. Er zijn nooit meer plekken bezet dan er zijn: "
              "de rest is **onvervulde vraag** (mensen die geweigerd worden of wachten). Aantallen zijn "
              "personen aan het eind van de maand; de banden omvatten 50, 67 en 95% van de paden.",
    },
    "p03_headline": {
        "en": "## Headline\n\n"
              "The last observed month is the jump-off. **Pressure** is the people needing a place per "
              "place (demand ÷ places); unlike occupancy it is not capped at 100 %: above 100 %, people go "
              "without a place. *Passes 95 %* is the first month in which pressure exceeds 95 %; *passes "
              "100 %* the first month in which people are refused. Where pressure had already passed a "
              "threshold at the last count, the report says so and gives that month: it is the starting "
              "point, not a forecast. *Places short* is the largest unmet demand on a path.",
        "nl": "## Kerncijfers\n\n"
              "De laatste waargenomen maand is het vertrekpunt. De **druk** is het aantal mensen dat een "
              "plek nodig heeft per plek (vraag ÷ plekken); anders dan de bezetting kan die boven 100% "
              "komen: dan blijven mensen zonder plek. *Boven 95%* is de eerste maand waarin de druk boven "
              "95% ligt; *boven 100%* de eerste maand waarin mensen geweigerd worden. Lag de druk bij de "
              "laatste telling al boven een drempel, dan zegt het rapport dat en noemt het die maand: dat "
              "is het vertrekpunt, geen voorspelling. *Tekort aan plekken* is de grootste onvervulde vraag "
              "op een pad.",
    },
    "p03_headline_caption": {"en": "Shelter headline figures", "nl": "Kerncijfers opvang"},
    "p03_demand": {
        "en": "## Demand against places\n\n"
              "The fan shows the people who need a place (in shelter plus unmet demand); the dashed line "
              "the places on the median path: today's places, plus the places municipalities open when "
              "pressed (see *How places follow demand*), plus announced openings and closures. Where the "
              "fan lies above the line, people go without a place; most of them find another solution "
              "within weeks, as the two years at 97–99.8 % occupancy with only dozens refused show. After "
              "the temporary protection (TPD) ends, only people still entitled to shelter count (see "
              "below).",
        "nl": "## Vraag tegenover plekken\n\n"
              "De waaier toont de mensen die een plek nodig hebben (in de opvang plus onvervulde vraag); de "
              "stippellijn de plekken op het middelste pad: de huidige plekken, plus de plekken die "
              "gemeenten openen als de druk oploopt (zie *Hoe plekken de vraag volgen*), plus aangekondigde "
              "openingen en sluitingen. Waar de waaier boven de lijn ligt, blijven mensen zonder plek; de "
              "meesten vinden binnen enkele weken een andere oplossing, zoals twee jaar met 97 tot 99,8% "
              "bezetting en maar enkele tientallen weigeringen laten zien. Na het einde van de tijdelijke "
              "bescherming (RTB) tellen alleen de mensen die nog recht op opvang hebben (zie verderop).",
    },
    "p03_crossing": {
        "en": "## When does pressure pass 95 % and 100 %?\n\n"
              "The share of forecast paths on which demand per place has passed the threshold by each "
              "month, and the early (10 %), median and late (90 %) crossing months. A threshold already "
              "passed at the last count reads so.",
        "nl": "## Wanneer komt de druk boven 95% en 100%?\n\n"
              "Het deel van de paden waarop de vraag per plek in een maand de drempel al is gepasseerd, en "
              "de vroege (10%), middelste en late (90%) maand waarin dat gebeurt. Een drempel die bij de "
              "laatste telling al was gepasseerd, staat er zo bij.",
    },
    "p03_crossing_caption": {"en": "First month past the threshold (download: the whole distribution)",
                             "nl": "Eerste maand boven de drempel (download: de hele verdeling)"},
    "p03_forecast_table": {
        "en": "## Forecast table\n\n"
              "Quantiles per month of `demand`, `in_shelter`, `places`, `occupancy_rate` (empty in a month "
              "without places), `pressure` (demand per place; empty without places), `unmet_demand` and "
              "`places_needed` (places that keep occupancy at or under the target on a path; read the "
              "quantile column for the wanted probability).",
        "nl": "## Prognosetabel\n\n"
              "Kwantielen per maand van de vraag (`demand`), het aantal in de opvang (`in_shelter`), de "
              "plekken (`places`), de bezettingsgraad (`occupancy_rate`, leeg in een maand zonder plekken), "
              "de druk (`pressure`, vraag per plek; leeg zonder plekken), de onvervulde vraag "
              "(`unmet_demand`) en de benodigde plekken (`places_needed`: de plekken die de bezetting op een "
              "pad op of onder de streefwaarde houden; kies de kwantielkolom bij de gewenste zekerheid).",
    },
    "p03_forecast_caption": {"en": "Shelter forecast (quantiles)", "nl": "Prognose opvang (kwantielen)"},
    "p03_places": {
        "en": "## Places to ask for\n\n"
              "Places needed keep occupancy at or under the target (COA plans on 91 %) with the planning "
              "probability. New places take months to open: `request_by` is the month the request must go "
              "out, given the lead time; `too_late` marks months that can no longer be reached.",
        "nl": "## Aan te vragen plekken\n\n"
              "De benodigde plekken houden de bezetting met de gekozen zekerheid op of onder de "
              "streefwaarde (het COA rekent met 91%). Nieuwe plekken openen pas na maanden: de kolom "
              "'aanvragen uiterlijk' is de maand waarin de aanvraag de deur uit moet, gegeven de "
              "voorbereidingstijd; 'te laat' markeert maanden die niet meer te halen zijn.",
    },
    "p03_places_caption": {"en": "Places needed per month", "nl": "Benodigde plekken per maand"},
    "p03_cost": {
        "en": "## Too few or too many places: the cost trade-off\n\n"
              "One level of places, held from the lead time on until the TPD ends, against the expected "
              "bed-days left empty (cost per empty place per day) and the person-days without a place "
              "(cost per person per day, a parameter). The cost-optimal level is where the two balance: "
              "the share of futures in which demand stays under it equals cost_short / (cost_short + "
              "cost_idle).",
        "nl": "## Te weinig of te veel plekken: de afweging van kosten\n\n"
              "Eén aantal plekken, aangehouden vanaf het einde van de voorbereidingstijd tot het einde van "
              "de RTB, tegenover de verwachte lege beddagen (kosten per lege plek per dag) en de dagen dat "
              "mensen zonder plek zijn (kosten per persoon per dag, een parameter). Het aantal met de "
              "laagste kosten ligt waar die twee in evenwicht zijn: het deel van de paden waarop de vraag "
              "eronder blijft, is gelijk aan kosten tekort / (kosten tekort + kosten leegstand).",
    },
    "p03_cost_caption": {"en": "Expected bed-days and cost (EUR) per level of places",
                         "nl": "Verwachte beddagen en kosten (EUR) per aantal plekken"},
    "p03_after_tpd": {"en": "## After the temporary protection ends",
                      "nl": "## Na het einde van de tijdelijke bescherming"},
    "p03_ledger": {
        "en": "### Everyone after the TPD end, in one state each month\n\n"
              "The population ledger of the IND and DT&V report, shown here for shelter and housing: document "
              "holders still in (fallback) shelter, document holders housed, continuing asylum cases and later "
              "arrivals in COA reception, and the rest. Every person is in one state each month, so nobody is "
              "both in asylum reception and without a place.",
        "nl": "### Iedereen na het einde van de RTB, elke maand in één situatie\n\n"
              "Het grootboek van de bevolking uit het IND- en DT&V-rapport, hier voor opvang en huisvesting: "
              "documenthouders nog in de (terugval)opvang, documenthouders met eigen woonruimte, doorlopende "
              "asielzaken en latere aankomsten in de COA-opvang, en de rest. Iedereen is elke maand in één "
              "situatie, dus niemand is tegelijk in de asielopvang en zonder plek.",
    },
    "p03_destinations": {
        "en": "### A destination for everyone in shelter at the TPD end\n\n"
              "Everyone in Ukraine shelter in the month before the TPD ends is, every month after it, in "
              "exactly one place: **asylum reception** (still pursuing asylum: the backlog model's people "
              "entitled to shelter), **left the Netherlands** (the forecast's departure rate), or the "
              "**housing task**: transition-document and other permit holders who must move out of "
              "Ukraine shelter to regular or other housing. The three add up to the people in shelter at "
              "the TPD end on every path. `housing_task_new` is the number who must move in a month. The "
              "housing task is not housed at once: each month a share moves to a **home** (a hazard for "
              "households with and without work, capped by the homes available a month, an assumption); "
              "the rest **wait in Ukraine shelter** while it is open and, once the plan closes it, in the "
              "**national fallback option** or **without accommodation**. Nobody is dropped.",
        "nl": "### Waar iedereen uit de opvang bij het einde van de RTB terechtkomt\n\n"
              "Wie in de maand voor het einde van de RTB in de opvang voor Oekraïners verblijft, is daarna "
              "elke maand op precies één plek: in de **asielopvang** (nog in de asielprocedure: de mensen "
              "met recht op opvang uit het achterstandsmodel), **vertrokken uit Nederland** (volgens de "
              "vertrekkans van de prognose), of in de **huisvestingsopgave**: houders van een "
              "transitiedocument of een andere vergunning die uit de opvang voor Oekraïners naar gewone of "
              "andere huisvesting moeten. De drie tellen op elk pad op tot het aantal mensen in de opvang "
              "bij het einde van de RTB. De kolom `housing_task_new` is het aantal dat in een maand moet "
              "verhuizen. Die opgave is niet in één keer gehuisvest: elke maand verhuist een deel naar een "
              "**woning** (een kans voor huishoudens met en zonder werk, begrensd door het aantal woningen per "
              "maand, een aanname); de anderen **wachten in de opvang voor Oekraïners** zolang die open is en, "
              "als het plan die sluit, in de **landelijke terugvaloptie** of **zonder opvang**. Niemand valt weg.",
    },
    "p03_destinations_caption": {"en": "After the TPD: asylum reception, housing task, departures (quantiles)",
                                 "nl": "Na de RTB: asielopvang, huisvestingsopgave, vertrek (kwantielen)"},
    "p03_rates": {
        "en": "## Rates: estimated from the history and used\n\n"
              "The shelter share and the move-out rate derived from the published series (stock-flow "
              "identity over the window), beside the rates the paths use (median and 5-95 % of the sampled "
              "values).",
        "nl": "## Kansen: geschat uit de reeksen en gebruikt\n\n"
              "Het aandeel in de opvang en de kans op uitstroom uit de opvang, afgeleid uit de "
              "gepubliceerde reeksen (voorraad en stromen over de gekozen periode), naast de waarden die "
              "de paden gebruiken (mediaan en 5 tot 95% van de getrokken waarden).",
    },
    "p03_rates_caption": {"en": "Stock-flow rates", "nl": "Kansen en aandelen in het voorraad-stroommodel"},
    "p03_response": {
        "en": "## How places follow demand\n\n"
              "Places are a path, not a constant: until the temporary protection ends, municipalities open "
              "places when pressed. Each month a share (the *gain*) of the gap between the places wanted "
              "(people needing a place, seen a *lead time* earlier, divided by the pressure aimed at) and "
              "the places opens; places never closed in 2022–2025, so only openings respond. The rule is "
              "fitted to the eleven published counts of places from July 2022 to March 2025 against demand "
              "taken as the shelter share times registered people (a series that does not depend on "
              "places). The range (fits within 1.25 times the best error) is what the paths sample. "
              "Announced openings and closures come on top; the plan to close Ukraine shelter when the TPD "
              "ends is the scenario *Ukraine shelter closes when the TPD ends*.",
        "nl": "## Hoe plekken de vraag volgen\n\n"
              "Het aantal plekken verandert over de tijd: tot het einde van de tijdelijke bescherming openen "
              "gemeenten plekken als de druk oploopt. Elke maand komt een deel (de *reactiesnelheid*) van "
              "het verschil tussen de gewenste plekken (de mensen die een plek nodig hebben, een "
              "*voorbereidingstijd* eerder gezien, gedeeld door de beoogde druk) en de bestaande plekken "
              "erbij; in 2022–2025 is nooit afgebouwd, dus alleen openingen reageren. De regel is geschat "
              "op de elf gepubliceerde aantallen plekken van juli 2022 tot maart 2025, tegenover de vraag "
              "als aandeel in de opvang maal het aantal ingeschrevenen (een reeks die niet van de plekken "
              "afhangt). De paden trekken uit de bandbreedte van schattingen (binnen 1,25 keer de kleinste "
              "fout). Aangekondigde openingen en sluitingen komen daarbovenop; het plan om de opvang voor "
              "Oekraïners te sluiten bij het einde van de RTB is een apart scenario.",
    },
    "p03_response_caption": {"en": "Places against demand, fitted 2022–2025",
                             "nl": "Plekken tegenover vraag, geschat over 2022–2025"},
    "p03_replay": {
        "en": "## History replay: does the model reproduce 2023–2025?\n\n"
              "The model starts from the published state of July 2023 (76,000 people in shelter, 78,000 "
              "places) and runs on the published arrivals (TP grants; after August 2024 none are published "
              "in the project's data, so the mean of the last twelve published months stands in: the "
              "download's `arrivals_source` says which) with departures implied by the published registered "
              "counts. The band holds the uncertainty of the model's parameters, given that population. "
              "The crosses are the published counts; the list below says how many lie inside the 80 % band "
              "and, with figures, where the model misses.",
        "nl": "## Terugblik: reproduceert het model 2023–2025?\n\n"
              "Het model begint bij de gepubliceerde stand van juli 2023 (76.000 mensen in de opvang, "
              "78.000 plekken) en rekent met de gepubliceerde instroom (toekenningen van tijdelijke "
              "bescherming; na augustus 2024 staan die niet in de projectgegevens, dus vervangt het "
              "gemiddelde van de laatste twaalf gepubliceerde maanden ze: de kolom `arrivals_source` in de "
              "download zegt welke) en met het vertrek dat volgt uit de gepubliceerde aantallen "
              "ingeschrevenen. De band bevat de onzekerheid in de parameters van het model, bij die "
              "bevolking. De kruisjes zijn de gepubliceerde tellingen; de lijst hieronder zegt hoeveel "
              "er binnen de 80%-band liggen en, met cijfers, waar het model ernaast zit.",
    },
    "p03_replay_caption": {"en": "History replay against published counts",
                           "nl": "Terugblik tegenover gepubliceerde tellingen"},
    "p03_municipalities": {
        "en": "## Municipalities\n\n"
              "National demand and places shared out over the 342 municipalities by the allocation key "
              "(population share by default; a municipality's own places where known). Whole numbers by "
              "the largest-remainder rule: every column adds up exactly to the national figure. No "
              "municipal shelter figures are published: these are allocations, and municipalities with "
              "fewer than the threshold of people in shelter are flagged `thin`.",
        "nl": "## Gemeenten\n\n"
              "De landelijke vraag en plekken verdeeld over de 342 gemeenten met de verdeelsleutel "
              "(standaard het aandeel in de bevolking; de eigen plekken van een gemeente waar die bekend "
              "zijn). Hele getallen volgens de methode van de grootste overschotten: elke kolom telt "
              "precies op tot het landelijke cijfer. Er worden geen opvangcijfers per gemeente "
              "gepubliceerd: dit zijn toedelingen, en gemeenten met minder mensen in de opvang dan de "
              "drempel zijn gemarkeerd als weinig betrouwbaar.",
    },
    "p03_municipalities_caption": {"en": "Shelter per municipality (largest first)",
                                   "nl": "Opvang per gemeente (grootste eerst)"},
    "p03_regions": {
        "en": "## Safety regions and provinces\n\n"
              "The national figures shared out over the 25 safety regions and the 12 provinces (a province "
              "is the sum of its safety regions). **The key:** for Drenthe and Groningen a published "
              "regional count from 2023 gives the share (Drenthe: 3,200 places in February 2023 against "
              "75,000 nationally; Groningen: 4,052 people in shelter in September 2023 against the national "
              "count interpolated between July 2023 and March 2024), both well above their population "
              "share; every other region gets the rest by population, because no regional count after the "
              "2022 build-up is in the project's data. The `key_source` column says which applies. The "
              "shares are held fixed over the forecast and carry no uncertainty of their own, so each "
              "region's band is the national band scaled. Every figure is in whole persons (largest "
              "remainder) and the regions add up exactly to the national figure (rounded to whole "
              "persons) for every month, variable and quantile.",
        "nl": "## Veiligheidsregio's en provincies\n\n"
              "De landelijke cijfers verdeeld over de 25 veiligheidsregio's en de 12 provincies (een "
              "provincie is de som van haar veiligheidsregio's). **De sleutel:** voor Drenthe en Groningen "
              "bepaalt een gepubliceerde regionale telling uit 2023 het aandeel (Drenthe: 3.200 plekken in "
              "februari 2023 tegenover 75.000 landelijk; Groningen: 4.052 mensen in de opvang in september "
              "2023 tegenover het landelijke aantal, geïnterpoleerd tussen juli 2023 en maart 2024), beide "
              "ruim boven hun bevolkingsaandeel; de andere regio's krijgen de rest naar bevolking, omdat de "
              "projectgegevens na de opbouw in 2022 geen andere regionale telling bevatten. De kolom "
              "'herkomst sleutel' zegt wat waar geldt. De aandelen liggen vast over de prognose en hebben "
              "geen eigen onzekerheid: de band van een regio is de landelijke band, geschaald. Alle cijfers "
              "zijn hele personen (grootste overschot) en de regio's tellen voor elke maand, variabele en "
              "kwantiel precies op tot het landelijke cijfer (afgerond op hele personen).",
    },
    "p03_regions_caption": {
        "en": "Demand per safety region and province, first forecast month (download: every month and "
              "variable)",
        "nl": "Vraag per veiligheidsregio en provincie, eerste prognosemaand (download: elke maand en "
              "variabele)",
    },
}

#: The prose sections (joined into :data:`capacity.report.labels.PROSE`).
SECTIONS = (_FORECAST, _SHELTER)
