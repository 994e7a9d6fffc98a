# Secondment Mediator: one process that serves HTTP on $PORT and runs the nudge sweep.
#
# Two stages. The first builds wheels of the bot and of everything it needs; the second installs
# them into a clean image, with no compiler, no pip cache and no source tree, and runs as an
# unprivileged user. The SQLite default lives in the /data volume, which that user owns; set
# DATABASE_URL to PostgreSQL in production (compose.yaml, docs/DEPLOYMENT.md).

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot bot
COPY migrations migrations
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=3000 \
    DATABASE_URL=sqlite+aiosqlite:////data/secondments.db
RUN useradd --create-home --uid 10001 bot \
    && mkdir /data \
    && chown bot:bot /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels secondment-mediator \
    && rm -rf /wheels
USER bot
WORKDIR /home/bot
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]
# SIGTERM lets in-flight requests and a sweep under way finish before the process exits.
STOPSIGNAL SIGTERM
CMD ["secondment-bot", "serve"]
