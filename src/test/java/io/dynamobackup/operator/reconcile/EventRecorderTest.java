package io.dynamobackup.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dynamobackup.operator.sandbox.SandboxCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Events are written in the order they were emitted; when the API server does not keep up, only a few reconciles wait
 * for theirs, at most the queue's worth waits, and the rest are dropped.
 */
class EventRecorderTest {

  static final ConfigMap OBJECT = new ConfigMapBuilder().withNewMetadata().withName("subject")
      .withNamespace("default").withUid("uid-1").endMetadata().build();

  @Test
  void eventsAreWrittenInTheOrderTheyWereEmitted() {
    try (var cluster = SandboxCluster.start(0); KubernetesClient client = cluster.newClient()) {
      var events = new EventRecorder(Clock.systemUTC());
      for (int i = 0; i < 20; i++) {
        events.normal(client, OBJECT, "Step" + i, "step " + i);
      }
      events.warning(client, OBJECT, "Last", "the last one");
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
          client.v1().events().inNamespace("default").list().getItems()).hasSize(21));
      List<Event> written = new ArrayList<>(client.v1().events().inNamespace("default").list().getItems());
      written.sort(java.util.Comparator.comparing(e -> Long.parseLong(e.getMetadata().getResourceVersion())));
      assertThat(written).extracting(Event::getReason).startsWith("Step0", "Step1", "Step2").endsWith("Last");
      assertThat(written.get(20).getType()).isEqualTo("Warning");
      assertThat(written).allSatisfy(e -> assertThat(e.getInvolvedObject().getUid()).isEqualTo("uid-1"));
    }
  }

  @Test
  void aFailedWriteNeverReachesTheEmitterNorStopsTheWriter() {
    try (var cluster = SandboxCluster.start(0); KubernetesClient client = cluster.newClient()) {
      var events = new EventRecorder(Clock.systemUTC());
      KubernetesClient closed = cluster.newClient();
      closed.close(); // an Event that outlived its operator's client
      for (int i = 0; i < 10; i++) {
        events.normal(closed, OBJECT, "Lost" + i, "lost " + i);
      }
      events.normal(client, OBJECT, "Written", "written after the failures");
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
          client.v1().events().inNamespace("default").list().getItems()).extracting(Event::getReason)
          .containsExactly("Written"));
    }
  }

  @Test
  void anApiServerThatDoesNotAnswerHoldsUpOnlyAFewEmittersAndTheQueueIsBounded() throws Exception {
    // a loopback server that accepts connections and never answers: every Event write hangs
    try (var silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
      var acceptor = new Thread(() -> {
        try {
          while (!silent.isClosed()) {
            accepted.add(silent.accept());
          }
        } catch (java.io.IOException closed) {
          // the test is over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      var config = new ConfigBuilder().withMasterUrl("http://127.0.0.1:" + silent.getLocalPort())
          .withRequestTimeout(60_000).withRequestRetryBackoffLimit(0).build();
      try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
        var events = new EventRecorder(Clock.systemUTC(), 3);
        // the first reconciles write their Events themselves, and hang with them
        for (int i = 0; i < EventRecorder.INLINE; i++) {
          int n = i;
          var emitter = new Thread(() -> events.normal(client, OBJECT, "Inline" + n, "inline " + n));
          emitter.setDaemon(true);
          emitter.start();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> accepted.size() == EventRecorder.INLINE);
        long start = System.nanoTime();
        for (int i = 0; i < 50; i++) {
          events.normal(client, OBJECT, "Step" + i, "step " + i);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the next reconciles are not held up")
            .isLessThan(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(10)).until(() -> accepted.size() == EventRecorder.INLINE + 1);
        assertThat(events.waiting()).as("one being written, three waiting; the rest dropped").isEqualTo(4);
      }
    }
  }
}
