# The peer-support image: `docker build -t peer-support .`
# One image for every process, chosen by argument: `web` (the default), `worker`, `db upgrade`.
# No secret and no .env is baked in (see .dockerignore): settings come from the environment and
# secrets from mounted files (NAME_FILE, e.g. ENCRYPTION_KEYS_FILE=/run/secrets/encryption_keys).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: wheels of the app and of every dependency ----------------------------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY config ./config
COPY handlers ./handlers
COPY models ./models
COPY scheduler ./scheduler
RUN pip wheel --wheel-dir /wheels .

# --- runtime: the wheels installed on a slim Python, run by a fixed non-root user ------------
FROM ${PYTHON_IMAGE} AS runtime
ARG APP_UID=10001
LABEL org.opencontainers.image.title="peer-support" \
      org.opencontainers.image.description="Confidential peer support for health and care workers, on Slack and Microsoft Teams."
RUN groupadd --system --gid "${APP_UID}" peer \
    && useradd --system --uid "${APP_UID}" --gid peer --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin peer
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels /wheels/peer_support-*.whl \
    && rm -rf /wheels
WORKDIR /app
# Production defaults: JSON logs for the collector; ENCRYPTION_KEYS (or _FILE) is required.
# Matplotlib (the report chart) keeps its cache in /tmp, the only place written to.
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    ENVIRONMENT=production \
    LOG_FORMAT=json \
    HOST=0.0.0.0 \
    PORT=3000 \
    MPLCONFIGDIR=/tmp/matplotlib
USER ${APP_UID}:${APP_UID}
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "bot.probe"]
ENTRYPOINT ["peer-support"]
CMD ["web"]
