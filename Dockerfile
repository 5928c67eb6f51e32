# guize serve in a container: the rule files are mounted (or copied) at /rules.
#   docker build -t guize .
#   docker run -p 8000:8000 -v "$PWD/policies:/rules:ro" guize
# See docs/service.md (limits, health checks, hot reload, authentication at the gateway).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 GUIZE_CACHE_DIR=/var/cache/guize
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN pip install --no-cache-dir '.[serve]' && rm -rf /src \
    && useradd --system --uid 10001 guize && mkdir -p /var/cache/guize && chown guize /var/cache/guize
COPY policies /rules

USER guize
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz')"
CMD ["guize", "serve", "/rules", "--host", "0.0.0.0", "--port", "8000"]
