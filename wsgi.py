"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`.

The configuration comes from the environment (`LMS_CONFIG`, see config.py); production
raises before serving when it is not safe to run.
"""

from lms import create_app

app = create_app()
