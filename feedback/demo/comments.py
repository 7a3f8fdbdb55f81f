"""What demo respondents write: open-text answers by mood, in a B2B product's own vocabulary.

Kept apart from the code that picks them so the texts read like the customers
they come from: specific, sometimes mixed, sometimes terse.
"""
from __future__ import annotations

# NPS detractors (0–6): "What disappointed you?"
DISAPPOINTED = [
    "The dashboards take forever to load once we pass a few thousand rows. Our ops team has stopped using them.",
    "Support tickets sit for days without a first reply. We pay for the enterprise plan and expect better.",
    "The Salesforce sync breaks every couple of weeks and nobody tells us until the numbers look wrong.",
    "Pricing went up 30% at renewal with no new features we actually use.",
    "Exports time out on anything bigger than a month of data.",
    "Too many clicks to do simple things. Setting up a report feels like filling in a tax form.",
    "We lost a week of data after the March incident and the post-mortem never came.",
    "The mobile app is basically unusable for our field team.",
    "Our CSM changed three times this year. Every time we start again from zero.",
    "SSO setup was painful and still logs people out randomly.",
    "The API rate limits make our nightly sync fail half the time.",
    "Honestly it does the job, but the alerts are so noisy that people mute them.",
    "Permissions are too coarse: I cannot give our agency read-only access to one project.",
    "Billing is confusing, we were charged for seats of people who left months ago.",
    "Good product idea, but the reliability just isn't there yet for a team our size.",
]

# NPS passives (7–8): "What would make {product} a 10 for you?"
IMPROVE = [
    "Scheduled reports in PDF, so I can stop taking screenshots for the board deck.",
    "A proper audit log. Our security team keeps asking for it.",
    "Faster search. Everything else is fine.",
    "Better HubSpot integration; right now we copy fields by hand.",
    "Dark mode, and keyboard shortcuts for the power users.",
    "More flexible dashboards: I want to compare two quarters side by side.",
    "If support answered within the same day it would be a 10.",
    "Cheaper seats for occasional users. Half our team only logs in once a month.",
    "It's solid. Onboarding new colleagues could be smoother, the docs are a bit out of date.",
    "Bulk editing. Updating fifty records one at a time is tedious.",
    "Let us customise the email notifications, they are too frequent.",
    "Works well, but the new navigation moved things around and we are still getting used to it.",
]

# NPS promoters (9–10): "What do you value most?"
VALUE_MOST = [
    "The support team. Priya solved our import problem in twenty minutes.",
    "It just works. We set it up in an afternoon and haven't thought about it since.",
    "The dashboards: our leadership finally looks at the same numbers.",
    "The API is clean and well documented; our developers love it.",
    "Alerts that are actually useful. We caught two churn risks before renewal.",
    "Our CSM knows our business and brings ideas, not just check-ins.",
    "Saves my team roughly a day a week of spreadsheet work.",
    "Reliable, fast, and the roadmap keeps delivering what we ask for.",
    "The Slack integration. Half the team never opens the app and still gets the insights.",
    "Great value for the price compared to the big vendors we evaluated.",
    "Simple enough that the whole sales team uses it, not just the analysts.",
    "Everything about the onboarding was smooth, and the weekly office hours are gold.",
]

# French answers for contacts who read the survey in French.
DISAPPOINTED_FR = [
    "Le support met trop de temps à répondre, et les exports échouent souvent.",
    "L'interface est lente et la synchronisation avec notre CRM casse régulièrement.",
]
IMPROVE_FR = [
    "Des rapports planifiés en PDF et une meilleure traduction de l'interface.",
    "Plus de souplesse dans les tableaux de bord.",
]
VALUE_MOST_FR = [
    "La simplicité : toute l'équipe s'en sert sans formation.",
    "Notre CSM est très réactive et connaît bien notre métier.",
]

# CSAT 1–3 after a ticket: "How could we have helped better?"
SUPPORT_BETTER = [
    "I had to explain the problem three times to three different people.",
    "The first answer was a link to a help article that didn't apply to us.",
    "It took four days to get a reply on a blocking issue.",
    "The workaround works but the bug is still there. Please fix it for real.",
    "Nobody followed up after the ticket was closed.",
    "Polite, but clearly reading from a script.",
    "Would have been faster on a call than over email.",
    "The fix broke our scheduled exports. Now we need another ticket.",
]

# CES 1–4 after a task: "What was the hardest part?"
HARDEST = [
    "Mapping our CSV columns to your fields; the error messages don't say which row is wrong.",
    "Finding where the setting was. It's buried three menus deep.",
    "The OAuth step for the integration failed twice without an error.",
    "Waiting for the export email, it took almost an hour.",
    "Understanding which plan includes which feature.",
    "The date filter resets every time I switch tabs.",
]

# Beta programme, archived: anything else
BETA = [
    "The new report builder is promising but crashed twice on large datasets.",
    "Love the AI summaries, though they sometimes miss the point of a long comment.",
    "Beta was stable for us. Ship it!",
    "Please keep the old CSV export as an option.",
    "Fast and intuitive. The drag-and-drop is much better than before.",
]

# Onboarding NPS: "other" answers to what helped most
OTHER_HELP = ["Our account manager", "YouTube tutorials", "A colleague who used it before"]
