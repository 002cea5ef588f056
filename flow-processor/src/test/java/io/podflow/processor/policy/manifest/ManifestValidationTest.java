package io.podflow.processor.policy.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.processor.policy.Decision;
import io.podflow.processor.policy.PolicyEngine;
import io.podflow.processor.policy.Protocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Manifests are refused where the API server refuses them, each naming its object and field. */
class ManifestValidationTest {
  private static final Path EXAMPLES = Path.of("..", "examples", "verdicts");

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "a CIDR with a short address | ingress: [{from: [{ipBlock: {cidr: 10.1/16}}]}]"
            + " | spec.ingress[0].from[0].ipBlock.cidr: '10.1/16' is not a CIDR block",
        "a CIDR with leading zeros | ingress: [{from: [{ipBlock: {cidr: 010.001.0.0/16}}]}]"
            + " | ipBlock.cidr: '010.001.0.0/16' is not a CIDR block",
        "a host name as CIDR | egress: [{to: [{ipBlock: {cidr: face.b00c/32}}]}]"
            + " | spec.egress[0].to[0].ipBlock.cidr: 'face.b00c/32' is not a CIDR block",
        "an except outside its block"
            + " | ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.0/16]}}]}]"
            + " | ipBlock.except[0]: 10.0.0.0/16 is not a strict subset of 10.0.0.0/16",
        "an endPort past 32 bits | ingress: [{ports: [{port: 80, endPort: 4294967376}]}]"
            + " | spec.ingress[0].ports[0].endPort: 4294967376 is out of range 1-65535",
        "an endPort below the port | ingress: [{ports: [{port: 90, endPort: 80}]}]"
            + " | ports[0].endPort: 80 must be greater than or equal to port 90",
        "an endPort without a numeric port | ingress: [{ports: [{port: http, endPort: 80}]}]"
            + " | ports[0].endPort: may only be given with a numeric port",
        "port 0 | ingress: [{ports: [{port: 0}]}] | ports[0].port: 0 is out of range 1-65535",
        "port 65536 | ingress: [{ports: [{port: 65536}]}] | 65536 is out of range 1-65535",
        "a fractional port | ingress: [{ports: [{port: 80.5}]}]"
            + " | ports[0].port: must be a number or a name",
        "a lower-case protocol | ingress: [{ports: [{protocol: tcp, port: 80}]}]"
            + " | ports[0].protocol: 'tcp' is not TCP, UDP or SCTP",
        "a bad protocol | ingress: [{ports: [{protocol: ICMP}]}] | 'ICMP' is not TCP, UDP or SCTP",
        "a named port too long | ingress: [{ports: [{port: averyveryverylongname}]}]"
            + " | ports[0].port: 'averyveryverylongname' must be 1 to 15 characters",
        "a named port without a letter | ingress: [{ports: [{port: '8080'}]}]"
            + " | must contain at least one letter",
        "a named port with two hyphens | ingress: [{ports: [{port: a--b}]}]"
            + " | must not contain two hyphens in a row",
        "a podSelector that is text | 'podSelector: \"x\"'"
            + " | spec.podSelector: must be an object, not string \"x\"",
        "ingress that is an object | ingress: {from: 7} | spec.ingress: must be a list, not object",
        "peers that are a number | ingress: [{from: 7}] | spec.ingress[0].from: must be a list",
        "a misspelt field | ingress: [{form: [{podSelector: {}}]}]"
            + " | spec.ingress[0].form: unknown field",
        "an empty peer | ingress: [{from: [{}]}]"
            + " | from[0]: a peer needs podSelector, namespaceSelector or ipBlock",
        "a label key with two slashes | 'ingress: [{from: [{podSelector: {matchLabels: {a/b/c: x}}}]}]'"
            + " | matchLabels: key 'a/b/c' must be alphanumeric",
        "a label value with a space | 'ingress: [{from: [{podSelector: {matchLabels: {app: \"a b\"}}}]}]'"
            + " | matchLabels.app: value 'a b' must be empty or alphanumeric",
        "a label value that is a number | ingress: [{from: [{podSelector: {matchLabels: {app: 7}}}]}]"
            + " | matchLabels.app: must be a string, not number 7",
        "a label key too long | 'ingress: [{from: [{podSelector: {matchLabels: {"
            + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: x}}}]}]'"
            + " | has a name longer than 63 characters",
        "an expression value that is invalid"
            + " | 'ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: t, operator: In, values: [\"-x\"]}]}}]}]'"
            + " | matchExpressions[0].values[0]: '-x' must be empty or alphanumeric",
        "In without values"
            + " | 'ingress: [{from: [{podSelector: {matchExpressions: [{key: t, operator: In}]}}]}]'"
            + " | matchExpressions[0]: In on 't' needs values",
        "an unknown policy type | 'policyTypes: [Ingress, Sideways]'"
            + " | spec.policyTypes[1]: 'Sideways' is not Ingress or Egress",
        "policyTypes that is a number | policyTypes: 7 | spec.policyTypes: must be a list, not number 7",
        "a policy type twice | 'policyTypes: [Egress, Egress]' | spec.policyTypes[1]: Egress is listed twice",
      })
  void refusesWhatTheApiServerRefusesNamingTheField(String what, String spec, String error) {
    Manifests m = new Manifests().read("p.yaml", policy("podSelector: {}\n" + specLines(spec)));

    assertThat(m.policies()).as(what).isEmpty();
    assertThat(m.errors())
        .as(what)
        .singleElement()
        .asString()
        .startsWith("p.yaml: NetworkPolicy probe: ")
        .contains(error.strip());
  }

  /** The podSelector case brings its own selector. */
  private static String specLines(String spec) {
    return spec.strip();
  }

  private static String policy(String spec) {
    String body =
        spec.contains("podSelector: \"x\"") ? spec.replace("podSelector: {}\n", "") : spec;
    return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        + "metadata: {name: probe, namespace: shop}\nspec:\n"
        + body.lines().map(l -> "  " + l).reduce("", (a, b) -> a + b + "\n");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "a Namespace name in capitals | kind: Namespace\\nmetadata: {name: Shop}"
            + " | Namespace Shop: metadata.name 'Shop' must be a lowercase RFC 1123 label",
        "a Pod with a host name for IP | kind: Pod\\nmetadata: {name: web, namespace: shop}\\n"
            + "status: {podIP: 9web} | Pod web: status.podIP: '9web' is not an IP address",
        "a Pod IP with leading zeros | kind: Pod\\nmetadata: {name: web}\\nstatus: {podIP: 10.01.0.1}"
            + " | status.podIP: '10.01.0.1' is not an IP address",
        "a container port past 16 bits | kind: Pod\\nmetadata: {name: web}\\n"
            + "spec: {containers: [{name: c, ports: [{name: http, containerPort: 4294967376}]}]}"
            + " | spec.containers[0].ports[0].containerPort: 4294967376 is out of range 1-65535",
        "a container port name too long | kind: Pod\\nmetadata: {name: web}\\n"
            + "spec: {containers: [{name: c, ports: [{name: httpsuperlongname, containerPort: 80}]}]}"
            + " | ports[0].name: 'httpsuperlongname' must be 1 to 15 characters",
        "hostNetwork as text | kind: Pod\\nmetadata: {name: web}\\nspec: {hostNetwork: 'yes'}"
            + " | spec.hostNetwork: must be true or false",
        "a Pod label key with an empty prefix | kind: Pod\\nmetadata: {name: web, labels: {/app: x}}"
            + " | metadata.labels: key '/app' has an empty prefix",
        "a namespace with a dot | kind: NetworkPolicy\\nmetadata: {name: p, namespace: a.b}\\n"
            + "spec: {podSelector: {}} | metadata.namespace 'a.b' must be a lowercase RFC 1123 label",
      })
  void refusesPodsAndNamespacesTheApiServerRefuses(String what, String doc, String error) {
    Manifests m = new Manifests().read("o.yaml", doc.replace("\\n", "\n"));

    assertThat(m.errors()).as(what).singleElement().asString().contains(error.strip());
  }

  @Test
  void anEmptyPolicyTypesListIsDefaultedAsTheApiServerDefaultsAMissingOne() {
    String rules = "podSelector: {}\negress: [{to: [{podSelector: {}}]}]";
    Manifests empty = new Manifests().read("e.yaml", policy(rules + "\npolicyTypes: []"));
    Manifests missing = new Manifests().read("m.yaml", policy(rules));

    assertThat(empty.errors()).isEmpty();
    assertThat(empty.policies()).isEqualTo(missing.policies());
    assertThat(empty.policies().get(0).isolatesEgress()).isTrue();
    assertThat(empty.policies().get(0).isolatesIngress()).isTrue();
  }

  @Test
  void aSecondPolicyOfTheSameNameIsRefusedNotAdded() {
    String deny = policy("podSelector: {}");

    Manifests m = new Manifests().read("a.yaml", deny).read("b.yaml", deny);

    assertThat(m.policies()).hasSize(1);
    assertThat(m.errors())
        .containsExactly(
            "b.yaml: NetworkPolicy probe: a second NetworkPolicy shop/probe (the first is in a.yaml)");
  }

  @Test
  void theExamplesLoadWithoutAnError() {
    assertThat(Manifests.load(EXAMPLES.resolve("manifests")).errors()).isEmpty();
    assertThat(Manifests.load(EXAMPLES.resolve("staged")).errors()).isEmpty();
  }

  @Test
  void aMisspeltPeerFieldDoesNotTurnADeniedConnectionIntoAnAllowedOne() {
    String deny =
        policy("podSelector: {}\ningress: [{from: [{podSelector: {matchLabels: {a: b}}}]}]");
    String typo = deny.replace("from:", "form:");
    String pod =
        "---\nkind: Pod\nmetadata: {name: db, namespace: shop}\nstatus: {podIP: 10.1.0.9}\n";

    Manifests good = new Manifests().read("good.yaml", deny + pod);
    Manifests bad = new Manifests().read("bad.yaml", typo + pod);
    Decision judged =
        new PolicyEngine(good.toPolicySet("r"))
            .decide(new byte[] {10, 1, 0, 5}, new byte[] {10, 1, 0, 9}, 5432, Protocol.TCP);

    assertThat(judged.allowed()).isFalse();
    assertThat(bad.policies()).isEmpty();
    assertThat(bad.errors()).singleElement().asString().contains("spec.ingress[0].form");
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void aFilePastTheLimitIsRefusedUnread() throws Exception {
    Path file = dir.resolve("huge.yaml");
    try (var out = Files.newOutputStream(file)) {
      byte[] chunk = new byte[1 << 20];
      java.util.Arrays.fill(chunk, (byte) 'a');
      out.write("kind: ConfigMap\ndata: {x: ".getBytes());
      for (long written = 0; written <= Manifests.MAX_FILE_BYTES; written += chunk.length) {
        out.write(chunk);
      }
    }

    Manifests m = Manifests.load(dir);

    assertThat(m.errors())
        .singleElement()
        .asString()
        .contains(file.toString())
        .contains("more than the " + Manifests.MAX_FILE_BYTES + " a file may have");
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void aThirtyMegabyteScalarIsRefusedUnparsed() {
    String scalar = "a".repeat(30 << 20);

    Manifests m = new Manifests().read("big.yaml", "kind: ConfigMap\ndata: {x: " + scalar + "}\n");

    assertThat(m.errors())
        .singleElement()
        .asString()
        .contains("more than the " + Manifests.MAX_FILE_BYTES + " a file may have");
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void aYamlLinePastTheLimitIsRefusedBeforeItsQuadraticScan() {
    String scalar = "a".repeat(4 << 20);

    Manifests m = new Manifests().read("long.yaml", "kind: ConfigMap\ndata: {x: " + scalar + "}\n");

    assertThat(m.errors())
        .singleElement()
        .asString()
        .contains("more than the " + Manifests.MAX_YAML_LINE + " a YAML line may have");
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void aJsonScalarPastTheLimitIsRefusedByTheParser() {
    String scalar = "a".repeat(Manifests.MAX_SCALAR_CHARS + 1);

    Manifests m =
        new Manifests().read("big.json", "{\"kind\": \"ConfigMap\", \"x\": \"" + scalar + "\"}");

    assertThat(m.errors())
        .singleElement()
        .asString()
        .startsWith("big.json: not YAML or JSON: ")
        .contains("String value length");
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void aBillionLaughsDocumentIsNotExpanded() {
    StringBuilder yaml =
        new StringBuilder("kind: ConfigMap\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 12; i++) {
      yaml.append("a").append(i).append(": &a").append(i).append(" [");
      for (int k = 0; k < 10; k++) {
        yaml.append(k == 0 ? "" : ", ").append("*a").append(i - 1);
      }
      yaml.append("]\n");
    }

    Manifests m = new Manifests().read("laughs.yaml", yaml.toString());

    assertThat(m.errors()).isEmpty();
    assertThat(m.policies()).isEmpty();
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void nestingPastTheLimitIsRefused() {
    String yaml = "[".repeat(10_000) + "]".repeat(10_000);

    Manifests m = new Manifests().read("deep.yaml", yaml);

    assertThat(m.errors()).singleElement().asString().startsWith("deep.yaml: not YAML or JSON: ");
  }
}
