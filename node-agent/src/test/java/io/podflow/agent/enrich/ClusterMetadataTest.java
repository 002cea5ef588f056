package io.podflow.agent.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.schema.flow.v1.KubernetesIdentity;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterMetadataTest {
  private static final long S = 1_000_000_000L;
  private static final byte[] IP = {10, 1, 0, 9};
  private static final IpKey KEY = IpKey.of(IP);

  private final ClusterMetadata metadata = new ClusterMetadata(Duration.ofMinutes(2));

  @Test
  void anIpBelongsToNobodyBetweenItsOldPodsDeletionAndItsNewPodsCreation() {
    metadata.putPod(pod("old", 100 * S), List.of(IP));
    metadata.deletePod("old", 200 * S);
    metadata.putPod(pod("new", 300 * S), List.of(IP));

    assertThat(name(metadata.podAt(KEY, 150 * S))).isEqualTo("old");
    // Packets in flight just after the deletion are still the old pod's.
    assertThat(name(metadata.podAt(KEY, 204 * S))).isEqualTo("old");
    assertThat(metadata.podAt(KEY, 250 * S)).isNull();
    // The new pod from its creation, allowing for clocks two seconds apart.
    assertThat(name(metadata.podAt(KEY, 299 * S))).isEqualTo("new");
    assertThat(name(metadata.podAt(KEY, 400 * S))).isEqualTo("new");
    assertThat(metadata.podAt(KEY, 50 * S)).isNull();
  }

  @Test
  void aNewPodCreatedBeforeTheOldOneWasDeletedTakesTheIpOnlyFromTheDeletion() {
    // The API server may report the new pod before the old one's deletion reaches the agent.
    metadata.putPod(pod("old", 100 * S), List.of(IP));
    metadata.putPod(pod("new", 199 * S), List.of(IP));
    metadata.deletePod("old", 200 * S);

    assertThat(name(metadata.podAt(KEY, 199 * S + S / 2))).isEqualTo("old");
    assertThat(name(metadata.podAt(KEY, 201 * S))).isEqualTo("new");
  }

  @Test
  void tombstonesArePurgedAfterTheTombstoneTime() {
    metadata.putPod(pod("old", 100 * S), List.of(IP));
    metadata.deletePod("old", 200 * S);
    metadata.purge(200 * S + Duration.ofMinutes(1).toNanos());
    assertThat(name(metadata.podAt(KEY, 150 * S))).isEqualTo("old");
    metadata.purge(200 * S + Duration.ofMinutes(3).toNanos());
    assertThat(metadata.podAt(KEY, 150 * S)).isNull();
    assertThat(metadata.podEntries()).isZero();
  }

  @Test
  void aServiceChangeReplacesItsAddressesAndAnotherServiceOnTheSameBackendShowsThrough() {
    AddressPort backend = AddressPort.of(IP, 8080, 6);
    metadata.putEndpointSlice(
        "shop/web-a", Map.of(backend, new ServicePort("shop", "web", "http")));
    metadata.putEndpointSlice("shop/api-a", Map.of(backend, new ServicePort("shop", "api", "")));
    metadata.removeEndpointSlice("shop/api-a");
    assertThat(metadata.backendOf(KEY, 8080, 6).name()).isEqualTo("web");
    metadata.putEndpointSlice("shop/web-a", Map.of());
    assertThat(metadata.backendOf(KEY, 8080, 6)).isNull();
  }

  private static PodInfo pod(String name, long created) {
    return new PodInfo(
        name,
        KubernetesIdentity.newBuilder().setPodName(name).build(),
        NamedPorts.NONE,
        created,
        Long.MAX_VALUE);
  }

  private static String name(PodInfo pod) {
    return pod == null ? null : pod.identity().getPodName();
  }
}
