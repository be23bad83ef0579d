package io.dynamobackup.operator.build;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two jars `mvn package` builds: the operator's (what the image runs in production clusters) carries no sandbox,
 * no mock server and no test library; the sandbox's carries them all and starts the sandbox.
 */
class OperatorArtifactIT {

  static final Path OPERATOR_JAR = Path.of("target", "dynamo-backup-operator.jar");
  static final Path SANDBOX_JAR = Path.of("target", "dynamo-backup-operator-sandbox.jar");

  /** The sandbox, the mock Kubernetes API and everything only they bring in (Vert.x, Netty, BouncyCastle, CEL). */
  static final List<String> SANDBOX_ONLY = List.of("io/dynamobackup/operator/sandbox/", "io/fabric8/mockwebserver/",
      "io/fabric8/kubernetes/client/server/mock/", "okhttp3/", "io/vertx/", "io/netty/", "org/bouncycastle/",
      "dev/cel/", "com/google/protobuf/", "examples/");

  @Test
  void operatorJarCarriesNoSandboxPackage() throws IOException {
    List<String> entries = entries(OPERATOR_JAR);

    assertThat(entries).contains("io/dynamobackup/operator/Main.class",
        "io/dynamobackup/operator/reconcile/backup/DynamoBackupReconciler.class", "io/fabric8/kubernetes/client/Config.class");
    assertThat(entries.stream().filter(e -> SANDBOX_ONLY.stream().anyMatch(e::startsWith)).limit(20))
        .as("sandbox-only entries in %s", OPERATOR_JAR)
        .isEmpty();
    assertThat(mainClass(OPERATOR_JAR)).isEqualTo(Main.class.getName());
  }

  @Test
  void sandboxJarCarriesTheSandboxTheMockAndCel() throws IOException {
    List<String> entries = entries(SANDBOX_JAR);

    assertThat(entries).contains("io/dynamobackup/operator/sandbox/SandboxMain.class",
        "io/fabric8/kubernetes/client/server/mock/KubernetesMockServer.class", "dev/cel/runtime/CelRuntime.class",
        "io/dynamobackup/operator/Main.class", "examples/dynamobackup.yaml");
    assertThat(mainClass(SANDBOX_JAR)).isEqualTo("io.dynamobackup.operator.sandbox.SandboxMain");
  }

  @Test
  void operatorJarWithNoClusterExitsWithOneLineNamingTheSandboxCommand(@TempDir Path home) throws Exception {
    var builder = new ProcessBuilder("java", "-Duser.home=" + home, "-jar", OPERATOR_JAR.toAbsolutePath().toString())
        .directory(home.toFile())
        .redirectErrorStream(true);
    builder.environment().keySet().removeIf(key -> key.startsWith("KUBE") || key.equals("JAVA_TOOL_OPTIONS"));
    builder.environment().put("HOME", home.toString());
    Process process = builder.start();
    process.getOutputStream().close();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the operator jar did not exit by itself within 60 s");
    }
    List<String> output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
        .toList();
    assertThat(process.exitValue()).isNotZero();
    assertThat(output).hasSize(1);
    assertThat(output.get(0)).contains("no Kubernetes cluster configured",
        "mvn -B -DskipTests package && java -jar target/dynamo-backup-operator-sandbox.jar");
  }

  static List<String> entries(Path jar) throws IOException {
    assertThat(jar).as("built by mvn package").exists();
    try (var file = new JarFile(jar.toFile())) {
      return Collections.list(file.entries()).stream().map(ZipEntry::getName).toList();
    }
  }

  static String mainClass(Path jar) throws IOException {
    try (var file = new JarFile(jar.toFile())) {
      return file.getManifest().getMainAttributes().getValue("Main-Class");
    }
  }
}
