"""The answer form of an assessment, built from the fields its course file declares."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, StringField, TextAreaField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length
from wtforms.validators import Optional as OptionalValidator

from lms.services.autochecks import parse_number
from lms.services.uploads import extension
from lms.templating import localized

MAX_TEXT = 20000  # a textarea answer; course checks (max_length) may ask for less
MAX_LINE = 2000
MAX_NUMBER = 100


def _number(form, field):
    if field.data and parse_number(field.data) is None:
        raise ValidationError(_l("Enter a number, e.g. 12.5"))


def _accept(extensions):
    def check(form, field):
        data = field.data
        if data and getattr(data, "filename", "") and extension(data.filename) not in extensions:
            raise ValidationError(_l("Allowed file types: %(types)s", types=", ".join(extensions)))

    return check


class _Declared:
    """Marks a field the course file declares required (the form's * and `required`); the
    rule itself is the `required` auto-check, so a draft may still be saved without it."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        return None


class AnswerForm(FlaskForm):
    """Base: the CSRF token. Answer fields are added per assessment."""


def answer_form(assessment, data: dict | None = None, formdata=None, extra: dict | None = None) -> FlaskForm:
    """`extra`: more fields by name (the capstone's contribution statement), with their data in `data`."""

    class Form(AnswerForm):
        """The fields this assessment declares, added below."""

    for name, extra_field in (extra or {}).items():
        setattr(Form, name, extra_field)

    for spec in assessment.fields:
        label = localized(spec["label"])
        description = localized(spec.get("help")) if spec.get("help") else ""
        kind = spec["type"]
        if kind == "textarea":
            field = TextAreaField(label, description=description, validators=[Length(max=MAX_TEXT)],
                                  render_kw={"rows": 6})
        elif kind == "number":
            field = StringField(label, description=description, validators=[Length(max=MAX_NUMBER), _number],
                                render_kw={"inputmode": "decimal"})
        elif kind == "choice":
            field = RadioField(label, description=description, validators=[OptionalValidator()],
                               choices=[SelectChoice(c["value"], localized(c["label"])) for c in spec["choices"]])
        elif kind == "file":
            field = FileField(label, description=description, validators=[_accept(spec["accept"])],
                              render_kw={"accept": ",".join(spec["accept"])})
        else:
            field = StringField(label, description=description, validators=[Length(max=MAX_LINE)])
        if spec.get("required"):
            field.kwargs["validators"] = [_Declared(), *field.kwargs["validators"]]
        setattr(Form, f"f_{spec['name']}", field)
    kwargs = {"data": {(k if k in (extra or {}) else f"f_{k}"): v for k, v in (data or {}).items()}}
    if formdata is not None:
        kwargs["formdata"] = formdata
    return Form(**kwargs)


def answers_from(form, assessment) -> dict:
    return {spec["name"]: (form[f"f_{spec['name']}"].data or "").strip()
            for spec in assessment.fields if spec["type"] != "file"}


def mark_failed_checks(form, checks: list[dict]) -> None:
    """Show each failed blocking check under its field (answer checks stay for the mentor)."""
    for check in checks:
        name = f"f_{check['field']}"
        if check["blocking"] and not check["passed"] and name in form:
            form[name].errors = [*form[name].errors, localized(check["message"])]


def length_limits(assessment) -> dict[str, dict]:
    """Field → {"max": {zh_CN, en}, "min": ...} of the blocking length checks (for the live counter)."""
    limits: dict[str, dict] = {}
    for check in assessment.checks:
        if check["kind"] in ("max_length", "min_length") and check.get("blocking", True):
            value = check["value"]
            per_language = value if isinstance(value, dict) else {"zh_CN": value, "en": value}
            limits.setdefault(check["field"], {"max": None, "min": None})[check["kind"][:3]] = per_language
    return limits
