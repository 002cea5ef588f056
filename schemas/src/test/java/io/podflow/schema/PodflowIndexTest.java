package io.podflow.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class PodflowIndexTest {

  @Test
  void documentsGoToTheIndexOfTheirUtcDay() {
    assertThat(PodflowIndex.FLOWS.indexFor(Instant.parse("2026-11-26T23:59:59.999Z")))
        .isEqualTo("podflow-flows-2026.11.26");
    assertThat(PodflowIndex.VIOLATIONS.indexFor(Instant.parse("2026-01-02T00:00:00Z")))
        .isEqualTo("podflow-violations-2026.01.02");
  }

  @Test
  void readsTheDayBackOnlyFromItsOwnIndices() {
    assertThat(PodflowIndex.FLOWS.dayOf("podflow-flows-2026.11.26"))
        .contains(LocalDate.of(2026, 11, 26));
    assertThat(PodflowIndex.FLOWS.dayOf("podflow-violations-2026.11.26")).isEmpty();
    assertThat(PodflowIndex.FLOWS.dayOf("podflow-flows-restored")).isEmpty();
    assertThat(PodflowIndex.FLOWS.dayOf("podflow-flows")).isEmpty();
  }

  @Test
  void templatesMatchTheirDailyIndicesAndNameTheirAlias() {
    for (PodflowIndex index : PodflowIndex.values()) {
      assertThat(index.templateJson())
          .contains("\"" + index.pattern() + "\"")
          .contains("\"" + index.alias() + "\": {}");
    }
  }
}
