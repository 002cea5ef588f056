package io.podflow.agent.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.ILoggerFactory;
import org.slf4j.event.Level;

class LogLinesTest {
  // The binding itself, whatever binding the test classpath has.
  private static final ILoggerFactory LOGGERS = new LogLinesProvider().getLoggerFactory();

  private final ByteArrayOutputStream lines = new ByteArrayOutputStream();

  @AfterEach
  void back() {
    LogLines.configure(LogLines.Format.TEXT, "io.podflow", Level.WARN);
    LogLines.redirect(System.err);
  }

  @Test
  void theAgentWritesOneJsonObjectPerLineWithItsKeyValues() throws Exception {
    LogLines.redirect(new PrintStream(lines, true, StandardCharsets.UTF_8));
    LogLines.configure(LogLines.Format.JSON, "io.podflow", Level.INFO);
    LOGGERS
        .getLogger("io.podflow.agent.Test")
        .atInfo()
        .addKeyValue("node", "node-1")
        .log("capturing {} \"interfaces\"", 3);
    LOGGERS.getLogger("io.podflow.agent.Test").error("failed", new IllegalStateException("boom"));
    LOGGERS.getLogger("org.apache.kafka.Noisy").warn("not shown");

    String[] out = lines.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(out).hasSize(2);
    JsonNode info = new ObjectMapper().readTree(out[0]);
    assertThat(info.get("log.level").asText()).isEqualTo("INFO");
    assertThat(info.get("log.logger").asText()).isEqualTo("io.podflow.agent.Test");
    assertThat(info.get("message").asText()).isEqualTo("capturing 3 \"interfaces\"");
    assertThat(info.get("node").asText()).isEqualTo("node-1");
    assertThat(info.get("@timestamp").asText()).endsWith("Z");
    JsonNode error = new ObjectMapper().readTree(out[1]);
    assertThat(error.get("error.type").asText()).isEqualTo("java.lang.IllegalStateException");
    assertThat(error.get("error.stack_trace").asText()).contains("boom");
  }

  @Test
  void commandsWriteShortTextAndOnlyWarnings() {
    LogLines.redirect(new PrintStream(lines, true, StandardCharsets.UTF_8));
    LOGGERS.getLogger("io.podflow.cli.Some").info("quiet");
    LOGGERS.getLogger("io.podflow.cli.Some").warn("disk {} full", "/tmp");
    assertThat(lines.toString(StandardCharsets.UTF_8).trim())
        .matches("\\d\\d:\\d\\d:\\d\\d WARN Some - disk /tmp full");
  }
}
