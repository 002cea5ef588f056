package io.podflow.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real servers podflow runs against, on loopback: a Kafka broker and an OpenSearch node,
 * started together (in parallel) and stopped together. Their data and logs live in one directory,
 * removed on {@link #close()} unless the stack was asked to keep it.
 */
public final class LocalStack implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

  private final Path dir;
  private final boolean keepData;
  private final KafkaBroker kafka;
  private final OpenSearchNode openSearch;
  private boolean closed;

  private LocalStack(Path dir, boolean keepData, KafkaBroker kafka, OpenSearchNode openSearch) {
    this.dir = dir;
    this.keepData = keepData;
    this.kafka = kafka;
    this.openSearch = openSearch;
  }

  /** What to start and where. */
  public record Options(Path dir, boolean keepData, Duration startTimeout) {
    public Options {
      if (startTimeout.isNegative() || startTimeout.isZero()) {
        throw new IllegalArgumentException("startTimeout must be positive");
      }
    }

    /** A fresh temporary directory, removed on close, and 180 s to start. */
    public static Options defaults() {
      try {
        return new Options(
            Files.createTempDirectory("podflow-stack-"), false, Duration.ofSeconds(180));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  public static LocalStack start(Options options) {
    long started = System.nanoTime();
    Path dir = options.dir();
    try {
      Files.createDirectories(dir);
      // OpenSearch's user must be able to reach its own folder below this one.
      dir.toFile().setExecutable(true, false);
      dir.toFile().setReadable(true, false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    CompletableFuture<KafkaBroker> kafka =
        CompletableFuture.supplyAsync(
            () -> KafkaBroker.start(dir.resolve("kafka"), options.startTimeout()));
    CompletableFuture<OpenSearchNode> openSearch =
        CompletableFuture.supplyAsync(
            () -> OpenSearchNode.start(dir.resolve("opensearch"), options.startTimeout()));
    try {
      LocalStack stack = new LocalStack(dir, options.keepData(), kafka.join(), openSearch.join());
      LOG.info(
          "local stack up in {} ms: Kafka {}, OpenSearch {}",
          (System.nanoTime() - started) / 1_000_000,
          stack.kafka.bootstrapServers(),
          stack.openSearch.httpUri());
      return stack;
    } catch (CompletionException e) {
      kafka.thenAccept(KafkaBroker::close);
      openSearch.thenAccept(OpenSearchNode::close);
      if (!options.keepData()) {
        deleteTree(dir);
      }
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  public KafkaBroker kafka() {
    return kafka;
  }

  public OpenSearchNode openSearch() {
    return openSearch;
  }

  public Path dir() {
    return dir;
  }

  /** Stops both servers and removes the data unless kept; later calls do nothing. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    CompletableFuture.allOf(
            CompletableFuture.runAsync(kafka::close), CompletableFuture.runAsync(openSearch::close))
        .join();
    if (!keepData) {
      deleteTree(dir);
    }
  }

  /** Deletes {@code root} and everything under it (a test's node directory). */
  public static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              Files.delete(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      LOG.warn("could not remove {}: {}", root, e.toString());
    }
  }
}
