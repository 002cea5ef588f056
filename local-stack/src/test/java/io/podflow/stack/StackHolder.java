package io.podflow.stack;

/**
 * Runs in a JVM of its own for {@link ProcessCleanupIT}: starts the stack, prints the pids of its
 * servers and its directory, then waits to be signalled.
 */
public final class StackHolder {
  private StackHolder() {}

  public static void main(String[] args) throws InterruptedException {
    LocalStack stack = LocalStack.start(LocalStack.Options.defaults());
    Runtime.getRuntime().addShutdownHook(new Thread(stack::close));
    StringBuilder pids = new StringBuilder();
    ProcessHandle.current().children().forEach(child -> pids.append(child.pid()).append(' '));
    System.out.println("READY " + stack.dir() + " " + pids.toString().trim());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
