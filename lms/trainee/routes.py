from flask import render_template

from lms.permissions import Action, require
from lms.trainee import bp


@bp.route("/")
@require(Action.TRAINEE_HOME)
def home():
    return render_template("trainee/home.html")
