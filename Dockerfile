# Secondment Mediator: one process that serves HTTP on $PORT and runs the nudge sweep.
# Untested here: Docker cannot run on the machines this was written on (see docs/DEPLOYMENT.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=3000

WORKDIR /app
RUN useradd --create-home --uid 10001 bot

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
COPY bot/__init__.py bot/__init__.py
RUN pip install --no-cache-dir .

COPY alembic.ini app.py ./
COPY migrations migrations
COPY bot bot
RUN pip install --no-cache-dir --no-deps .

USER bot
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"
# SIGTERM lets in-flight requests and a sweep under way finish before the process exits.
STOPSIGNAL SIGTERM
CMD ["python", "app.py"]
