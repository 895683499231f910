# Tierdesk production image: gunicorn (web), Celery worker and Celery beat all
# run from this one image; docker-compose.yml picks the command per service.
# Nothing secret is baked in: configuration comes from the environment (.env).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=helpdesk.settings.production

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so a code change does not
# reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
RUN pip install --no-deps -e .

# Static files are collected at build time (whitenoise serves them). The
# settings demand these variables, so give throwaway values that exist only in
# this RUN step; nothing connects to a database or broker here.
RUN DJANGO_SECRET_KEY=collectstatic-build-only \
    DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput -v0

# Run as an unprivileged user; it owns only the attachment store.
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin tierdesk \
    && mkdir -p /app/var/attachments \
    && chown -R tierdesk:tierdesk /app/var/attachments
USER tierdesk

EXPOSE 8000
# WEB_CONCURRENCY sets the number of gunicorn workers (gunicorn reads it).
CMD ["gunicorn", "helpdesk.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
