package io.podflow.agent.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one way the agent starts a fabric8 informer: its handler added, then started, and waited for
 * until what exists has been listed and handed to the handler. Both the enrichment's watcher and
 * the policy publisher rely on this: the watcher is ready only once its metadata holds what was
 * listed, and the publisher reconciles the topic only once everything listed has been sent.
 */
public final class Informers {
  /** How long an informer may take to list what exists and hand it all to its handler. */
  public static final Duration SYNC_TIMEOUT = Duration.ofSeconds(120);

  private Informers() {}

  /**
   * Adds the handler, starts the informer and waits until the handler has been given every object
   * of the first list.
   *
   * @throws IllegalStateException when the list fails, or the list and its hand-over take longer
   *     than {@code timeout} together
   */
  public static <T extends HasMetadata> void startAndSync(
      SharedIndexInformer<T> informer, ResourceEventHandler<T> handler, Duration timeout)
      throws InterruptedException {
    AtomicLong added = new AtomicLong();
    informer.addEventHandler(
        new ResourceEventHandler<T>() {
          @Override
          public void onAdd(T obj) {
            handler.onAdd(obj);
            added.incrementAndGet();
          }

          @Override
          public void onUpdate(T oldObj, T newObj) {
            handler.onUpdate(oldObj, newObj);
          }

          @Override
          public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            handler.onDelete(obj, deletedFinalStateUnknown);
          }
        });
    String kind = informer.getApiTypeClass().getSimpleName();
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      informer.start().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "cannot list and watch the API server (" + kind + "s): " + e.getMessage(), e);
    }
    // The list is in the informer's store; its handlers run on their own thread and may not have
    // seen it yet. Synced means the handler has been given what was listed.
    long listed = informer.getStore().list().size();
    while (added.get() < listed) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the " + kind + " informer did not catch up");
      }
      Thread.sleep(5);
    }
  }
}
