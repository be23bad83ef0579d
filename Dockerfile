# The operator image: a JRE and the operator jar (without the sandbox), running as a non-root user.
# Build: mvn -B -DskipTests package && docker build -t ghcr.io/dynamobackup/dynamo-backup-operator:0.1.0 .
FROM eclipse-temurin:17.0.15_6-jre
COPY target/dynamo-backup-operator.jar /opt/dynamo-backup-operator/operator.jar
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/dynamo-backup-operator/operator.jar"]
