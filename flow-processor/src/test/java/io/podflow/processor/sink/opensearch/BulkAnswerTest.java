package io.podflow.processor.sink.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BulkAnswerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aMappingConflictIsRefusedWithOpenSearchsReasonWhileBusyAndForbiddenItemsAreSentAgain()
      throws Exception {
    String answer =
        """
        {"errors":true,"items":[
          {"index":{"status":201}},
          {"index":{"status":400,"error":{"type":"mapper_parsing_exception",
            "reason":"failed to parse field [source.ip] of type [ip]",
            "caused_by":{"type":"illegal_argument_exception","reason":"'x' is not an IP"}}}},
          {"index":{"status":429,"error":{"type":"es_rejected_execution_exception"}}},
          {"index":{"status":503}},
          {"index":{"status":403,"error":{"type":"security_exception"}}}
        ]}
        """;
    BulkAnswer a = BulkAnswer.of(JSON.readTree(answer), 6);

    assertThat(a.indexed()).isEqualTo(1);
    assertThat(a.retry()).containsExactly(2, 3, 4, 5); // the sixth has no item: sent again
    assertThat(a.refused())
        .containsExactly(
            new BulkAnswer.Refused(
                1,
                400,
                "mapper_parsing_exception: failed to parse field [source.ip] of type [ip]"
                    + " (caused by illegal_argument_exception: 'x' is not an IP)"));
  }

  @Test
  void anAnswerWithoutErrorsIndexedEverything() throws Exception {
    BulkAnswer a = BulkAnswer.of(JSON.readTree("{\"errors\":false}"), 3);
    assertThat(a).isEqualTo(new BulkAnswer(3, List.of(), List.of(), 0));
  }

  @Test
  void pendingDocumentsSurviveTheirSerializer() throws Exception {
    PendingDocuments p =
        new PendingDocuments(
            List.of(
                new Document(
                    "podflow-flows-2026.12.03",
                    "abc",
                    "{\"a\":\"é\"}".getBytes(StandardCharsets.UTF_8)),
                new Document("podflow-violations-2026.12.03", "def", new byte[0])));
    var s = PendingDocuments.Serializer.INSTANCE;
    PendingDocuments back = s.deserialize(s.getVersion(), s.serialize(p));
    assertThat(back.documents()).hasSize(2);
    assertThat(back.documents().get(0).index).isEqualTo("podflow-flows-2026.12.03");
    assertThat(back.documents().get(0).id).isEqualTo("abc");
    assertThat(new String(back.documents().get(0).json, StandardCharsets.UTF_8))
        .isEqualTo("{\"a\":\"é\"}");
    assertThat(back.documents().get(1).json).isEmpty();
  }

  @Test
  void backoffDoublesToItsCapAndStartsOverAfterASuccess() {
    Backoff b = new Backoff(100, 500);
    assertThat(List.of(b.next(), b.next(), b.next(), b.next()))
        .containsExactly(100L, 200L, 400L, 500L);
    b.reset();
    assertThat(b.next()).isEqualTo(100);
  }

  @Test
  void onlyA413OrOpenSearchsOwn400RefusesABulksContent() {
    String parseError =
        "{\"error\":{\"root_cause\":[{\"type\":\"illegal_argument_exception\"}]},\"status\":400}";
    assertThat(BulkAnswer.refusesContent(413, "")).isTrue();
    assertThat(BulkAnswer.refusesContent(400, parseError)).isTrue();
    assertThat(BulkAnswer.refusesContent(400, "<html>Bad Request</html>")).isFalse();
    for (int status : new int[] {401, 403, 404, 405, 407, 408, 409, 410, 429, 502}) {
      assertThat(BulkAnswer.refusesContent(status, parseError)).as("%d", status).isFalse();
    }
  }
}
