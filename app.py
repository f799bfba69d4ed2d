"""The WSGI entry point: ``gunicorn app:app`` or ``flask --app app run``."""

from tracker import create_app

app = create_app()
