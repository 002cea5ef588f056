package io.podflow.processor.sink.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podflow.processor.sink.opensearch.StubOpenSearch.Answer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How the writer answers OpenSearch's (or a proxy's) statuses, against a stub on loopback. */
class BulkWriterTest {
  private static final Answer INDEXED = new Answer(200, "{\"errors\":false}");

  @Test
  void aWholeRequest404IsARefusalOfTheRequestNotOfItsDocuments() throws Exception {
    AtomicBoolean ingressAway = new AtomicBoolean(true);
    try (StubOpenSearch stub =
            new StubOpenSearch(
                n -> ingressAway.get() ? new Answer(404, "<html>404 Not Found</html>") : INDEXED);
        WriterHarness harness = new WriterHarness(stub.endpoint(), 4)) {
      harness.write(4);

      assertThat(harness.deadLetters.history()).isEmpty();
      assertThat(stub.bulkRequests()).as("one request, not split").isEqualTo(1);
      assertThat(harness.counter("requestsRefused")).isEqualTo(1);
      assertThat(harness.gauge("opensearchRefusedStatus")).isEqualTo(404);
      assertThat(harness.gauge("pendingDocuments")).isEqualTo(4);

      ingressAway.set(false);
      harness.fireTimers();

      assertThat(harness.counter("documentsIndexed")).isEqualTo(4);
      assertThat(harness.gauge("pendingDocuments")).isEqualTo(0);
      assertThat(harness.gauge("opensearchRefusedStatus")).isEqualTo(0);
      assertThat(harness.deadLetters.history()).isEmpty();
    }
  }

  @Test
  void documentsForbiddenInABulkAnswerAreReportedAsARefusalAndSentOnceARoleIsFixed()
      throws Exception {
    AtomicBoolean roleMissing = new AtomicBoolean(true);
    String forbidden =
        "{\"index\":{\"status\":403,\"error\":{\"type\":\"security_exception\","
            + "\"reason\":\"no permissions for [indices:data/write/bulk[s]]\"}}}";
    try (StubOpenSearch stub =
            new StubOpenSearch(
                n ->
                    roleMissing.get()
                        ? new Answer(
                            200,
                            "{\"errors\":true,\"items\":["
                                + String.join(",", forbidden, forbidden)
                                + "]}")
                        : INDEXED);
        WriterHarness harness = new WriterHarness(stub.endpoint(), 2)) {
      harness.write(2);

      assertThat(harness.gauge("opensearchRefusedStatus")).isEqualTo(403);
      assertThat(harness.counter("requestsRefused")).isEqualTo(1);
      assertThat(harness.gauge("pendingDocuments")).isEqualTo(2);
      assertThat(harness.deadLetters.history()).isEmpty();

      roleMissing.set(false);
      harness.fireTimers();

      assertThat(harness.counter("documentsIndexed")).isEqualTo(2);
      assertThat(harness.gauge("opensearchRefusedStatus")).isEqualTo(0);
      assertThat(harness.deadLetters.history()).isEmpty();
    }
  }

  @Test
  @Timeout(120) // the defect was a hang: this fails it instead of blocking the build
  void theEndOfInputGivesUpOnOpenSearchAwayAfterItsWaitWithAClearMessage() throws Exception {
    try (StubOpenSearch stub = new StubOpenSearch(n -> new Answer(503, "unavailable"));
        WriterHarness harness =
            new WriterHarness(stub.endpoint(), 10, java.time.Duration.ofMillis(500))) {
      harness.write(1);

      assertThatThrownBy(() -> harness.writer.flush(true))
          .isInstanceOf(java.io.IOException.class)
          .hasMessageContaining("did not take 1 documents left at the end of input within PT0.5S");
      assertThat(stub.bulkRequests()).isGreaterThan(1);
      assertThat(harness.deadLetters.history()).isEmpty();
    }
  }

  @Test
  void anAnswered2xxClearsTheRefusalEvenWhenSomeDocumentsMustWait() throws Exception {
    String busy = "{\"index\":{\"status\":429,\"error\":\"rejected execution\"}}";
    String indexed = "{\"index\":{\"status\":201}}";
    try (StubOpenSearch stub =
            new StubOpenSearch(
                n ->
                    switch (n) {
                      case 0 -> new Answer(407, "Proxy Authentication Required");
                      case 1 ->
                          new Answer(
                              200, "{\"errors\":true,\"items\":[" + indexed + "," + busy + "]}");
                      default -> INDEXED;
                    });
        WriterHarness harness = new WriterHarness(stub.endpoint(), 2)) {
      harness.write(2);
      assertThat(harness.gauge("opensearchRefusedStatus")).isEqualTo(407);

      harness.fireTimers();

      assertThat(harness.gauge("pendingDocuments")).isEqualTo(1);
      assertThat(harness.gauge("opensearchRefusedStatus")).isEqualTo(0);
    }
  }

  @Test
  void aSingleDocumentTooLargeIsADeadLetterNotARefusalOfOpenSearch() throws Exception {
    try (StubOpenSearch stub =
            new StubOpenSearch(n -> n == 1 ? INDEXED : new Answer(413, "")); // pair, then alone
        WriterHarness harness = new WriterHarness(stub.endpoint(), 2)) {
      harness.write(2);

      assertThat(harness.counter("bulkSplits")).isEqualTo(1);
      assertThat(harness.counter("documentsIndexed")).isEqualTo(1);
      assertThat(harness.counter("documentsRejected")).isEqualTo(1);
      assertThat(harness.deadLetters.history()).hasSize(1);
      assertThat(harness.gauge("opensearchRefusedStatus")).isEqualTo(0);
      assertThat(harness.gauge("pendingDocuments")).isEqualTo(0);
    }
  }
}
