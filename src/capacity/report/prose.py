"""The prose of report 04 in English and Dutch: headings, introductions and captions.

Until these notebooks carry their prose as markdown cells (an English and a Dutch twin, as
notebooks 01 and 06 do), a notebook shows it in the page's language with
``report.Text(report.t(key, lang))``; :func:`capacity.report.labels.t` reads this table.
Short labels, column names and table phrases are in the gettext catalogue
(:mod:`capacity.i18n`), not here. Keys start with the report's number (``p04_``).
"""

from __future__ import annotations

_BACKLOG: dict[str, dict[str, str]] = {
    "p04_title": {
        "en": "# The asylum backlog after temporary protection ends (IND and DT&V)\n\n"
              "When temporary protection (TPD, in Dutch RTB) ends, no one registers under it any more: "
              "later arrivals can only seek asylum. Everyone registered then takes the transitiedocument "
              "(granted ex officio on a public-order check and the withdrawal of the asylum application) "
              "and never enters the IND's asylum queue, or continues the suspended asylum application. "
              "This report follows them month by month: documents issued, the continuing cases' IND "
              "decisions at a capacity shared with the regular asylum queue (which the later arrivals "
              "join), appeals, the departure term and DT&V, and the document's expiry with its follow-on "
              "routes. The baseline is the plan announced on 28 November 2025 as a whole: a 3-year "
              "transitiedocument from the TPD end and a return programme; the share that continues an "
              "asylum case is centred on the 2024 precedent (27 % continued) with an assumed spread. "
              "Forced return to Ukraine is off while the war goes on (assumption). Ukraine shelter "
              "closes at the TPD end as the plan says; keeping it open is the scenario "
              "`shelter_kept_after_tpd`. "
              "Continuing asylum cases are counted in **cases** where work per "
              "household matters (persons per case from the share of minors, see the assumptions); "
              "documents, the ledger and everything else in **persons**; the regular queue in applicants "
              "as the IND publishes "
              "them (one person per application), shelter need in **persons**. Bands are 50/67/95 % of the "
              "Monte Carlo paths; every uncertain parameter is drawn per path.",
        "nl": "# De asielachterstand na het einde van de tijdelijke bescherming (IND en DT&V)\n\n"
              "Als de tijdelijke bescherming (RTB) eindigt, schrijft niemand zich er nog onder in: wie "
              "later komt, kan alleen asiel aanvragen. Wie dan ingeschreven is, neemt het "
              "transitiedocument (ambtshalve, na een toets openbare orde en intrekking van de "
              "asielaanvraag) en komt nooit in de asielwachtrij van de IND, of zet de aangehouden "
              "asielaanvraag door. Dit rapport volgt hen maand voor maand: afgegeven documenten, de "
              "beslissingen van de IND over de doorlopende zaken met een capaciteit die ze deelt met de "
              "reguliere asielzaken (waar de latere aankomsten bij komen), beroep, de vertrektermijn en "
              "de DT&V, en het aflopen van het document met de routes daarna. Het basisscenario is het "
              "plan van 28 november 2025 als geheel: een transitiedocument van 3 jaar vanaf het einde van "
              "de RTB en een terugkeerprogramma; het deel dat een asielzaak doorzet ligt rond het "
              "precedent van 2024 (27% ging door), met een aangenomen spreiding. Gedwongen terugkeer naar "
              "Oekraïne is uitgesloten "
              "zolang de oorlog duurt (aanname). De opvang voor Oekraïners sluit, zoals het plan zegt, "
              "als de RTB eindigt; open houden is het scenario `shelter_kept_after_tpd`. "
              "Doorlopende "
              "asielzaken tellen in **zaken** waar het werk per huishouden telt (personen per zaak volgens "
              "het aandeel minderjarigen, zie de aannames); documenten, het grootboek en de rest in "
              "**personen**; de "
              "reguliere asielzaken in aanvragers zoals de IND ze publiceert (één persoon per aanvraag), "
              "de opvangbehoefte in **personen**. De banden omvatten 50, 67 en 95% van de gesimuleerde "
              "paden; elke onzekere parameter wordt per pad getrokken.",
    },
    "p04_capacity": {
        "en": "## Capacity needed\n\n"
              "What the IND and DT&V need, per month and per year, against what is planned now: the "
              "smallest IND capacity (decisions a month, constant from the TPD end or reached after a "
              "ramp-up) that keeps the share of late cohort decisions under the target with the given "
              "probability, and the smallest DT&V capacity that brings the cohort's caseload under its "
              "threshold in time. Bisection on common random numbers with `backlog.solver_n_paths` paths. "
              "Two more rows: the smallest share of the planned capacity reserved for the cohort (a TPD "
              "team) that meets the same target, and the regular stream's monthly deficit (inflow minus "
              "planned capacity x realisation). `target_met` is false where no capacity meets the target.",
        "nl": "## Benodigde capaciteit\n\n"
              "Wat IND en DT&V nodig hebben, per maand en per jaar, naast wat nu gepland is: de kleinste "
              "IND-capaciteit (beslissingen per maand, vanaf het einde van de RTB of na een aanloop) die "
              "het aandeel te late beslissingen over het cohort met de gekozen zekerheid onder het doel "
              "houdt, en de kleinste DT&V-capaciteit die de zaken uit het cohort op tijd onder de drempel "
              "brengt. Gezocht door steeds te halveren, op dezelfde toevalsgetallen, met "
              "`backlog.solver_n_paths` paden. Twee rijen meer: het kleinste deel van de geplande capaciteit "
              "dat voor het cohort gereserveerd moet worden (een TPD-team) om hetzelfde doel te halen, en het "
              "maandelijkse tekort van de reguliere stroom (instroom min geplande capaciteit x realisatie).",
    },
    "p04_headline": {"en": "## Headline", "nl": "## Kerncijfers"},
    "p04_term": {
        "en": "### The legal term as a risk\n\n"
              "The cohort's term is 6 months after the TPD ends, extendable to 21 months in total. Both are "
              "shown on the same paths: the term changes what is late and what it costs, not the queue.",
        "nl": "### De wettelijke termijn als risico\n\n"
              "De beslistermijn voor het cohort is 6 maanden na het einde van de RTB, te verlengen tot in "
              "totaal 21 maanden. Beide staan hier, op dezelfde paden: de termijn verandert wat te laat is "
              "en wat het kost, niet de wachtrij.",
    },
    "p04_backlog": {
        "en": "## The backlog\n\n"
              "Cases of the TPD cohort still waiting for a first-instance IND decision at each month end. "
              "Under *oldest first* the regular asylum cases that were already waiting when the TPD ends "
              "are decided first; new regular applications wait behind the cohort.",
        "nl": "## De achterstand\n\n"
              "Zaken uit het RTB-cohort die aan het eind van elke maand nog wachten op een beslissing van "
              "de IND in eerste aanleg. Bij *oudste eerst* krijgen de reguliere asielzaken die al wachtten "
              "toen de RTB eindigde eerst een beslissing; nieuwe reguliere aanvragen wachten achter het "
              "cohort.",
    },
    "p04_clear": {
        "en": "## How long until it clears\n\n"
              "Share of paths on which the cohort's pending cases have fallen under the threshold "
              "(`backlog.clear_threshold_cases`), and on which every transition permit has been issued, by "
              "month after the TPD ends.",
        "nl": "## Hoe lang tot de achterstand weg is\n\n"
              "Het deel van de paden waarop de openstaande zaken van het cohort onder de drempel zijn "
              "gezakt (`backlog.clear_threshold_cases`), en waarop elk transitiedocument is afgegeven, per "
              "maand na het einde van de RTB.",
    },
    "p04_decisions": {
        "en": "## Decisions, late decisions and penalties\n\n"
              "A decision is late when it comes after the legal term (the cohort: from the restart, 6 "
              "months, extendable up to 21 months in total; a regular application: 6 months from lodging). "
              "A share of applicants whose term has passed sends a notice of default; two weeks later "
              "penalties run per day (EUR 23, 35, then 45) up to EUR 1,442 per case. They run on **every "
              "case pending past its term, whether or not it is decided later**, in the cohort and in the "
              "regular asylum queue alike. *Late decisions* (decided after the term) and *overdue pending* "
              "(still waiting past the term) are counted separately. Decisions on the cohort come in "
              "bursts, so the chart shows the mean over the paths and the share of paths with decisions "
              "in each month (a median would read 0 in most months).",
        "nl": "## Beslissingen, te late beslissingen en dwangsommen\n\n"
              "Een beslissing is te laat als ze na de wettelijke termijn komt (voor het cohort: 6 maanden "
              "vanaf het moment dat de aanvraag weer in behandeling komt, te verlengen tot in totaal 21 "
              "maanden; voor een reguliere aanvraag: 6 maanden na indiening). Een deel van de aanvragers "
              "van wie de termijn "
              "verstreken is, stelt de IND in gebreke; twee weken later lopen er dwangsommen per dag (EUR "
              "23, 35 en dan 45), tot EUR 1.442 per zaak. Ze lopen op **elke zaak die over de termijn "
              "wacht, of er later nu wordt beslist of niet**, in het cohort en bij de reguliere asielzaken. "
              "*Te late beslissingen* (beslist na de termijn) en *achterstallige zaken* (wachten nog, over "
              "de termijn) staan apart. Beslissingen over het cohort komen in golven; de grafiek toont "
              "daarom het gemiddelde over de paden en het aandeel paden met beslissingen in elke maand "
              "(een mediaan zou in de meeste maanden 0 zijn).",
    },
    "p04_ledger": {
        "en": "## Everyone in one state, every month: the population ledger\n\n"
              "Everyone registered when the TPD ends, and everyone who arrives after it and applies for "
              "asylum, is in exactly one state at every month end: on the document route, a document holder "
              "in (fallback) shelter or housed, a continuing asylum case at the IND or in appeal (in COA), "
              "granted, refused (DT&V), arrived after the TPD (regular asylum), after the document expires "
              "one of its follow-on routes (work or study permit, a new asylum application, no residence "
              "status), or left the Netherlands. On every path the states add up to the people followed; "
              "the shelter, housing, IND and COA figures below read from it. The transitiedocument runs "
              "three years from the TPD end: the dotted line marks its expiry, when every holder takes one "
              "of the routes at the scenario's shares (assumptions, see the parameters). "
              "`tables/ledger.csv` holds every state's quantiles per month.",
        "nl": "## Iedereen in één situatie, elke maand: het grootboek van de bevolking\n\n"
              "Wie ingeschreven is als de RTB eindigt, en wie daarna komt en asiel aanvraagt, is aan het eind "
              "van elke maand in precies één situatie: wacht op het transitiedocument, documenthouder in de "
              "(terugval)opvang of met eigen woonruimte, doorlopende asielzaak bij de IND of in beroep (in "
              "het COA), asiel verleend, afgewezen (DT&V), aangekomen na de RTB (regulier asiel), na afloop "
              "van het document een van de routes daarna (vergunning voor werk of studie, een nieuwe "
              "asielaanvraag, geen verblijfsstatus), of vertrokken uit Nederland. Op elk pad tellen de "
              "situaties op tot de gevolgde mensen; de cijfers over opvang, huisvesting, IND en COA hieronder "
              "komen eruit. Het transitiedocument geldt drie jaar na het einde van de RTB: de stippellijn "
              "markeert het aflopen, waarna elke houder een van de routes neemt volgens de aandelen van het "
              "scenario (aannames, zie de parameters). `tables/ledger.csv` bevat per maand de kwantielen "
              "van elke situatie.",
    },
    "p04_dtv": {
        "en": "## DT&V and shelter\n\n"
              "After a final rejection and the departure term, a case joins DT&V's caseload, which DT&V "
              "closes at its capacity (independent departure, forced return, departure without "
              "supervision, other). Persons stay entitled to shelter while their case is pending, in appeal "
              "or in the departure term; the shelter report uses this series from the TPD end.",
        "nl": "## DT&V en opvang\n\n"
              "Na een definitieve afwijzing en de vertrektermijn gaat een zaak naar de DT&V, die zaken "
              "afsluit naar haar capaciteit (zelfstandig vertrek, gedwongen terugkeer, vertrek zonder "
              "toezicht, overig). Mensen houden recht op opvang zolang hun zaak loopt, in beroep is of in "
              "de vertrektermijn zit; het opvangrapport gebruikt deze reeks vanaf het einde van de RTB.",
    },
    "p04_forecast_table": {
        "en": "## Forecast table\n\n"
              "Quantiles per month of `pending` (cases), `decisions`, `late_decisions` (cases per month), "
              "`penalty_eur` (EUR per month), `dtv_caseload` (cases) and `shelter_entitled` (persons).",
        "nl": "## Prognosetabel\n\n"
              "Kwantielen per maand van de openstaande zaken (`pending`, zaken), de beslissingen "
              "(`decisions`) en de te late beslissingen (`late_decisions`, zaken per maand), de "
              "dwangsommen (`penalty_eur`, EUR per maand), de zaken bij de DT&V (`dtv_caseload`, zaken) en "
              "de mensen met recht op opvang (`shelter_entitled`, personen).",
    },
    "p04_policies": {
        "en": "## Policies side by side\n\n"
              "Every policy runs on the same random numbers (common random numbers), so differences are "
              "the policy's, not noise. `late_or_overdue` adds the cases still pending past the term at the "
              "end of the run to the late decisions (a queue that never reaches the cohort has no late "
              "*decisions*, only overdue cases); `late_share` is its share; `late_decisions_vs_first` is "
              "the paired median difference against the first row. Costs (EUR in millions, means over the "
              "paths, so the parts add up): penalties, reception (COA for continuing cases, municipal shelter "
              "at the normbedrag for document takers waiting) and IND staff per decision; the COA day rate "
              "and the cost per decision are assumptions. A policy that leaves the cohort undecided at the "
              "horizon on more paths than the target allows is *not feasible*: its costs go on after the "
              "run, so it is never ranked cheapest.",
        "nl": "## Beleidsopties naast elkaar\n\n"
              "Elke beleidsoptie rekent met dezelfde toevalsgetallen, dus verschillen komen door het "
              "beleid, niet door toeval. 'Te laat of achterstallig' telt de zaken die aan het eind van de "
              "periode nog over de termijn wachten op bij de te late beslissingen (een wachtrij die nooit "
              "aan het cohort toekomt, heeft geen te late *beslissingen*, alleen achterstallige zaken); "
              "'aandeel te laat' is het aandeel daarvan; 'verschil met de eerste rij' is het gepaarde "
              "verschil in de mediaan met de eerste rij. Kosten (miljoenen euro, gemiddelden over de paden, "
              "zodat de delen optellen): dwangsommen, opvang (COA voor doorlopende zaken, gemeentelijke opvang "
              "tegen het normbedrag voor wie op het document wacht) en IND-personeel per beslissing; het "
              "COA-dagtarief en de kosten per beslissing zijn aannames. Een optie die het cohort aan het eind "
              "op meer paden dan het doel toelaat onbeslist laat, is *niet haalbaar*: de kosten lopen na de "
              "periode door, dus ze komt nooit als goedkoopste uit.",
    },
    "p04_replay": {
        "en": "## Replay 2023–2025\n\n"
              "The model's credibility test: the regular asylum queue replayed from January 2023 on the "
              "published inflow, with a decision output that reproduces the published year-end stocks "
              "(persons), against the published notices of default and penalty payments. The notice share "
              "is fitted on the 2023 notices and the lag on the 2023 penalties; 2024 (notices and penalties) "
              "and 2025 (penalties) are out of sample.",
        "nl": "## Terugrekening 2023–2025\n\n"
              "De geloofwaardigheidstoets van het model: de reguliere asielvoorraad teruggerekend vanaf "
              "januari 2023 op de gepubliceerde instroom, met een aantal beslissingen dat de gepubliceerde "
              "voorraden aan het eind van elk jaar (personen) reproduceert, tegenover de gepubliceerde "
              "ingebrekestellingen en dwangsommen. Het aandeel ingebrekestellingen is geschat op de "
              "ingebrekestellingen van 2023 en de vertraging op de dwangsommen van 2023; 2024 "
              "(ingebrekestellingen en dwangsommen) en 2025 (dwangsommen) liggen buiten de schatting.",
    },
    "p04_sensitivity": {
        "en": "## Which assumption matters most\n\n"
              "A variance-based (Sobol) sensitivity analysis (SALib) over every uncertain input of the "
              "backlog model, the cohort size and two levers (capacity reserved for the cohort, planned IND "
              "capacity), on common random numbers: the total-order index is the share of an output's "
              "variance that goes away if that input were known (its interactions included); bars show the "
              "90 % bootstrap interval. Only inputs whose interval lies above 1 % are shown. The "
              "month-to-month noise is held fixed here.",
        "nl": "## Welke aanname telt het zwaarst\n\n"
              "Een gevoeligheidsanalyse (Sobol) over alle onzekere aannames van het achterstandsmodel, op "
              "dezelfde toevalsgetallen: de totale index is het deel van de spreiding in een uitkomst dat "
              "verdwijnt als die aanname bekend zou zijn (samenspel met andere aannames inbegrepen); de "
              "balken tonen het 90%-betrouwbaarheidsinterval (bootstrap). Ook de omvang van het cohort en "
              "twee knoppen (capaciteit gereserveerd voor het cohort, geplande IND-capaciteit) tellen mee "
              "(SALib). Alleen aannames met een interval boven 1% staan erin. De toevallige schommelingen "
              "van maand tot maand liggen hier vast.",
    },
    "p04_sensitivity_caption": {"en": "Sobol sensitivity indices", "nl": "Gevoeligheidsindices (Sobol)"},
    "p04_assumptions": {
        "en": "## Assumptions and sources\n\n"
              "Where a value has no published source it says *assumption*; the scenario files in "
              "`params/scenarios/` (tpd_*, permit_*, return_*) vary them.",
        "nl": "## Aannames en bronnen\n\n"
              "Waar een waarde geen gepubliceerde bron heeft, staat er *aanname*; de scenariobestanden in "
              "`params/scenarios/` (tpd_*, permit_*, return_*) variëren ze.",
    },
}


#: The prose sections (joined into :data:`capacity.report.labels.PROSE`).
SECTIONS = (_BACKLOG,)
