package io.podflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class VersionTest {

  /** The cli module's version: its parent's, as cli/pom.xml declares no version of its own. */
  private static String pomVersion() throws Exception {
    String pom = Files.readString(Path.of(System.getProperty("podflow.root"), "cli", "pom.xml"));
    Matcher m =
        Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL).matcher(pom);
    assertThat(m.find()).as("the parent's version in cli/pom.xml").isTrue();
    return m.group(1);
  }

  @Test
  void versionPrintsTheVersionTheBuildWasMadeFrom() throws Exception {
    StringWriter out = new StringWriter();

    int exit = Podflow.commandLine().setOut(new PrintWriter(out)).execute("--version");

    assertThat(exit).isZero();
    assertThat(out.toString().strip()).isEqualTo("podflow " + pomVersion());
  }

  @Test
  void subcommandsPrintTheSameVersion() throws Exception {
    StringWriter out = new StringWriter();

    int exit = Podflow.commandLine().setOut(new PrintWriter(out)).execute("agent", "--version");

    assertThat(exit).isZero();
    assertThat(out.toString().strip()).isEqualTo("podflow " + pomVersion());
  }
}
