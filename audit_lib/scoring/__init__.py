"""Scoring: weighted compliance, the critical rule, findings and corrective actions.

Usage::

    from audit_lib.scoring import score, score_many, read_responses
    scored = score(checklist, responses, inspections)
    scored.scores, scored.findings, scored.gaps      # the legal items
    scored.advice, scored.scores["good_practice"]    # the advice items, apart

Pure and vectorized: frames in, frames out; no store, no files but
:func:`read_responses` (a responses file for ``audit score``).
"""

from audit_lib.scoring._responses import Responses, answer_code, read_responses
from audit_lib.scoring._score import (
    GAP_SHARE_INCOMPLETE,
    Scored,
    good_practice,
    rules,
    score,
    score_many,
)

__all__ = [
    "GAP_SHARE_INCOMPLETE",
    "Responses",
    "Scored",
    "answer_code",
    "good_practice",
    "read_responses",
    "rules",
    "score",
    "score_many",
]
