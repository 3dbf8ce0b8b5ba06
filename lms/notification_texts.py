"""The words of the notifications scheduled jobs write, in the current locale: one line for
the list and the e-mail's subject, and the lines of a digest. A notification stores its kind
and parameters, never a sentence, so each reader gets their own language."""

from flask_babel import gettext as _
from flask_babel import ngettext

from lms import labels
from lms.i18n import join_names
from lms.templating import localized


def _reasons(codes) -> str:
    return join_names(str(labels.RISK_REASONS.get(c, c)) for c in codes)


def _clock(p) -> str:
    return str(labels.SLA_CLOCKS.get(p.get("clock"), ""))


def _limit(p) -> str:
    if p.get("clock") == "response":
        return ngettext("%(num)d minute", "%(num)d minutes", p.get("limit", 0))
    return ngettext("%(num)d hour", "%(num)d hours", p.get("limit", 0))


def headline(kind: str, p: dict) -> str:
    """One sentence for the notification (the list, an e-mail's subject, a webhook's title)."""
    match kind:
        case "assessment_due":
            return _("“%(assessment)s” is due on %(date)s.", assessment=localized(p["assessment"]), date=p["due"])
        case "work_overdue":
            titles = join_names(localized(t) for t in p["titles"])
            if p["count"] > len(p["titles"]):
                titles = _("%(titles)s and %(n)d more", titles=titles, n=p["count"] - len(p["titles"]))
            return ngettext("%(num)d piece of work is past its due date and not handed in: %(titles)s.",
                            "%(num)d pieces of work are past their due date and not handed in: %(titles)s.",
                            p["count"], titles=titles)
        case "attempts_exhausted":
            if p.get("own"):
                return _("You have used all %(n)d attempts at “%(assessment)s” without passing. Talk to your "
                         "mentors about what comes next.", n=p["attempts"], assessment=localized(p["assessment"]))
            return _("%(trainee)s has used all %(n)d attempts at “%(assessment)s” without passing.",
                     trainee=p["trainee"], n=p["attempts"], assessment=localized(p["assessment"]))
        case "grading_waiting":
            return ngettext("%(num)d submission has waited more than 48 hours for your grade (the oldest %(days)d "
                            "days).", "%(num)d submissions have waited more than 48 hours for your grade (the oldest "
                            "%(days)d days).", p["count"], days=p["oldest_days"])
        case "trainee_at_risk":
            return _("%(trainee)s may be at risk: %(reasons)s.", trainee=p["trainee"], reasons=_reasons(p["reasons"]))
        case "checkin_missing":
            return _("Week %(week)d of %(person)s's buffer period ended without a check-in.", week=p["week"],
                     person=p["person"])
        case "buffer_ends_soon":
            if p.get("own"):
                return _("Your buffer period ends on %(date)s.", date=p["last_day"])
            return _("%(person)s's buffer period ends on %(date)s: prepare the outcome.", person=p["person"],
                     date=p["last_day"])
        case "buffer_outcome_due":
            return _("%(person)s's buffer period ended on %(date)s: record the outcome.", person=p["person"],
                     date=p["last_day"])
        case "defect_sla_breached":
            return _("Defect #%(id)d is past its %(clock)s time (%(limit)s).", id=p["defect_id"], clock=_clock(p),
                     limit=_limit(p))
        case "defect_escalated":
            return _("Escalated: defect #%(id)d is still past its %(clock)s time %(hours)s after the breach. The "
                     "reviewer writes an interim note before moving it.", id=p["defect_id"], clock=_clock(p),
                     hours=ngettext("%(num)d hour", "%(num)d hours", p["hours"]))
        case "measure_effect":
            return _("Measure the effect of contribution #%(id)d “%(title)s”: its fix went out %(days)d days ago.",
                     id=p["contribution_id"], title=p["title"], days=p["days"])
        case "award_waiting":
            return _("The award of contribution #%(id)d “%(title)s” has waited %(days)d days for approval.",
                     id=p["contribution_id"], title=p["title"], days=p["days"])
        case "responsibility_review":
            return _("The quarterly review of “%(item)s” (%(agent)s) is due on %(date)s.", item=p["item"],
                     agent=p["agent"], date=p["review_on"])
        case "digest_mentor":
            return _("Your week: %(trainees)s, %(waiting)s waiting for your grade, %(checkins)s due.",
                     trainees=ngettext("%(num)d trainee", "%(num)d trainees", p["trainees"]),
                     waiting=ngettext("%(num)d submission", "%(num)d submissions", p["waiting"]),
                     checkins=ngettext("%(num)d check-in", "%(num)d check-ins", p["checkins_due"]))
        case "digest_admin":
            return _("The program this week: %(cohorts)s, %(active)s active.",
                     cohorts=ngettext("%(num)d cohort", "%(num)d cohorts", len(p["cohorts"])),
                     active=ngettext("%(num)d trainee", "%(num)d trainees", sum(c["active"] for c in p["cohorts"])))
    return _("A reminder.")


def details(kind: str, p: dict) -> list[str]:
    """The lines under the headline in an e-mail or a webhook message (a digest's figures)."""
    if kind == "digest_mentor":
        return [
            _("Trainees you coach: %(n)d; behind schedule: %(behind)d; at risk: %(risk)d.", n=p["trainees"],
              behind=p["behind"], risk=p["at_risk"]),
            _("Waiting for your grade: %(n)d (the oldest %(days)d days).", n=p["waiting"], days=p["oldest_days"])
            if p["oldest_days"] else _("Waiting for your grade: %(n)d.", n=p["waiting"]),
            _("Buffer check-ins due this week: %(n)d; weeks missed so far: %(gaps)d.", n=p["checkins_due"],
              gaps=p["gaps"]),
        ]
    if kind == "digest_admin":
        lines = [_("%(code)s %(name)s — %(week)s: %(active)d active, %(withdrawn)d withdrawn, %(missing)d lacking a "
                   "mentor.", code=c["code"], name=c["name"], week=labels.week(c["week"], c["weeks"]),
                   active=c["active"], withdrawn=c["withdrawn"], missing=c["missing"]) for c in p["cohorts"]]
        lines.append(_("Submissions waiting more than 48 hours: %(n)d.", n=p["waiting"]))
        lines.append(_("Agent defects past their service level now: %(n)d.", n=p["breached"]))
        lines.append(_("Awards waiting for approval: %(n)d.", n=p["awards"]))
        return lines
    return []
