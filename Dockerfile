# Production image: one image for every process in docker-compose.yml (web, worker, beat, migrate);
# the commands themselves live in portal/processes.py.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint needs Pango; libharfbuzz-subset0 makes licence font subsetting fast (portal.W001);
# Noto CJK renders the Chinese text of licences.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --create-home --home-dir /home/portal \
        --shell /usr/sbin/nologin portal

WORKDIR /app

# Dependencies first (a layer that survives code changes), then the code.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
RUN pip install --no-deps . \
    && find /app -name '__pycache__' -prune -exec rm -rf {} +

# Static files with the production storage (hashed names + manifest). The secret key here is a
# throwaway made for this one command: nothing of it stays in the image.
RUN PORTAL_ENV=production \
    DJANGO_SECRET_KEY="build-only-$(python -c 'import secrets; print(secrets.token_urlsafe(48))')" \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    python manage.py collectstatic --noinput \
    && rm -f /tmp/build.sqlite3

# Uploaded documents live on a volume (DJANGO_MEDIA_ROOT); the code stays read-only for the app user.
RUN mkdir -p /data/media && chown portal:portal /data/media
ENV DJANGO_MEDIA_ROOT=/data/media \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    HOME=/home/portal

USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
