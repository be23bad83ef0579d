package io.dynamobackup.operator.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The built jar as a separate operator process, configured the production way: environment and kubeconfig. */
public final class OperatorProcess implements AutoCloseable {

  private final Map<String, String> environment;
  private java.util.List<String> jvmOptions = java.util.List.of("-Xmx256m");
  private final Path workDir;
  private Process process;
  private int starts;

  public OperatorProcess(Path workDir, Map<String, String> environment) {
    this.workDir = workDir;
    this.environment = new HashMap<>(environment);
  }

  /** JVM options of the next start (default: -Xmx256m). */
  public OperatorProcess jvmOptions(String... options) {
    jvmOptions = java.util.List.of(options);
    return this;
  }

  public long pid() {
    return process.pid();
  }

  public void start() throws IOException {
    Path jar = Path.of("target", "dynamo-backup-operator.jar").toAbsolutePath();
    var command = new java.util.ArrayList<String>();
    command.add("java");
    command.addAll(jvmOptions);
    command.addAll(java.util.List.of("-jar", jar.toString()));
    var builder = new ProcessBuilder(command)
        .directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(workDir.toFile(), "operator.log")));
    builder.environment().keySet().removeIf(key -> key.startsWith("AWS_") || key.startsWith("KUBE"));
    builder.environment().put("HOME", workDir.toString());
    builder.environment().put("AWS_EC2_METADATA_DISABLED", "true");
    builder.environment().put("HEALTH_PORT", "0"); // no listener on all interfaces from tests
    builder.environment().putAll(environment);
    process = builder.start();
    starts++;
  }

  /** kill -9: no shutdown hook runs, in-flight calls are cut off. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, as the kubelet sends it: the exit code, or empty when the process did not exit within the timeout. */
  public java.util.OptionalInt terminate(java.time.Duration timeout) throws InterruptedException {
    process.destroy();
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
        ? java.util.OptionalInt.of(process.exitValue()) : java.util.OptionalInt.empty();
  }

  public boolean alive() {
    return process != null && process.isAlive();
  }

  public int starts() {
    return starts;
  }

  public Path log() {
    return workDir.resolve("operator.log");
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }
}
