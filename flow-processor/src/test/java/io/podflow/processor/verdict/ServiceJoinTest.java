package io.podflow.processor.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.podflow.schema.flow.v1.Endpoint;
import io.podflow.schema.flow.v1.EndpointKind;
import io.podflow.schema.flow.v1.FlowRecord;
import io.podflow.schema.flow.v1.KubernetesIdentity;
import io.podflow.schema.flow.v1.ObservationPoint;
import io.podflow.schema.flow.v1.Reporter;
import org.junit.jupiter.api.Test;

class ServiceJoinTest {
  private static final long SECOND = 1_000_000_000L;

  private final FlowRecord toService =
      record(
          Reporter.REPORTER_SOURCE,
          endpoint(96, 80)
              .setKubernetes(
                  KubernetesIdentity.newBuilder()
                      .setKind(EndpointKind.ENDPOINT_KIND_SERVICE)
                      .setNamespace("shop")
                      .setServiceName("web")),
          0);
  private final FlowRecord atBackend =
      record(
          Reporter.REPORTER_DESTINATION,
          endpoint(11, 8080)
              .setPortName("http")
              .setKubernetes(
                  KubernetesIdentity.newBuilder()
                      .setKind(EndpointKind.ENDPOINT_KIND_POD)
                      .setNamespace("shop")
                      .setPodName("web-1")
                      .setServiceName("web")),
          SECOND);

  @Test
  void theClientsRecordToAServiceAndTheBackendsRecordOfTheSameServicePair() {
    assertThat(ServiceJoin.toService(toService)).isTrue();
    assertThat(ServiceJoin.atBackend(atBackend)).isTrue();
    assertThat(ServiceJoin.pairs(toService, atBackend, 2 * SECOND)).isTrue();
    assertThat(ServiceJoin.pairs(atBackend, toService, SECOND / 2)).isFalse();
    FlowRecord otherService =
        atBackend.toBuilder()
            .setDestination(
                atBackend.getDestination().toBuilder()
                    .setKubernetes(
                        atBackend.getDestination().getKubernetes().toBuilder()
                            .setServiceName("api")))
            .build();
    assertThat(ServiceJoin.pairs(toService, otherService, 2 * SECOND)).isFalse();
    assertThat(ServiceJoin.clientKey(toService)).isEqualTo(ServiceJoin.clientKey(atBackend));
  }

  @Test
  void theJoinedRecordNamesTheBackendAndKeepsTheServiceAddressItWasSentTo() {
    FlowRecord joined = ServiceJoin.join(atBackend, toService);

    assertThat(joined.getObserver().getReporter()).isEqualTo(Reporter.REPORTER_BOTH);
    assertThat(joined.getDestination().getIp().byteAt(3)).isEqualTo((byte) 96);
    assertThat(joined.getDestination().getPort()).isEqualTo(80);
    assertThat(joined.getDestination().getNatIp().byteAt(3)).isEqualTo((byte) 11);
    assertThat(joined.getDestination().getNatPort()).isEqualTo(8080);
    assertThat(joined.getDestination().getPortName()).isEqualTo("http");
    assertThat(joined.getDestination().getKubernetes().getPodName()).isEqualTo("web-1");
  }

  private static FlowRecord record(Reporter reporter, Endpoint.Builder destination, long start) {
    return FlowRecord.newBuilder()
        .setCluster("c")
        .setProtocol(6)
        .setObserver(ObservationPoint.newBuilder().setReporter(reporter))
        .setTimeStartNs(start)
        .setSource(endpoint(5, 41000))
        .setDestination(destination)
        .build();
  }

  private static Endpoint.Builder endpoint(int last, int port) {
    return Endpoint.newBuilder()
        .setIp(ByteString.copyFrom(new byte[] {10, 1, 0, (byte) last}))
        .setPort(port);
  }
}
