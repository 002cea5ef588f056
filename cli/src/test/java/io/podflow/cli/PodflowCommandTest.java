package io.podflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class PodflowCommandTest {

  @Test
  void helpListsEveryUserCommandIncludingTheLauncherOnes() {
    StringWriter out = new StringWriter();
    CommandLine cli = Podflow.commandLine().setOut(new PrintWriter(out));

    int exit = cli.execute("--help");

    assertThat(exit).isZero();
    assertThat(out.toString()).contains("demo").contains("test");
  }

  @Test
  void unknownCommandsFailWithAUsageMessage() {
    StringWriter err = new StringWriter();
    CommandLine cli = Podflow.commandLine().setErr(new PrintWriter(err));

    int exit = cli.execute("frobnicate");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("Unmatched argument").contains("frobnicate");
  }

  @Test
  void demoRejectsANegativeDurationBeforeStartingAnything() {
    StringWriter err = new StringWriter();
    CommandLine cli = Podflow.commandLine().setErr(new PrintWriter(err));

    int exit = cli.execute("demo", "--duration", "-5");

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString().strip())
        .isEqualTo("podflow demo: --duration must be 0 or more seconds");
  }
}
