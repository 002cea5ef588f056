package io.podflow.processor.sink.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What a 2xx {@code _bulk} answer says of each document sent: indexed, to send again (429, 5xx, or
 * a permission refused, which a fixed role lets pass later), or refused for good with OpenSearch's
 * reason (a mapping conflict): those go to the dead letters, nothing else would ever index them.
 *
 * @param retry positions in the request of the documents to send again
 * @param refused the documents refused for good, with why
 * @param denied 401 or 403 if a document to send again was refused for credentials or permissions
 *     (a person must act, so the writer reports it as a refusal), else 0
 */
record BulkAnswer(int indexed, List<Integer> retry, List<Refused> refused, int denied) {
  /** A document OpenSearch refused for good: its position in the request, its status and reason. */
  record Refused(int position, int status, String reason) {}

  /** Reads the answer to {@code count} documents ({@code filter_path} keeps only what is read). */
  static BulkAnswer of(JsonNode answer, int count) {
    if (!answer.path("errors").asBoolean(true)) {
      return new BulkAnswer(count, List.of(), List.of(), 0);
    }
    int indexed = 0;
    List<Integer> retry = new ArrayList<>();
    List<Refused> refused = new ArrayList<>();
    int denied = 0;
    JsonNode items = answer.path("items");
    for (int i = 0; i < count; i++) {
      JsonNode item = items.path(i).path("index");
      // A missing item (a truncated answer) is sent again: its id makes that harmless.
      int status = item.path("status").asInt(500);
      if (status / 100 == 2) {
        indexed++;
      } else if (passesLater(status)) {
        retry.add(i);
        if (status == 401 || status == 403) {
          denied = status;
        }
      } else {
        refused.add(new Refused(i, status, reason(item.path("error"))));
      }
    }
    return new BulkAnswer(indexed, retry, refused, denied);
  }

  /** 429 (busy), 5xx, and 401/403 (credentials or a role that someone fixes) may pass later. */
  static boolean passesLater(int status) {
    return status == 429 || status >= 500 || status == 401 || status == 403;
  }

  /**
   * Whether a whole bulk request's status refuses its content, so that halving it finds the
   * document responsible: 413 (too large), or 400 with OpenSearch's own error ({@code
   * "type":"..._exception"}, a body it could not parse). Any other status, a 400 from a proxy among
   * them, refuses the request and says nothing of its documents.
   */
  static boolean refusesContent(int status, String answer) {
    return status == 413 || (status == 400 && answer.contains("_exception\""));
  }

  /** OpenSearch's error as one line: type, reason, and the cause's type and reason if any. */
  static String reason(JsonNode error) {
    if (error.isTextual()) {
      return error.asText();
    }
    StringBuilder s = new StringBuilder();
    s.append(error.path("type").asText("unknown"))
        .append(": ")
        .append(error.path("reason").asText(""));
    JsonNode cause = error.path("caused_by");
    if (cause.isObject()) {
      s.append(" (caused by ")
          .append(cause.path("type").asText(""))
          .append(": ")
          .append(cause.path("reason").asText(""))
          .append(')');
    }
    return s.toString();
  }
}
