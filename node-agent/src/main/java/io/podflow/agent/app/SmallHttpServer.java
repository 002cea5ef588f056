package io.podflow.agent.app;

import io.podflow.agent.DaemonThreads;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 server for GET requests (metrics and probes) that no client can starve: one
 * thread reads every connection's request without blocking and writes every response the same way,
 * so a client that sends its headers slowly, or reads its response slowly, holds a buffer and never
 * a thread; a connection gets {@code timeout} to be served, then is closed.
 *
 * <p>Room is kept for the probes: beyond {@code maxConnections} (or {@code maxPerPeer} from one
 * address) the oldest connection still sending its headers is closed to make room, never one whose
 * request is complete (that one is being answered; if every connection is, the newcomer is closed).
 * Quick routes (the probes) are answered on the loop thread itself, so they need no worker and wait
 * in no queue; the others (a scrape builds its text) go to {@code workers} threads through a queue
 * of {@code maxQueued}, and a request that finds it full is answered 503 at once. One request per
 * connection ({@code Connection: close}), as the kubelet and Prometheus use it.
 */
final class SmallHttpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SmallHttpServer.class);
  private static final int MAX_HEADER_BYTES = 8192;

  /** A response: status, content type and body. */
  record Response(int status, String contentType, byte[] body) {
    static Response text(int status, String body) {
      return new Response(status, "text/plain", body.getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * @param workers threads answering complete requests of the routes that are not quick
   * @param timeout from a connection's accept to its response's last byte
   * @param maxConnections connections held at once
   * @param maxPerPeer connections held at once from one client address
   * @param maxQueued complete requests waiting for a worker; beyond it, 503
   */
  record Limits(int workers, Duration timeout, int maxConnections, int maxPerPeer, int maxQueued) {
    Limits {
      if (workers < 1 || maxConnections < 1 || maxPerPeer < 1 || maxQueued < 1) {
        throw new IllegalArgumentException("HTTP limits must be positive: " + this);
      }
    }

    /**
     * 2 workers, 5 s, 64 connections, 16 from one address (a kubelet, a Prometheus and a person
     * need a handful), 16 requests queued.
     */
    static Limits defaults() {
      return new Limits(2, Duration.ofSeconds(5), 64, 16, 16);
    }
  }

  private final Selector selector;
  private final ServerSocketChannel listener;
  private final Map<String, Supplier<Response>> routes;
  private final Map<String, Supplier<Response>> quickRoutes;
  private final Limits limits;
  private final ExecutorService workers;
  private final Thread loop;

  /** Connections in accept order, the oldest first (evicted first when too many). */
  private final Map<SocketChannel, Connection> connections = new LinkedHashMap<>();

  /** Connections held per client address (the loop thread's only). */
  private final Map<InetAddress, Integer> perPeer = new HashMap<>();

  private final Queue<Connection> answered = new ConcurrentLinkedQueue<>();
  private volatile boolean running = true;

  /** One client connection: its request as it arrives, then its response as it leaves. */
  private static final class Connection {
    final SocketChannel channel;
    final InetAddress peer;
    final long deadline;
    ByteBuffer in = ByteBuffer.allocate(1024);
    ByteBuffer out;

    /** The request is complete: it is being answered, so the connection is never evicted. */
    boolean complete;

    Connection(SocketChannel channel, InetAddress peer, long deadline) {
      this.channel = channel;
      this.peer = peer;
      this.deadline = deadline;
    }
  }

  SmallHttpServer(InetSocketAddress address, Map<String, Supplier<Response>> routes, Limits limits)
      throws IOException {
    this(address, Map.of(), routes, limits);
  }

  /**
   * @param quickRoutes answered on the loop thread: each must be cheap and never block (probes)
   * @param routes answered by the workers
   */
  SmallHttpServer(
      InetSocketAddress address,
      Map<String, Supplier<Response>> quickRoutes,
      Map<String, Supplier<Response>> routes,
      Limits limits)
      throws IOException {
    this.routes = Map.copyOf(routes);
    this.quickRoutes = Map.copyOf(quickRoutes);
    this.limits = limits;
    this.selector = Selector.open();
    this.listener = ServerSocketChannel.open();
    try {
      listener.bind(address, 64);
      listener.configureBlocking(false);
      listener.register(selector, SelectionKey.OP_ACCEPT);
    } catch (IOException e) {
      listener.close();
      selector.close();
      throw e;
    }
    this.workers =
        new ThreadPoolExecutor(
            limits.workers(),
            limits.workers(),
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(limits.maxQueued()),
            DaemonThreads.named("podflow-http-worker"));
    this.loop = DaemonThreads.named("podflow-http").newThread(this::run);
  }

  SmallHttpServer start() {
    loop.start();
    return this;
  }

  InetSocketAddress address() {
    try {
      return (InetSocketAddress) listener.getLocalAddress();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    running = false;
    selector.wakeup();
    try {
      loop.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    workers.shutdownNow();
  }

  private void run() {
    try (selector;
        listener) {
      while (running) {
        selector.select(Math.max(10, limits.timeout().toMillis() / 4));
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
          SelectionKey key = keys.next();
          keys.remove();
          if (!key.isValid()) {
            continue;
          }
          if (key.isAcceptable()) {
            accept();
          } else if (key.isReadable()) {
            read((Connection) key.attachment());
          } else if (key.isWritable()) {
            write((Connection) key.attachment());
          }
        }
        for (Connection c; (c = answered.poll()) != null; ) {
          write(c);
        }
        expire(System.nanoTime());
      }
    } catch (IOException | RuntimeException e) {
      LOG.error("HTTP server stopped: {}", e.toString());
    } finally {
      connections.keySet().forEach(SmallHttpServer::closeQuietly);
      connections.clear();
    }
  }

  /**
   * Takes new connections, at most a quarter of {@code maxConnections} per turn of the loop: the
   * requests of those taken are read before more can push them out.
   */
  private void accept() throws IOException {
    int turn = Math.max(1, limits.maxConnections() / 4);
    SocketChannel channel;
    while (turn-- > 0 && (channel = listener.accept()) != null) {
      InetAddress peer;
      try {
        peer = ((InetSocketAddress) channel.getRemoteAddress()).getAddress();
      } catch (IOException e) {
        closeQuietly(channel); // reset before it was taken
        continue;
      }
      // The oldest connection still sending its headers is the likeliest to be a client that
      // never finishes; one whose request is complete is being answered and stays.
      if (perPeer.getOrDefault(peer, 0) >= limits.maxPerPeer() && !evictReading(peer)
          || connections.size() >= limits.maxConnections() && !evictReading(null)) {
        closeQuietly(channel);
        continue;
      }
      channel.configureBlocking(false);
      Connection c = new Connection(channel, peer, System.nanoTime() + limits.timeout().toNanos());
      channel.register(selector, SelectionKey.OP_READ, c);
      connections.put(channel, c);
      perPeer.merge(peer, 1, Integer::sum);
    }
  }

  /** Closes the oldest connection (of {@code peer}, or any) still reading; false if none is. */
  private boolean evictReading(InetAddress peer) {
    for (Connection c : connections.values()) {
      if (!c.complete && (peer == null || peer.equals(c.peer))) {
        close(c.channel);
        return true;
      }
    }
    return false;
  }

  private void read(Connection c) {
    try {
      if (!c.in.hasRemaining()) {
        if (c.in.capacity() >= MAX_HEADER_BYTES) {
          c.channel.keyFor(selector).interestOps(0);
          c.complete = true;
          respond(c, Response.text(431, "request headers too large\n"));
          return;
        }
        ByteBuffer bigger = ByteBuffer.allocate(c.in.capacity() * 2);
        c.in.flip();
        c.in = bigger.put(c.in);
      }
      if (c.channel.read(c.in) < 0) {
        close(c.channel);
        return;
      }
      String head = headersIfComplete(c.in);
      if (head == null) {
        return;
      }
      c.channel.keyFor(selector).interestOps(0);
      c.complete = true;
      String[] requestLine = head.substring(0, head.indexOf('\r')).split(" ");
      if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.")) {
        respond(c, Response.text(400, "bad request\n"));
      } else if (!"GET".equals(requestLine[0])) {
        respond(c, Response.text(405, "GET only\n"));
      } else {
        String path = requestLine[1];
        int query = path.indexOf('?');
        String route = query < 0 ? path : path.substring(0, query);
        Supplier<Response> quick = quickRoutes.get(route);
        Supplier<Response> work = routes.get(route);
        if (quick != null) {
          respond(c, responseOf(quick));
        } else if (work == null) {
          respond(c, Response.text(404, "not found\n"));
        } else {
          try {
            workers.execute(() -> answer(c, work));
          } catch (RejectedExecutionException e) {
            respond(c, Response.text(503, "busy, try again\n"));
          }
        }
      }
    } catch (IOException e) {
      close(c.channel);
    }
  }

  /** On a worker: the route's response, handed back to the loop to be written. */
  private void answer(Connection c, Supplier<Response> route) {
    if (!c.channel.isOpen()) {
      return; // expired while queued: no one is waiting for this answer
    }
    c.out = encode(responseOf(route));
    answered.add(c);
    selector.wakeup();
  }

  private static Response responseOf(Supplier<Response> route) {
    try {
      return route.get();
    } catch (RuntimeException e) {
      LOG.warn("HTTP handler failed: {}", e.toString());
      return Response.text(500, "internal error\n");
    }
  }

  private void respond(Connection c, Response response) {
    c.out = encode(response);
    write(c);
  }

  private void write(Connection c) {
    if (!c.channel.isOpen()) {
      return;
    }
    try {
      c.channel.write(c.out);
      if (c.out.hasRemaining()) {
        c.channel.keyFor(selector).interestOps(SelectionKey.OP_WRITE);
      } else {
        close(c.channel);
      }
    } catch (IOException e) {
      close(c.channel);
    }
  }

  private void expire(long now) {
    Queue<SocketChannel> late = new ArrayDeque<>();
    for (Connection c : connections.values()) {
      if (now - c.deadline >= 0) {
        late.add(c.channel);
      }
    }
    late.forEach(this::close);
  }

  private void close(SocketChannel channel) {
    Connection c = connections.remove(channel);
    if (c != null) {
      perPeer.computeIfPresent(c.peer, (peer, n) -> n > 1 ? n - 1 : null);
    }
    closeQuietly(channel);
  }

  private static void closeQuietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // closing: nothing left to tell the client
    }
  }

  /** The request line and headers once the blank line after them has arrived, else null. */
  private static String headersIfComplete(ByteBuffer in) {
    int end = in.position();
    for (int i = 3; i < end; i++) {
      if (in.get(i) == '\n' && in.get(i - 1) == '\r' && in.get(i - 2) == '\n') {
        return new String(in.array(), 0, i + 1, StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  private static ByteBuffer encode(Response r) {
    String head =
        "HTTP/1.1 "
            + r.status()
            + " "
            + reason(r.status())
            + "\r\nContent-Type: "
            + r.contentType()
            + "\r\nContent-Length: "
            + r.body().length
            + "\r\nConnection: close\r\n\r\n";
    byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer out = ByteBuffer.allocate(h.length + r.body().length);
    return out.put(h).put(r.body()).flip();
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 400 -> "Bad Request";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 431 -> "Request Header Fields Too Large";
      case 503 -> "Service Unavailable";
      default -> "Internal Server Error";
    };
  }
}
