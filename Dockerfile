# SafeGround application image. The database is a separate PostGIS service (see docker-compose.yml).
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 safeground

WORKDIR /app
# installed in place (-e) so that migrations/ and var/ sit beside the code
COPY pyproject.toml README.md alembic.ini ./
COPY webapp ./webapp
COPY geo ./geo
COPY migrations ./migrations
RUN pip install --no-cache-dir -e . \
 && mkdir -p /app/var && chown safeground:safeground /app/var

USER safeground
ENV SAFEGROUND_HOST=0.0.0.0 \
    SAFEGROUND_PORT=5000 \
    SAFEGROUND_DATA_DIR=/app/var
EXPOSE 5000
CMD ["safeground", "serve", "--no-migrate"]
