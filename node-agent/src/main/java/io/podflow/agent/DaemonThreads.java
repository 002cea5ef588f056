package io.podflow.agent;

import java.util.concurrent.ThreadFactory;

/** Threads of the agent's background work, named for thread dumps, never keeping the JVM up. */
public final class DaemonThreads {
  private DaemonThreads() {}

  public static ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
