import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
application = get_wsgi_application()

# Each gunicorn worker loads the URLconf as it boots, not in the first request it answers (config.warm).
from config.warm import urls_load  # noqa: E402 — needs the settings and apps set up above

urls_load()
