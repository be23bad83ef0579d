package io.dynamobackup.operator.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynamobackup.operator.support.OperatorHarness;
import io.javaoperatorsdk.operator.RuntimeInfo;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HealthServerTest {

  @RegisterExtension
  static final OperatorHarness harness = OperatorHarness.create();

  final HttpClient http = HttpClient.newHttpClient();

  @Test
  void readyOnlyOnceTheOperatorRunsWithHealthyInformersAndAliveAllAlong() throws Exception {
    AtomicReference<RuntimeInfo> runtime = new AtomicReference<>();
    try (var health = HealthServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), runtime::get)) {
      assertThat(get(health, "/healthz").statusCode()).isEqualTo(200);
      var notYet = get(health, "/readyz");
      assertThat(notYet.statusCode()).isEqualTo(503);
      assertThat(notYet.body()).contains("not started");

      runtime.set(harness.operator().getRuntimeInfo());

      assertThat(get(health, "/readyz").statusCode()).isEqualTo(200);
      assertThat(get(health, "/healthz").body()).isEqualTo("ok\n");
    }
  }

  HttpResponse<String> get(HealthServer health, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + health.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
