# One image for all three services; compose picks the service by command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY shared ./shared
COPY services ./services
RUN pip install --no-compile . && useradd --system --uid 10001 snx
USER snx

EXPOSE 8001 8002 8003
CMD ["snx", "--help"]
