package io.dynamobackup.operator.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback HTTP/1.1 proxy in front of the mock Kubernetes API that can misbehave as an API server under load does:
 * be down for a while (connections refused and cut, watches included), and answer 409 Conflict to a fraction of
 * status updates (PUT .../status). It also checks the resourceVersion of status updates, which the mock does not.
 * Plain requests go upstream one per connection ({@code Connection: close}), so that
 * each request is seen; websocket upgrades (watches) are piped as they are.
 */
public final class FaultProxy implements AutoCloseable {

  private static final int MAX_HEAD = 64 * 1024;
  private static final Pattern RESOURCE_VERSION = Pattern.compile("\"resourceVersion\"\\s*:\\s*\"([^\"]*)\"");

  private final ServerSocket server;
  private final int upstreamPort;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    var thread = new Thread(r, "fault-proxy");
    thread.setDaemon(true);
    return thread;
  });
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Random random;
  private volatile boolean down;
  private volatile double statusConflicts;
  private final AtomicInteger conflictsAnswered = new AtomicInteger();
  private final AtomicInteger connectionsRefused = new AtomicInteger();
  private final AtomicInteger staleWritesRefused = new AtomicInteger();
  private final Map<String, Object> statusLocks = new ConcurrentHashMap<>();
  private final HttpClient upstreamClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private FaultProxy(ServerSocket server, int upstreamPort, long seed) {
    this.server = server;
    this.upstreamPort = upstreamPort;
    this.random = new Random(seed);
    threads.execute(this::acceptLoop);
  }

  /** A proxy on a free loopback port to the API on {@code upstreamPort}; faults drawn from {@code seed}. */
  public static FaultProxy start(int upstreamPort, long seed) {
    try {
      var server = new ServerSocket();
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
      return new FaultProxy(server, upstreamPort, seed);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** Down: every open connection is cut and new ones are closed at once, until {@code up()}. */
  public void down() {
    down = true;
    open.forEach(FaultProxy::closeQuietly);
  }

  public void up() {
    down = false;
  }

  /** The fraction (0..1) of PUT .../status requests answered 409 Conflict instead of being forwarded. */
  public void statusConflicts(double fraction) {
    statusConflicts = fraction;
  }

  public int conflictsAnswered() {
    return conflictsAnswered.get();
  }

  /** Status updates refused with 409 because they carried a stale resourceVersion (real conflicts). */
  public int staleWritesRefused() {
    return staleWritesRefused.get();
  }

  public int connectionsRefused() {
    return connectionsRefused.get();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        if (down) {
          connectionsRefused.incrementAndGet();
          closeQuietly(client);
          continue;
        }
        open.add(client);
        threads.execute(() -> serve(client));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket client) {
    Socket upstream = null;
    try (client) {
      InputStream in = client.getInputStream();
      String head = readHead(in);
      if (head == null) {
        return;
      }
      String requestLine = head.substring(0, head.indexOf("\r\n"));
      boolean websocket = head.toLowerCase(Locale.ROOT).contains("\r\nupgrade: websocket");
      if (!websocket && isStatusUpdate(requestLine)) {
        byte[] body = readBody(in, head);
        if (draw() < statusConflicts) {
          conflictsAnswered.incrementAndGet();
          answerConflict(client.getOutputStream(), requestLine);
        } else {
          updateStatusWithOptimisticLocking(client.getOutputStream(), requestLine, body);
        }
        return;
      }
      upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
      open.add(upstream);
      OutputStream toUpstream = upstream.getOutputStream();
      toUpstream.write((websocket ? head + "\r\n" : withConnectionClose(head)).getBytes(StandardCharsets.ISO_8859_1));
      toUpstream.flush();
      // request body (or websocket frames) upstream, in the background; the answer comes back on this thread
      threads.execute(() -> pipe(in, toUpstream));
      InputStream fromUpstream = upstream.getInputStream();
      OutputStream toClient = client.getOutputStream();
      if (!websocket) {
        String responseHead = readHead(fromUpstream);
        if (responseHead == null) {
          return;
        }
        toClient.write(withConnectionClose(responseHead).getBytes(StandardCharsets.ISO_8859_1));
      }
      fromUpstream.transferTo(toClient);
    } catch (IOException e) {
      // cut by down(), or the peer went away: as a real network would
    } finally {
      open.remove(client);
      if (upstream != null) {
        open.remove(upstream);
        closeQuietly(upstream);
      }
    }
  }

  private synchronized double draw() {
    return random.nextDouble();
  }

  private static boolean isStatusUpdate(String requestLine) {
    String[] parts = requestLine.split(" ");
    return parts.length >= 2 && parts[0].equals("PUT") && parts[1].split("\\?")[0].endsWith("/status");
  }

  /** A Kubernetes Status, as the API server answers an update with a stale resourceVersion. */
  private static void answerConflict(OutputStream out, String requestLine) throws IOException {
    String path = requestLine.split(" ")[1].split("\\?")[0];
    String name = path.substring(0, path.length() - "/status".length());
    name = name.substring(name.lastIndexOf('/') + 1);
    String body = """
        {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation cannot be \
        fulfilled on dynamobackups.dynamobackup.io \\"%s\\": the object has been modified; please apply your changes \
        to the latest version and try again","reason":"Conflict","details":{"name":"%s","group":"dynamobackup.io",\
        "kind":"dynamobackups"},"code":409}""".formatted(name, name);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    out.write(("HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.write(bytes);
    out.flush();
  }

  /** One exchange per connection; an h2c upgrade offer (the JDK client makes one) is dropped too. */
  private static String withConnectionClose(String head) {
    var lines = head.split("\r\n");
    var rewritten = new StringBuilder();
    for (String line : lines) {
      String lower = line.toLowerCase(Locale.ROOT);
      if (!lower.startsWith("connection:") && !lower.startsWith("keep-alive:") && !lower.startsWith("upgrade:")
          && !lower.startsWith("http2-settings:")) {
        rewritten.append(line).append("\r\n");
      }
    }
    return rewritten.append("Connection: close\r\n\r\n").toString();
  }

  /** The head of a message up to its blank line, without it; null at end of stream. */
  private static String readHead(InputStream in) throws IOException {
    var head = new ByteArrayOutputStream();
    int matched = 0;
    while (head.size() < MAX_HEAD) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
      if (matched == 4) {
        String text = head.toString(StandardCharsets.ISO_8859_1);
        return text.substring(0, text.length() - 2); // keeps the last header's \r\n
      }
    }
    throw new IOException("message head longer than " + MAX_HEAD + " bytes");
  }

  private static byte[] readBody(InputStream in, String head) throws IOException {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        return in.readNBytes(Integer.parseInt(line.substring(line.indexOf(':') + 1).trim()));
      }
    }
    return new byte[0];
  }

  /**
   * The mock accepts a status update whatever its resourceVersion; an API server answers 409 to a stale one, and the
   * operator relies on that. So the proxy checks the version first, one update per object at a time.
   */
  private void updateStatusWithOptimisticLocking(OutputStream out, String requestLine, byte[] body)
      throws IOException {
    String path = requestLine.split(" ")[1];
    String objectPath = path.split("\\?")[0];
    objectPath = objectPath.substring(0, objectPath.length() - "/status".length());
    Matcher sent = RESOURCE_VERSION.matcher(new String(body, StandardCharsets.UTF_8));
    synchronized (statusLocks.computeIfAbsent(objectPath, k -> new Object())) {
      try {
        HttpResponse<String> current = upstreamClient.send(HttpRequest.newBuilder(upstream(objectPath)).GET()
            .build(), HttpResponse.BodyHandlers.ofString());
        Matcher stored = RESOURCE_VERSION.matcher(current.body());
        if (current.statusCode() == 200 && sent.find() && stored.find() && !sent.group(1).equals(stored.group(1))) {
          staleWritesRefused.incrementAndGet();
          answerConflict(out, requestLine);
          return;
        }
        HttpResponse<byte[]> answer = upstreamClient.send(HttpRequest.newBuilder(upstream(path))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", "application/json").build(),
            HttpResponse.BodyHandlers.ofByteArray());
        out.write(("HTTP/1.1 " + answer.statusCode() + " Status\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + answer.body().length + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
        out.write(answer.body());
        out.flush();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }
  }

  private URI upstream(String path) {
    return URI.create("http://127.0.0.1:" + upstreamPort + path);
  }

  private static void pipe(InputStream from, OutputStream to) {
    try {
      from.transferTo(to);
    } catch (IOException e) {
      // the other direction ended the exchange
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    open.forEach(FaultProxy::closeQuietly);
    threads.shutdownNow();
  }
}
