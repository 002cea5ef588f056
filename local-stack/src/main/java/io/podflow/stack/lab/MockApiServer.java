package io.podflow.stack.lab;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/** fabric8's mock Kubernetes API server in CRUD mode, on loopback, quiet. */
public final class MockApiServer implements AutoCloseable {
  // The mock server logs every request through java.util.logging; held so the level sticks.
  private static final Logger MOCK_LOG = quiet("io.fabric8.mockwebserver");

  private final KubernetesMockServer server =
      new KubernetesMockServer(
          new Context(),
          new MockWebServer(),
          new HashMap<>(),
          new KubernetesCrudDispatcher(),
          false);

  public MockApiServer() {
    server.init(InetAddress.getLoopbackAddress(), 0);
  }

  public KubernetesMockServer server() {
    return server;
  }

  public int port() {
    return server.getPort();
  }

  /**
   * Stops in the background: the mock server can block for a minute closing a watch whose last
   * event it is still sending (its event loop waits for its event thread, which waits for the
   * loop), and nothing a test checks depends on it.
   */
  @Override
  public void close() {
    Thread stop = new Thread(server::destroy, "mock-api-server-shutdown");
    stop.setDaemon(true);
    stop.start();
  }

  private static Logger quiet(String name) {
    Logger logger = Logger.getLogger(name);
    logger.setLevel(Level.WARNING);
    return logger;
  }
}
