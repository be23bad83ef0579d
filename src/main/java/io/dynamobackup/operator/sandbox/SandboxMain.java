package io.dynamobackup.operator.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The sandbox jar's entry point: the operator on a mock Kubernetes API and the DynamoDB emulator, on loopback. */
@Command(name = "dynamo-backup-operator-sandbox", mixinStandardHelpOptions = true,
    version = "dynamo-backup-operator-sandbox 0.1.0",
    description = "Runs the operator on the embedded sandbox: a Kubernetes API (validating as an API server does)"
        + " and a DynamoDB backup-API emulator on loopback, with the examples applied and a demo lifecycle. No"
        + " cluster, AWS account or network needed; kubectl works with the kubeconfig it writes.")
public final class SandboxMain implements Callable<Integer> {

  @Option(names = "--sandbox-kubeconfig", defaultValue = "sandbox.kubeconfig",
      description = "Where the sandbox writes its kubeconfig (default: ${DEFAULT-VALUE}).")
  Path kubeconfig;

  @Option(names = "--sandbox-port", defaultValue = "18080",
      description = "Loopback port of the sandbox's Kubernetes API (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--examples", defaultValue = "examples",
      description = "Manifests the sandbox applies at start (default: ${DEFAULT-VALUE}, else the jar's copies).")
  Path examples;

  @Option(names = "--sandbox-metrics-port", defaultValue = "0",
      description = "Loopback port of the sandbox operator's /metrics, /healthz and /readyz (default: a free one,"
          + " printed at start).")
  int metricsPort;

  @Option(names = "--no-demo", description = "Skip the create / AVAILABLE / delete lifecycle the sandbox shows at"
      + " start.")
  boolean noDemo;

  private final CountDownLatch stopped = new CountDownLatch(1);

  public static void main(String[] args) {
    System.exit(new CommandLine(new SandboxMain()).execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    // The sandbox never talks to AWS: no instance-metadata look-ups for a region or credentials.
    System.setProperty("aws.disableEc2Metadata", "true");
    var sandbox = Sandbox.start(new Sandbox.Options(port, kubeconfig, examples, Duration.ofSeconds(3),
        metricsPort));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      sandbox.close();
      stopped.countDown();
    }, "sandbox-shutdown"));
    if (!noDemo) {
      sandbox.runDemo(Duration.ofSeconds(60));
      sandbox.startScheduleDemo();
    }
    System.out.println(sandbox.instructions());
    stopped.await();
    return 0;
  }
}
