# Production image: migrations on start, then uvicorn with several workers on 0.0.0.0:8000.
# Configure with DATABASE_URL (postgresql+psycopg://…) and SECRET_KEY; DUTA_ENV=production is the default
# here, so the app refuses to start with the development secret and its cookies are Secure (serve it
# behind an HTTPS reverse proxy).

# Front-end packages from npm, pinned by package-lock.json (the same copy step as `make assets`).
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error \
    && mkdir -p vendor \
    && cp node_modules/htmx.org/dist/htmx.min.js vendor/htmx.min.js \
    && mkdir -p vendor/fonts \
    && cp node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf vendor/fonts/

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DUTA_ENV=production \
    WEB_CONCURRENCY=4
WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN mkdir app && touch app/__init__.py && pip install . && pip uninstall -y duta && rm -rf app build *.egg-info

COPY . .
# Editable: templates/, static/, migrations/ and the .po catalogues are read from /app.
RUN pip install --no-deps -e . \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin duta \
    && mkdir -p var static/vendor \
    && chown -R duta:duta var
COPY --from=assets /build/vendor/ static/vendor/

USER duta
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
CMD ["sh", "-c", "duta db upgrade && exec uvicorn app.main:app --host 0.0.0.0 --port 8000 --workers \"$WEB_CONCURRENCY\" --proxy-headers --forwarded-allow-ips '*'"]
