# RiskPilot production image: gunicorn serves the application (behind nginx in docker-compose.yml,
# which serves the static files; WhiteNoise serves them when the image runs alone).
# The same image runs the Celery worker and beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint's system libraries, and a font with Cyrillic glyphs for the PDF reports.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# The pinned dependencies first, read from pyproject.toml alone, so that a change to the code
# does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
# Editable, so that the code runs from /app: settings find templates/, static/ and locale/
# beside the packages, and `celery -A riskpilot` imports the same code as gunicorn.
RUN pip install --no-deps -e .

# Production settings refuse to load without these; nothing at build time uses their values.
RUN RISKPILOT_ENV=production SECRET_KEY=build-time-only ALLOWED_HOSTS=localhost \
        DATABASE_URL=sqlite:////tmp/build-time-only.sqlite3 \
        python manage.py collectstatic --noinput

# /srv/riskpilot/static: the "static" service of docker-compose.yml collects into a volume there,
# which the proxy serves; a fresh volume takes the folder's owner from the image.
RUN useradd --system --uid 10001 --home-dir /app --no-create-home riskpilot \
    && mkdir -p var/media /srv/riskpilot/static \
    && chown riskpilot var/media /srv/riskpilot/static
USER riskpilot

EXPOSE 8000
# Workers: gunicorn reads WEB_CONCURRENCY; PDFs render and register files are imported in the
# Celery worker, not here. --timeout 60 (gunicorn's default is 30): no request does long work any
# more, so a request past a minute is stuck and its worker is better restarted; the margin covers
# the slowest legitimate pages (a large export) on a loaded server. --preload imports the
# application once in the master before forking: the workers share its memory and a replaced
# worker starts at once. Sync workers, one request each: the pages are CPU-bound in Python (see
# README, "Load test"), and each worker keeps its database connection (DB_CONN_MAX_AGE).
ENV WEB_CONCURRENCY=3
CMD ["gunicorn", "riskpilot.wsgi:application", "--bind", "0.0.0.0:8000", "--timeout", "60", "--preload", "--access-logfile", "-"]
