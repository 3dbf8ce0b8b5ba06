"""`flask --app wsgi lms invitation-links`: the open set-password links as CSV, for an operator."""

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from lms import invitation_links
from lms.extensions import db
from lms.models import Cohort, LinkState
from lms.services import invitations


@click.command("invitation-links")
@with_appcontext
@click.option("--cohort", "cohort_code", help="only the trainees of this cohort")
@click.option("--base-url", help="the site's address, e.g. https://lms.example.cn (default: PUBLIC_URL)")
@click.option("--out", type=click.File("w", encoding="utf-8-sig"), default="-",
              help="CSV file to write (UTF-8 with BOM, for Excel); default: standard output")
def invitation_links_command(cohort_code, base_url, out) -> None:
    """List name, email, link and expiry of everyone whose invitation is still open."""
    import csv

    base = (base_url or current_app.config["PUBLIC_URL"]).rstrip("/")
    if not base:
        raise click.ClickException("links need the site's address: set PUBLIC_URL or pass --base-url")
    cohort_id = None
    if cohort_code:
        cohort_id = db.session.scalar(sa.select(Cohort.id).where(Cohort.code == cohort_code))
        if cohort_id is None:
            raise click.ClickException(f"no cohort with code {cohort_code}")
    lifetime = invitation_links.lifetimes().invite
    writer = csv.writer(out)
    writer.writerow(["name", "email", "link", "valid_until_utc"])
    with current_app.test_request_context(base_url=base):
        for inv, user in db.session.execute(invitations.not_accepted(cohort_id=cohort_id)).tuples():
            if inv.state(lifetime) == LinkState.PENDING:
                writer.writerow([user.name, user.email, invitation_links.link_for(inv),
                                 inv.expires_at(lifetime).isoformat(timespec="minutes")])
