from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from lms.services.passwords import MAX_LENGTH, password_problem


class StrongPassword:
    """WTForms validator: the password policy of `lms.services.passwords`.

    `inputs` names form fields (e.g. email, name) whose values the password must
    not be built from; the form may also set `self.password_context` (a tuple of
    strings) for values that are not fields, such as the person's stored email.
    """

    def __init__(self, inputs: tuple[str, ...] = ()):
        self.inputs = inputs

    def __call__(self, form, field) -> None:
        if not field.data:
            return
        context = tuple(getattr(form, "password_context", ()))
        context += tuple(str(form[name].data or "") for name in self.inputs if name in form)
        problem = password_problem(field.data, context)
        if problem:
            raise ValidationError(str(problem))


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Remember me"))
    submit = SubmitField(_l("Log in"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)],
                            render_kw={"autocomplete": "current-password"})
    # Password managers offer a generated password for these and save it.
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=MAX_LENGTH), StrongPassword()],
                        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), Length(max=MAX_LENGTH), EqualTo("new", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Change password"))


class NewPasswordForm(FlaskForm):
    """Set a password through an invitation or reset link (no current password)."""

    # Password managers offer a generated password for these and save it.
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=MAX_LENGTH), StrongPassword()],
                        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), Length(max=MAX_LENGTH), EqualTo("new", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Set password and log in"))


class ForgotPasswordForm(FlaskForm):
    # A pasted address often carries a space at either end.
    email = EmailField(_l("Email"), filters=[lambda value: value.strip() if value else value], validators=[
        DataRequired(), Email(_l("Enter a valid email address.")), Length(max=254)])
    submit = SubmitField(_l("Send me a link"))
