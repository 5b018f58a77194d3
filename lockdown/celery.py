import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lockdown.settings")

app = Celery("lockdown")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def log_as_the_web_process_does(**kwargs):
    """Workers and beat log through settings.LOGGING, as Django configures it for the web process,
    instead of Celery's own handler and format (which a receiver of this signal replaces)."""
    from django.conf import settings
    from django.utils.log import configure_logging

    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
