# snp-bot: `snp-bot serve` as a non-root user.
#   docker build -t snp-bot .
#   docker run -p 3978:3978 --env-file snp-bot.env -v snp-data:/home/snp/.local/share/snp-bot snp-bot
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY policy_content ./policy_content
COPY migrations ./migrations
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin snp
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER snp
WORKDIR /home/snp
ENV PYTHONUNBUFFERED=1 PORT=3978
# The embedded database and generated key live here unless SNP_DATABASE_URL points elsewhere.
VOLUME ["/home/snp/.local/share/snp-bot"]
EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=3s \
  CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3978'), timeout=2)"
CMD ["snp-bot", "serve", "--host", "0.0.0.0"]
