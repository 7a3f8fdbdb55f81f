"""Survey templates to start from: the classic NPS, CSAT, CES and churn surveys.

Each is a definition that :func:`~surveys.design.definition.load_definition`
accepts, with follow-up questions set by score band.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from surveys.design.kinds import NPS_BANDS, NPS_PROMPT


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    summary: str
    definition: dict[str, Any]

    def build(self) -> dict[str, Any]:
        """A fresh copy of the definition, safe to edit."""
        return copy.deepcopy(self.definition)


def _nps_follow_ups() -> list[dict[str, Any]]:
    return [
        {"id": "disappointed", "type": "text", "prompt": "What disappointed you?",
         "show_if": {"question": "nps", "in": list(NPS_BANDS["detractors"])}},
        {"id": "improve", "type": "text", "prompt": "What would make {product} a 10 for you?",
         "show_if": {"question": "nps", "in": list(NPS_BANDS["passives"])}},
        {"id": "value_most", "type": "text", "prompt": "What do you value most?",
         "show_if": {"question": "nps", "in": list(NPS_BANDS["promoters"])}},
    ]


TEMPLATES: dict[str, Template] = {t.key: t for t in (
    Template("nps_relationship", "NPS: relationship",
             "The quarterly pulse: how likely they are to recommend you, and why.",
             {"questions": [{"id": "nps", "type": "nps", "prompt": NPS_PROMPT}, *_nps_follow_ups()],
              "thank_you": {"title": "Thank you, {contact.first_name|there}!",
                            "message": "Every answer is read by our team."}}),
    Template("nps_onboarding", "NPS: after onboarding",
             "Transactional NPS once onboarding is done, with what helped and what did not.",
             {"questions": [
                 {"id": "nps", "type": "nps", "prompt": "Now that you are set up, how likely are you to "
                                                         "recommend {product} to a friend or colleague?"},
                 *_nps_follow_ups(),
                 {"id": "onboarding_help", "type": "multiple_choice", "required": False, "allow_other": True,
                  "prompt": "What helped you most to get started?",
                  "options": ["Documentation", "Onboarding call", "In-app guides", "Support team"]},
             ]}),
    Template("csat_support", "CSAT: after a support ticket",
             "Right after a ticket closes: were they satisfied with the help?",
             {"questions": [
                 {"id": "csat", "type": "csat", "prompt": "How satisfied are you with the support you received?"},
                 {"id": "resolved", "type": "single_choice", "prompt": "Was your issue resolved?",
                  "options": ["Yes", "Partly", "No"]},
                 {"id": "comment", "type": "text", "prompt": "How could we have helped better?",
                  "show_if": {"question": "csat", "in": [1, 2, 3]}},
             ]}),
    Template("ces_task", "CES: after a task",
             "Customer effort after a key task (an export, an integration, a payment).",
             {"questions": [
                 {"id": "ces", "type": "ces", "prompt": "{product} made it easy for me to complete this task."},
                 {"id": "hardest", "type": "text", "prompt": "What was the hardest part?",
                  "show_if": {"question": "ces", "in": [1, 2, 3, 4]}},
             ]}),
    Template("churn_reason", "Churn: cancellation reason",
             "When an account cancels or downgrades: why, and what would bring them back.",
             {"questions": [
                 {"id": "reason", "type": "single_choice", "required": True, "allow_other": True,
                  "randomize": True, "prompt": "What is the main reason you are leaving?",
                  "options": ["Too expensive", "Missing features", "Switched to another product",
                              "Not using it enough", "Quality or reliability issues", "Poor support"]},
                 {"id": "missing", "type": "text", "prompt": "Which features were missing?",
                  "show_if": {"question": "reason", "in": ["Missing features"]}},
                 {"id": "competitor", "type": "text", "prompt": "Which product did you switch to?",
                  "show_if": {"question": "reason", "in": ["Switched to another product"]}},
                 {"id": "come_back", "type": "text", "prompt": "What would bring you back?"},
             ],
              "thank_you": {"title": "Thank you for telling us",
                            "message": "We are sorry to see you go, {contact.first_name|friend}."}}),
)}

BLANK = {"questions": [{"id": "q1", "type": "nps", "prompt": NPS_PROMPT}]}
