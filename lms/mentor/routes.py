from flask import render_template

from lms.mentor import bp
from lms.permissions import Action, require


@bp.route("/")
@require(Action.MENTOR_HOME)
def home():
    return render_template("mentor/home.html")
