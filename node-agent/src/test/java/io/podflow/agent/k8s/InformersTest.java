package io.podflow.agent.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.podflow.stack.lab.MockApiServer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Informers started against fabric8's mock API server in CRUD mode. */
class InformersTest {
  private MockApiServer api;
  private KubernetesClient client;

  @BeforeEach
  void cluster() {
    api = new MockApiServer();
    client = api.server().createClient();
    for (int i = 0; i < 40; i++) {
      client
          .resource(
              new NamespaceBuilder().withNewMetadata().withName("ns-" + i).endMetadata().build())
          .create();
    }
  }

  @AfterEach
  void close() {
    client.close();
    api.close();
  }

  @Test
  void returnsOnlyOnceTheHandlerWasGivenEveryListedObject() throws Exception {
    AtomicInteger added = new AtomicInteger();
    try (SharedIndexInformer<Namespace> informer = client.namespaces().runnableInformer(0)) {
      Informers.startAndSync(
          informer,
          handler(
              () -> {
                sleep(2); // a slow handler: the list is in the store long before it is handled
                added.incrementAndGet();
              }),
          Duration.ofSeconds(30));
      assertThat(added).hasValue(40);
    }
  }

  @Test
  void aHandlerThatDoesNotCatchUpInTimeFailsTheStartNamingTheKind() {
    CountDownLatch release = new CountDownLatch(1);
    try (SharedIndexInformer<Namespace> informer = client.namespaces().runnableInformer(0)) {
      assertThatThrownBy(
              () ->
                  Informers.startAndSync(
                      informer, handler(() -> await(release)), Duration.ofMillis(500)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("the Namespace informer did not catch up");
    } finally {
      release.countDown();
    }
  }

  private static ResourceEventHandler<Namespace> handler(Runnable onAdd) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Namespace obj) {
        onAdd.run();
      }

      @Override
      public void onUpdate(Namespace oldObj, Namespace newObj) {}

      @Override
      public void onDelete(Namespace obj, boolean deletedFinalStateUnknown) {}
    };
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
