package io.podflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * deploy/examples/alertmanager-route.yaml is a configuration Alertmanager accepts, and it routes
 * the processor's two alerts (their names as AlertMessages sets them) to their own receivers:
 * checked with Debian's amtool (prometheus-alertmanager, in scripts/install-deps).
 */
class AlertmanagerRouteExampleTest {
  private static final Path EXAMPLE =
      Kustomize.deploy().resolve("examples/alertmanager-route.yaml");

  @Test
  void alertmanagerAcceptsTheExample() {
    assertThat(amtool("check-config", EXAMPLE.toString())).contains("SUCCESS");
  }

  @Test
  void enforcementGapsPageAndViolationsGoToTheNamespacesOwners() {
    assertThat(route("alertname=PodflowEnforcementGap", "cluster=c", "policy=shop/deny-all"))
        .isEqualTo("platform-oncall");
    assertThat(route("alertname=PodflowPolicyViolation", "destination_namespace=shop"))
        .isEqualTo("namespace-owners");
    assertThat(route("alertname=SomethingElse")).isEqualTo("default");
  }

  private static String route(String... labels) {
    List<String> args =
        new ArrayList<>(List.of("config", "routes", "test", "--config.file=" + EXAMPLE));
    args.addAll(List.of(labels));
    return amtool(args.toArray(String[]::new)).strip();
  }

  private static String amtool(String... args) {
    List<String> command = new ArrayList<>(List.of("amtool"));
    command.addAll(List.of(args));
    try {
      Process p =
          new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("amtool finished").isTrue();
      assertThat(p.exitValue()).as("amtool " + String.join(" ", args) + ": " + out).isZero();
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(
          "amtool (Debian's prometheus-alertmanager, scripts/install-deps) is needed: "
              + e.getMessage(),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
