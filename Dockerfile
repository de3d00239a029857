# The workshop app: gunicorn behind your TLS proxy, PostgreSQL via DATABASE_URL.
FROM python:3.11-slim

# Production unless told otherwise: without SECRET_KEY the app refuses to start.
ENV DEBUG=0 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    WEB_CONCURRENCY=3

# Pango and fonts for WeasyPrint (PDF documents), curl for the health check, pg_dump and
# pg_restore for `manage.py backup` / `restore`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core curl \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 app
WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=app:app . .
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

# `manage.py backup` writes here (a volume in compose.yaml).
RUN mkdir -p /app/backups && chown app:app /app/backups

USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1

# Migrations run at start so a new image brings its schema with it. The same image runs
# the task worker with `python manage.py db_worker --no-reload` (compose.yaml: worker).
# No statement timeout for the migrations (a data migration may run long); the app's own
# request log (workshop.request) replaces gunicorn's access log.
CMD ["sh", "-c", "DB_STATEMENT_TIMEOUT_MS=0 python manage.py migrate --noinput && exec gunicorn workshop.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY} --forwarded-allow-ips=${FORWARDED_ALLOW_IPS:-127.0.0.1}"]
