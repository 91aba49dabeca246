# newsbot: one image for `newsbot run` (the default), `newsbot worker` and `newsbot web`.
#
#   docker build -t newsbot .
#   docker run -p 8000:8000 -v newsbot-data:/data newsbot
#
# BASE_IMAGE: any Debian bookworm image with python3 (3.11) and its venv module. The
# default is the official slim image; machines without a registry build on a local one
# (scripts/container-base.sh).
ARG BASE_IMAGE=python:3.11-slim-bookworm

# ---------------------------------------------------------------- deps: the virtualenv
# Changes only with the lock file, so a new version of newsbot reuses this layer.
FROM ${BASE_IMAGE} AS deps
WORKDIR /src
RUN python3 -m venv /opt/venv
COPY requirements.lock ./
RUN /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check \
      -r requirements.lock

# ---------------------------------------------------------------- build: newsbot itself
# Installed under /opt/app laid out like the venv, so the runtime adds it as one small layer
# (the package, its console script, and the bundled templates in share/newsbot/templates).
FROM deps AS build
COPY pyproject.toml README.md ./
COPY templates ./templates
COPY bot ./bot
RUN /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check \
      --no-deps --root /opt/app .

# ---------------------------------------------------------------- runtime
FROM ${BASE_IMAGE} AS runtime
# A fixed numeric id, so volume ownership and `runAsNonRoot` checks do not depend on names.
# /app/data -> /data: the default database (sqlite:///data/newsbot.db, relative to the
# working directory) lands in the volume without setting NEWSBOT_DATABASE_URL, so a first
# `docker run` still gets the bundled example feed (added only when that is unset).
RUN groupadd --gid 10001 newsbot \
    && useradd --uid 10001 --gid 10001 --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin newsbot \
    && mkdir -p /data /app \
    && chown 10001:10001 /data \
    && ln -s /data /app/data
# the dependencies first: they change least often
COPY --from=deps /opt/venv /opt/venv
COPY scripts/container-entrypoint.sh /usr/local/bin/newsbot-entrypoint
COPY --from=build /opt/app/ /
WORKDIR /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    NEWSBOT_DATA_DIR=/data \
    NEWSBOT_WEB__HOST=0.0.0.0 \
    NEWSBOT_WEB__PORT=8000
VOLUME ["/data"]
USER 10001:10001
EXPOSE 8000
# No curl in the image; the venv's Python asks the app itself, on whatever port it serves.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('NEWSBOT_WEB__PORT', '8000'), timeout=4)"]
ENTRYPOINT ["newsbot-entrypoint"]
CMD ["run"]
