# The sample application's image. Build the jar first, then the image, from the repository's root:
#   ./mvnw -q -pl sample-app -am package -DskipTests
#   docker build -f sample-app/deploy/app.Dockerfile -t shared-memory-sample-app .
FROM eclipse-temurin:17-jre

# The worker's image runs as the same user id: blocks are created with mode 0600, so only that user can attach.
RUN groupadd --gid 10001 app && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin app

COPY sample-app/target/shared-memory-sample-app-*.jar /app/app.jar

USER 10001:10001
EXPOSE 8080

# The JVM is process 1 of the container: it handles SIGTERM, so `docker stop` and Kubernetes run Spring's shutdown,
# which unlinks the application's blocks. The worker runs in a container of its own (worker.Dockerfile).
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
CMD ["--sample.worker.enabled=false"]
