package io.podflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podflow.processor.policy.Decision;
import io.podflow.processor.policy.PolicyEngine;
import io.podflow.processor.policy.Protocol;
import io.podflow.processor.policy.manifest.Manifests;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code podflow verdicts}: NetworkPolicy verdicts for connections, from manifests, explained; with
 * {@code --staged}, what a proposed set of policies would change.
 */
@Command(
    name = "verdicts",
    mixinStandardHelpOptions = true,
    description = {
      "Judge connections against NetworkPolicies as a conformant network plugin would, and say"
          + " why. Reads Namespaces, Pods and NetworkPolicies from manifests, and one JSON"
          + " connection per line; writes each line back with a 'policy' field.",
      "Input line: {\"source\":{\"ip\":\"10.1.0.5\"},\"destination\":{\"ip\":\"10.1.0.9\",\"port\":80},"
          + "\"network\":{\"transport\":\"tcp\"}}"
    })
final class VerdictsCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(
      names = "--manifests",
      required = true,
      paramLabel = "DIR",
      description = "YAML or JSON manifests (files, multi-document files, Lists).")
  Path manifests;

  @Option(
      names = "--connections",
      required = true,
      paramLabel = "FILE",
      description = "One JSON connection per line ('-' for stdin).")
  String connections;

  @Option(
      names = "--staged",
      paramLabel = "DIR2",
      description = "Proposed NetworkPolicies: adds what-if verdicts (policy.pending).")
  Path staged;

  @Override
  public Integer call() throws IOException {
    Manifests live = Manifests.load(manifests);
    report("live", live);
    PolicyEngine engine = new PolicyEngine(live.toPolicySet(revision(manifests)));
    PolicyEngine proposed = null;
    if (staged != null) {
      Manifests stagedPolicies = Manifests.load(staged);
      report("staged", stagedPolicies);
      proposed =
          new PolicyEngine(
              live.withPolicies(stagedPolicies.policies()).toPolicySet(revision(staged)));
    }
    int rejected = 0;
    int changed = 0;
    Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    try (BufferedReader in = open(connections)) {
      String line;
      int number = 0;
      while ((line = in.readLine()) != null) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        try {
          ObjectNode connection = (ObjectNode) JSON.readTree(line);
          byte[] source = Manifests.address(text(connection, "/source/ip"));
          byte[] destination = Manifests.address(text(connection, "/destination/ip"));
          int port = connection.at("/destination/port").asInt(-1);
          if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("destination.port is missing or out of range");
          }
          String transport = connection.at("/network/transport").asText("tcp");
          Protocol protocol = Protocol.parse(transport);
          if (protocol == null) {
            throw new IllegalArgumentException(
                "network.transport '" + transport + "' is not tcp, udp or sctp");
          }
          Decision decision = engine.decide(source, destination, port, protocol);
          ObjectNode policy = DecisionJson.of(decision);
          if (proposed != null) {
            Decision whatIf = proposed.decide(source, destination, port, protocol);
            ObjectNode pending = DecisionJson.of(whatIf);
            pending.remove("revision");
            pending.put("policy_set", "staged");
            pending.put("revision", whatIf.revision());
            pending.put("changed", whatIf.allowed() != decision.allowed());
            changed += whatIf.allowed() != decision.allowed() ? 1 : 0;
            ArrayNode list = policy.putArray("pending");
            list.add(pending);
          }
          connection.set("policy", policy);
          out.write(JSON.writeValueAsString(connection));
          out.write('\n');
        } catch (IllegalArgumentException | IOException | ClassCastException e) {
          rejected++;
          System.err.println("podflow verdicts: line " + number + " skipped: " + e.getMessage());
        }
      }
    }
    out.flush();
    if (proposed != null) {
      System.err.println("podflow verdicts: the staged policies change " + changed + " verdicts");
    }
    return rejected == 0 ? 0 : 1;
  }

  private static String text(JsonNode node, String pointer) {
    JsonNode value = node.at(pointer);
    if (!value.isTextual()) {
      throw new IllegalArgumentException(pointer.substring(1).replace('/', '.') + " is missing");
    }
    return value.asText();
  }

  private static void report(String which, Manifests m) {
    for (String error : m.errors()) {
      System.err.println("podflow verdicts: " + which + " object rejected: " + error);
    }
  }

  private static String revision(Path dir) {
    return dir.toAbsolutePath().normalize().toString();
  }

  private static BufferedReader open(String file) throws IOException {
    if (file.equals("-")) {
      return new BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8));
    }
    return Files.newBufferedReader(Path.of(file));
  }
}
