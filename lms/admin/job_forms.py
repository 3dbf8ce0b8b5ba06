"""Forms of the scheduled-jobs pages: a program's outgoing webhook."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length


class WebhookForm(FlaskForm):
    url = StringField(_l("Relay address"), validators=[DataRequired(), Length(max=500)],
                      description=_l("Your WeCom, DingTalk or Feishu relay's https:// address."))
    secret = PasswordField(_l("Secret"), validators=[Length(max=128)],
                           description=_l("The relay checks each message's signature with it. Leave empty to keep "
                                          "the current one; a new webhook gets one made for it."))
    new_secret = BooleanField(_l("Make a new secret (the relay needs it then)"))
    active = BooleanField(_l("Send messages"), default=True)
    submit = SubmitField(_l("Save the webhook"))
