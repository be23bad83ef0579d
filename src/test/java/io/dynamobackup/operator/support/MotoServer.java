package io.dynamobackup.operator.support;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/** python's moto_server on a free loopback port, for conformance tests; stopped on close. */
public final class MotoServer implements AutoCloseable {

  private final Process process;
  private final int port;

  private MotoServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  public static MotoServer start() {
    int port = freePort();
    Process process;
    try {
      process = new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", Integer.toString(port))
          .redirectErrorStream(true)
          .redirectOutput(new File(System.getProperty("java.io.tmpdir"), "moto-server-" + port + ".log"))
          .start();
    } catch (IOException e) {
      throw new IllegalStateException("moto_server is not installed or not on PATH; install it with"
          + " `pip install 'moto[server]'` (the conformance tests compare the emulator with it)", e);
    }
    var server = new MotoServer(process, port);
    Awaitility.await("moto_server listening on port " + port)
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> {
          if (!process.isAlive()) {
            throw new IllegalStateException("moto_server exited with " + process.exitValue());
          }
          return server.listening();
        });
    return server;
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  private boolean listening() {
    try (var socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public static int freePort() {
    try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
