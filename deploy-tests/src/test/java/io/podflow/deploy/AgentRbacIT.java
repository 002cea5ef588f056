package io.podflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.podflow.agent.enrich.ClusterMetadata;
import io.podflow.agent.enrich.KubernetesWatcher;
import io.podflow.agent.policies.PolicyPublisher;
import io.podflow.agent.policies.PolicySettings;
import io.podflow.agent.publish.PublisherConfig;
import io.podflow.schema.kafka.PodflowTopic;
import io.podflow.stack.KafkaBroker;
import io.podflow.stack.lab.MockApiServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's ClusterRole grants exactly what its informers use, and its Role exactly what its
 * Lease election uses, in its own namespace: the agent's own KubernetesWatcher and PolicyPublisher
 * run against fabric8's mock API server (and a real Kafka, for the elected publisher), every
 * request they make is recorded and turned into the permission it needs, and that set is compared
 * with the rules deploy/base/agent renders.
 */
class AgentRbacIT {
  @TempDir Path dir;

  @Test
  void theAgentsRolesGrantExactlyWhatItsInformersAndLeaseUse() throws Exception {
    List<ObjectNode> rendered = Kustomize.render(Kustomize.deploy().resolve("base/agent"));
    String namespace = one(rendered, "DaemonSet").at("/metadata/namespace").asText();

    List<ApiRequests.Permission> used = new ArrayList<>();
    try (KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"), Duration.ofSeconds(90));
        MockApiServer api = new MockApiServer();
        KubernetesClient client = api.server().createClient()) {
      kafka.createTopics(
          List.of(
              new NewTopic(PodflowTopic.POLICIES.topic(), 1, (short) 1)
                  .configs(Map.of("cleanup.policy", "compact"))));
      client
          .resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build())
          .create();
      ApiRequests.drain(api.server()); // the test's own requests

      try (KubernetesWatcher watcher =
          new KubernetesWatcher(
                  client, new ClusterMetadata(Duration.ofSeconds(120)), System::nanoTime)
              .start(Duration.ofSeconds(30))) {
        PolicyPublisher publisher =
            new PolicyPublisher(
                    client,
                    new PolicySettings(
                        "lab",
                        "agent-a",
                        PodflowTopic.POLICIES.topic(),
                        namespace,
                        "podflow-policy-publisher",
                        Duration.ofSeconds(3),
                        Duration.ofSeconds(2),
                        Duration.ofMillis(300)),
                    PublisherConfig.of(kafka.bootstrapServers(), dir.resolve("spool")))
                .start();
        try {
          await(publisher::isLeader);
          await(() -> publisher.published() > 0);
          Thread.sleep(1_000); // a few renewals of the Lease
        } finally {
          publisher.close(); // releases the Lease
        }
      }
      used.addAll(ApiRequests.drain(api.server()));
    }

    Set<String> clusterWide = new TreeSet<>();
    Set<String> leases = new TreeSet<>();
    for (ApiRequests.Permission p : used) {
      if (p.resource().equals("leases")) {
        assertThat(p.namespace()).as(p.rule()).isEqualTo(namespace);
        leases.add(p.rule());
      } else {
        assertThat(p.namespace()).as(p.rule() + " is cluster-wide").isEmpty();
        clusterWide.add(p.rule());
      }
    }
    System.out.println("the agent used " + clusterWide + " and, in " + namespace + ", " + leases);
    assertThat(granted(one(rendered, "ClusterRole"))).isEqualTo(clusterWide);
    JsonNode role = one(rendered, "Role");
    assertThat(role.at("/metadata/namespace").asText()).isEqualTo(namespace);
    assertThat(granted(role)).isEqualTo(leases);
    assertThat(one(rendered, "ClusterRoleBinding").at("/subjects/0/namespace").asText())
        .isEqualTo(namespace);
  }

  private static Set<String> granted(JsonNode role) {
    Set<String> rules = new TreeSet<>();
    for (JsonNode rule : role.path("rules")) {
      for (JsonNode group : rule.path("apiGroups")) {
        for (JsonNode resource : rule.path("resources")) {
          for (JsonNode verb : rule.path("verbs")) {
            rules.add(
                new ApiRequests.Permission(group.asText(), resource.asText(), verb.asText(), "")
                    .rule());
          }
        }
      }
    }
    return rules;
  }

  private static JsonNode one(List<ObjectNode> objects, String kind) {
    List<ObjectNode> found =
        objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
    assertThat(found).as(kind).hasSize(1);
    return found.get(0);
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition reached in time").isLessThan(deadline);
      Thread.sleep(100);
    }
  }
}
