# Managing Allegations: one image for the web server, the Celery worker and Celery beat
# (docker-compose.yml chooses the command). Build: docker build -t managing-allegations .
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # The code runs from /app (templates/ and static/ sit beside it), ahead of the installed copy.
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=config.settings.base \
    MEDIA_ROOT=/app/var/media \
    # matplotlib and fontconfig want a writable cache; the home directory is not.
    MPLCONFIGDIR=/tmp/matplotlib \
    XDG_CACHE_HOME=/tmp/cache

# WeasyPrint (minutes as PDF) needs Pango, HarfBuzz and fontconfig; Liberation stands in for Arial.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Only what the product needs: never .env, .venv, var/ or node_modules from the build context.
COPY pyproject.toml README.md manage.py ./
COPY config ./config
COPY agencies ./agencies
COPY allegations ./allegations
COPY meetings ./meetings
COPY reporting ./reporting
COPY providers ./providers
COPY lowlevel ./lowlevel
COPY assurance ./assurance
COPY accounts ./accounts
COPY records ./records
COPY governance ./governance
COPY interchange ./interchange
COPY outbox ./outbox
COPY deadlines ./deadlines
COPY search ./search
COPY demo ./demo
RUN pip install . && rm -rf build ./*.egg-info

COPY templates ./templates
COPY static ./static

RUN mkdir -p var/media var/staticfiles && chown -R app:app var

USER app
EXPOSE 8000

CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
