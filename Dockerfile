# kustomer-mock as a service: docker build -t kustomer-mock . (or: docker compose up -d --wait)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY setup.cfg pyproject.toml README.md ./
COPY mock_server ./mock_server
# the redis extra: replicas and `--workers N` share their orgs through --store redis://...
RUN pip install '.[redis]' && useradd --create-home --uid 10001 mock
USER mock
WORKDIR /home/mock

EXPOSE 7700
# slim has no curl: the health check is Python's own urllib
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=10 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:7700/__admin/health', timeout=2)"]
# Listening on every address needs KUSTOMER_MOCK_ADMIN_TOKEN (or KUSTOMER_MOCK_INSECURE_ADMIN=1): it refuses otherwise.
CMD ["kustomer-mock", "serve", "--host", "0.0.0.0", "--port", "7700"]
