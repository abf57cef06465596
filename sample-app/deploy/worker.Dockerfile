# The Python worker's image. From the repository's root:
#   docker build -f sample-app/deploy/worker.Dockerfile -t shared-memory-sample-worker .
FROM python:3.12-slim

# The same user id as the application's image: the blocks the application creates are mode 0600.
RUN groupadd --gid 10001 app && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin app

COPY sample-app/python/worker.py /worker/worker.py

USER 10001:10001

# Polls the application for pending jobs over HTTP and attaches to their blocks in the shared /dev/shm. Pass the
# application's address as the command, e.g. `--poll http://app:8080`.
ENTRYPOINT ["python3", "-u", "/worker/worker.py"]
CMD ["--poll", "http://localhost:8080"]
