"""Display names for codes: the one place a code becomes words, for Python and templates.

Templates reach these as `label.role(...)` etc. (a Jinja global). Each call translates
only the label it returns; the maps hold lazy strings, so nothing is translated when
they are built.
"""

from flask_babel import ngettext
from jinja2 import Undefined
from markupsafe import Markup, escape

from lms.i18n import lazy_gettext as _l  # Flask-Babel's, translated through the request's catalogue

ROLES = {"admin": _l("Admin"), "mentor": _l("Mentor"), "trainee": _l("Trainee"), "lead": _l("Team lead")}
MENTOR_KINDS = {"ai": _l("AI mentor"), "business": _l("Business mentor")}
PHASES = {"intake": _l("Intake"), "training": _l("Training"), "placement": _l("Placement"),
          "buffer": _l("Buffer period"), "closed": _l("Closed")}
PHASE_BADGES = {"intake": "text-bg-info", "training": "text-bg-primary", "placement": "text-bg-warning",
                "buffer": "text-bg-success", "closed": "text-bg-secondary"}
SOURCE_ROLES = {"basic_cs": _l("Basic customer service"), "order_clerk": _l("Order clerk"),
                "logistics_entry": _l("Logistics data entry"), "other": _l("Other")}
FIELD_TYPES = {"text": _l("Short text"), "textarea": _l("Long text"), "number": _l("Number"),
               "choice": _l("Choice"), "file": _l("File upload")}
CHECK_KINDS = {"required": _l("Must be filled in"), "regex": _l("Format check"),
               "number_range": _l("Number in range"), "keywords": _l("Key terms present"),
               "max_length": _l("Length limit"), "min_length": _l("Minimum length")}
# Language names are written in their own language, whatever the page's language.
LOCALE_NAMES = {"zh_CN": "简体中文", "en": "English"}
# The glossary's names, for a role a program no longer lists (the program's own title comes first).
TARGET_ROLES = {"collab_cs": _l("Human-AI collaborative customer service"), "ai_trainer": _l("AI trainer"),
                "ops_specialist": _l("Intelligent operations specialist"),
                "ux_architect": _l("User experience architect")}

# What a role package says a target role carries (program.yaml `duties`).
DUTIES = {"ai_training": _l("AI training"), "intelligent_operations": _l("Intelligent operations"),
          "experience_architecture": _l("Experience architecture")}
# Where an intake baseline came from (BaselineRating.source).
BASELINE_SOURCES = {"diagnostic": _l("Intake diagnostic"), "mentor": _l("Mentor-rated")}


# Placement and the buffer period (lms/models/buffer.py).
REASON_CODES = {"skills_gap": _l("Skills not yet at the role's level"), "no_opening": _l("No opening in the role"),
                "performance": _l("Performance"), "personal": _l("Personal or family reasons"),
                "health": _l("Health"), "business_change": _l("Business change or restructuring"),
                "own_choice": _l("The person's own choice"), "goal_met": _l("Goals of the period met"),
                "other": _l("Other")}
# which reasons fit which outcome: "goals of the period met" only ends a buffer period,
# "no opening in the role" only explains why someone was not placed
TRAINING_REASONS = ("skills_gap", "no_opening", "performance", "personal", "health", "business_change",
                    "own_choice", "other")
BUFFER_REASONS = ("goal_met", "skills_gap", "performance", "personal", "health", "business_change", "own_choice",
                  "other")
TRAINING_OUTCOMES = {"extended_training": _l("Training extended"), "redeployed": _l("Redeployed elsewhere"),
                     "returned": _l("Returned to the previous role"), "left": _l("Left the company")}
BUFFER_OUTCOMES = {"completed": _l("Buffer completed"), "extended": _l("Buffer extended"),
                   "redeployed": _l("Redeployed elsewhere"), "left": _l("Left the company")}
DAY_KINDS = {"workday": _l("Workday"), "holiday": _l("Holiday")}
YES_NO = {"yes": _l("Yes"), "no": _l("No")}
# Agent defects (lms/models/defects.py); the glossary's names.
DEFECT_TYPES = {"wrong_answer": _l("Wrong answer"), "missed_answer": _l("Missed answer"),
                "slow_response": _l("Slow response"), "bad_handoff": _l("Bad hand-off to a person"),
                "misleading_promo": _l("Misleading promotion or SKU"), "other": _l("Other")}
DEFECT_STATES = {"new": _l("New"), "confirmed": _l("Confirmed"), "in_fix": _l("Being fixed"), "fixed": _l("Fixed"),
                 "verified": _l("Fix verified"), "rejected": _l("Rejected"), "duplicate": _l("Duplicate")}
DEFECT_STATE_BADGES = {"new": "text-bg-info", "confirmed": "text-bg-primary", "in_fix": "text-bg-warning",
                       "fixed": "text-bg-success", "verified": "text-bg-success", "rejected": "text-bg-secondary",
                       "duplicate": "text-bg-secondary"}
# The responsibility list's owner modes (lms/models/responsibility.py).
OWNER_MODES = {"ai_primary": _l("AI primary"), "ai_drafts": _l("AI drafts – human reviews"),
               "human_fallback": _l("Human fallback")}
CONTRIBUTION_CATEGORIES = {"misanswer_attribution": _l("Attributing frequent wrong answers"),
                           "kb_update": _l("Knowledge-base update"),
                           "handoff_strategy": _l("Hand-off strategy"),
                           "campaign_calibration": _l("Campaign scripts and rules calibration"),
                           "exception_script": _l("Exception-order handling scripts")}
CONTRIBUTION_STATES = {"submitted": _l("Submitted"), "adopted": _l("Adopted"), "measured": _l("Measured, qualifies"),
                       "awarded": _l("Awarded"), "not_qualified": _l("Declined"),
                       "below_threshold": _l("Measured: effect below threshold")}
PAYOUTS = {"approved": _l("Approved, not paid yet"), "paid": _l("Paid")}
# The button that moves a defect to a state.
DEFECT_MOVES = {"confirmed": _l("Confirm"), "in_fix": _l("Start the fix"), "fixed": _l("Mark fixed"),
                "verified": _l("Fix verified"), "rejected": _l("Reject"), "duplicate": _l("Duplicate of…")}

# Scheduled jobs (lms/jobs/): a run's outcome, why a trainee may be at risk, what a run counted.
JOB_OUTCOMES = {"running": _l("Running"), "ok": _l("Done"), "failed": _l("Failed")}
JOB_OUTCOME_BADGES = {"running": "text-bg-info", "ok": "text-bg-success", "failed": "text-bg-danger"}
# A mentor's "trainee at risk" notice: lms/services/standing.py's reasons (behind and failed:
# notices written before the jobs used that rule).
RISK_REASONS = {"out_of_attempts": _l("failed the last allowed attempt"),
                "overdue": _l("several assessments overdue"), "no_mentor": _l("lacks a mentor"),
                "inactive": _l("no activity for two weeks"),
                "behind": _l("behind schedule"), "failed": _l("failed their last attempt")}
SLA_CLOCKS = {"response": _l("first response"), "close": _l("fix or close")}
# Reports: the dashboard, the gradebook and the exports.
COMPETENCIES = {"data_processing": _l("Data processing"), "problem_solving": _l("Problem solving"),
                "tool_use": _l("Tool use"), "communication": _l("Communication")}
GRADEBOOK_STATUSES = {"passed": _l("Passed"), "failed": _l("Not passed yet"), "waiting": _l("Waiting for a grade"),
                      "draft": _l("Draft, not handed in"), "overdue": _l("Overdue"), "open": _l("Not started"),
                      "not_taken": _l("Not in this role's path"),
                      "ended": _l("Not taken (training over)")}
STANDINGS = {"on_track": _l("On track"), "behind": _l("Behind"), "at_risk": _l("At risk")}
# Where an enrollment stands (lms/services/enrollment_state.py).
ENROLLMENT_STATES = {"in_training": _l("In training"), "in_buffer": _l("In buffer period"),
                     "finished": _l("Finished (final outcome)")}
STANDING_REASONS = {"out_of_attempts": _l("Failed the last allowed attempt"),
                    "overdue": _l("Several assessments overdue"), "no_mentor": _l("Lacks a mentor"),
                    "inactive": _l("No activity for two weeks")}


def _code(value):
    """An enum member's code, or the code itself; None for nothing (Jinja's undefined too)."""
    if value is None or isinstance(value, Undefined):
        return None
    return getattr(value, "value", value)


def role(value) -> str:
    """'mentor' or Role.MENTOR → "Mentor" in the user's language."""
    code = _code(value)
    return str(ROLES.get(code, code))


def mentor_kind(value) -> str:
    """'ai' or MentorKind.AI → "AI mentor"; nothing for no kind."""
    code = _code(value)
    return str(MENTOR_KINDS[code]) if code in MENTOR_KINDS else ""


def mentor_kinds(values) -> str:
    """Several kinds in one phrase: "AI导师、业务导师" / "AI mentor, Business mentor"."""
    from lms.i18n import request_language  # i18n imports flask-babel only; kept local like target_role's

    return ("、" if request_language() == "zh_CN" else ", ").join(mentor_kind(v) for v in values)


def phase(value) -> str:
    code = _code(value)
    return str(PHASES.get(code, code))


def phase_badge(value) -> Markup:
    code = _code(value)
    return Markup('<span class="badge {}">{}</span>').format(PHASE_BADGES.get(code, "text-bg-light"), phase(code))


def source_role(value) -> str:
    code = _code(value)
    return str(SOURCE_ROLES[code]) if code in SOURCE_ROLES else "—"


def baseline_source(value) -> str:
    code = _code(value)
    return str(BASELINE_SOURCES[code]) if code in BASELINE_SOURCES else "—"


def field_type(value) -> str:
    code = _code(value)
    return str(FIELD_TYPES.get(code, code))


def check_kind(value) -> str:
    code = _code(value)
    return str(CHECK_KINDS.get(code, code))


def reason_code(value) -> str:
    code = _code(value)
    return str(REASON_CODES[code]) if code in REASON_CODES else "—"


def training_outcome(value) -> str:
    code = _code(value)
    return str(TRAINING_OUTCOMES[code]) if code in TRAINING_OUTCOMES else "—"


def buffer_outcome(value) -> str:
    code = _code(value)
    return str(BUFFER_OUTCOMES[code]) if code in BUFFER_OUTCOMES else "—"


def day_kind(value) -> str:
    code = _code(value)
    return str(DAY_KINDS[code]) if code in DAY_KINDS else "—"


def defect_type(value) -> str:
    code = _code(value)
    return str(DEFECT_TYPES[code]) if code in DEFECT_TYPES else "—"


def defect_state(value) -> Markup:
    code = _code(value)
    text = str(DEFECT_STATES[code]) if code in DEFECT_STATES else "—"
    return Markup('<span class="badge {}">{}</span>').format(DEFECT_STATE_BADGES.get(code, "text-bg-light"), text)


# HR API tokens (lms/models/api_tokens.py; state from services/api_tokens.state).
TOKEN_SCOPES = {"read": _l("Read only"), "write": _l("Read and write")}
TOKEN_STATES = {"active": _l("Active"), "revoked": _l("Revoked"), "expired": _l("Expired")}
TOKEN_STATE_BADGES = {"active": "text-bg-success", "revoked": "text-bg-secondary", "expired": "text-bg-warning"}


def token_scope(value) -> str:
    code = _code(value)
    return str(TOKEN_SCOPES[code]) if code in TOKEN_SCOPES else "—"


def token_state(value) -> Markup:
    code = _code(value)
    text = str(TOKEN_STATES[code]) if code in TOKEN_STATES else "—"
    return Markup('<span class="badge {}">{}</span>').format(TOKEN_STATE_BADGES.get(code, "text-bg-light"), text)


def defect_move(value) -> str:
    code = _code(value)
    return str(DEFECT_MOVES[code]) if code in DEFECT_MOVES else "—"


def owner_mode(value) -> str:
    code = _code(value)
    return str(OWNER_MODES[code]) if code in OWNER_MODES else "—"


def contribution_category(value) -> str:
    code = _code(value)
    return str(CONTRIBUTION_CATEGORIES[code]) if code in CONTRIBUTION_CATEGORIES else "—"


def contribution_state(value) -> str:
    code = _code(value)
    return str(CONTRIBUTION_STATES[code]) if code in CONTRIBUTION_STATES else "—"


def payout(value) -> str:
    code = _code(value)
    return str(PAYOUTS[code]) if code in PAYOUTS else "—"


def severity(scale, value) -> str:
    """A severity level by the program's own title (never its code)."""
    from lms.templating import localized

    code = _code(value)
    for level in scale or []:
        if level["code"] == code:
            return localized(level["title"])
    return "—"


def target_role(program, code) -> str:
    """A target role by the program's own title, else by the glossary's name (never its code)."""
    from lms.templating import localized  # templating imports services, which import this module

    code = _code(code)
    if program is not None and code in program.roles:
        return localized(program.roles[code]["title"])
    return str(TARGET_ROLES.get(code, _l("Other role")))


def duty(value) -> str:
    code = _code(value)
    return str(DUTIES[code]) if code in DUTIES else "—"


def week(n: int, total: int = 13, days=None) -> str:
    """Where a cohort is in its program: before the start, intake week, week n of total, after."""
    if n < 0:
        return str(_l("Before the start")) if days is None else ngettext(
            "starts in %(num)d day", "starts in %(num)d days", days)
    if n == 0:
        return str(_l("Week 0 (intake)"))
    if n <= total:
        return str(_l("Week %(n)d of %(total)d", n=n, total=total))
    return str(_l("After week %(total)d", total=total))


def job_outcome(value) -> Markup:
    code = _code(value)
    if code not in JOB_OUTCOMES:
        return Markup("—")
    return Markup('<span class="badge {}">{}</span>').format(JOB_OUTCOME_BADGES[code], JOB_OUTCOMES[code])


def job_counts(counts) -> str:
    """What a run did, in words: "3 notifications, 1 held for quiet hours"."""
    parts = [say(counts[key]) for key, say in JOB_COUNTS if (counts or {}).get(key)]
    # Translators: between the counts of a job run's outcome ("3 notifications, 1 message sent")
    return str(_l(", ")).join(parts) if parts else str(_l("nothing to do"))


# Each count a job run reports (the keys are lms/jobs/runner.py's), in words.
JOB_COUNTS = (
    ("notifications", lambda n: ngettext("%(num)d notification", "%(num)d notifications", n)),
    ("held", lambda n: ngettext("%(num)d message held for quiet hours", "%(num)d messages held for quiet hours", n)),
    ("escalated", lambda n: ngettext("%(num)d defect escalated", "%(num)d defects escalated", n)),
    ("sent", lambda n: ngettext("%(num)d message sent", "%(num)d messages sent", n)),
    ("failed", lambda n: ngettext("%(num)d message not delivered", "%(num)d messages not delivered", n)),
)


def codes(values, sep: str = ", ") -> Markup:
    """Codes a person types into a file (CSV columns and values), shown as code."""
    return escape(sep).join(Markup("<code>{}</code>").format(v) for v in values)


def competency(value) -> str:
    code = _code(value)
    return str(COMPETENCIES[code]) if code in COMPETENCIES else "—"


def gradebook_status(value) -> str:
    code = _code(value)
    return str(GRADEBOOK_STATUSES[code]) if code in GRADEBOOK_STATUSES else "—"


def with_note(text, note) -> str:
    """A value with a note after it in brackets: "Passed (handed in late)", "已通过（逾期提交）"."""
    # Translators: a value and a note on it; Chinese uses full-width brackets: %(status)s（%(note)s）
    return str(_l("%(status)s (%(note)s)", status=text, note=note))


def standing(value) -> str:
    code = _code(value)
    return str(STANDINGS[code]) if code in STANDINGS else "—"


def enrollment_state(value) -> str:
    code = _code(value)
    return str(ENROLLMENT_STATES[code]) if code in ENROLLMENT_STATES else "—"


def enrollment_status(state, withdrawn_on=None) -> str:
    """Where one enrollment stands (enrollment_state.State), in words: "In training", "In buffer
    period", "Finished: Returned to the previous role", "Withdrawn 2026-02-01"."""
    if state.code == "withdrawn":
        return str(_l("Withdrawn %(d)s", d=withdrawn_on.isoformat() if withdrawn_on else ""))
    if state.code == "finished":
        outcome = buffer_outcome(state.outcome) if state.after_placement else training_outcome(state.outcome)
        # Translators: an enrollment's status, e.g. "Finished: Returned to the previous role"
        return str(_l("Finished: %(outcome)s", outcome=outcome))
    return enrollment_state(state.code)


ENROLLMENT_STATUS_BADGES = {"in_training": "text-bg-primary", "in_buffer": "text-bg-success",
                            "finished": "text-bg-secondary", "withdrawn": "text-bg-secondary"}


def enrollment_status_badge(row) -> Markup:
    """A roster row's status as a badge; the row carries the facts enrollment_state reads
    (active, placed, buffer_outcome, training_outcome, withdrawn_on, withdrawn_reason)."""
    from lms.services.enrollment_state import state_of  # services import this module

    state = state_of(row.active, row.placed, row.buffer_outcome, row.training_outcome)
    reason = getattr(row, "withdrawn_reason", None)
    title = reason if state.code == "withdrawn" and reason else ""
    return Markup('<span class="badge {}"{}>{}</span>').format(
        ENROLLMENT_STATUS_BADGES.get(state.code, "text-bg-light"),
        Markup(' title="{}"').format(title) if title else "", enrollment_status(state, row.withdrawn_on))


def standing_reason(value) -> str:
    code = _code(value)
    return str(STANDING_REASONS[code]) if code in STANDING_REASONS else "—"


def init_labels(app) -> None:
    import sys

    app.jinja_env.globals["label"] = sys.modules[__name__]
