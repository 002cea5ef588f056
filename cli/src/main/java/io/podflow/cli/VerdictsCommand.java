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
import java.util.List;
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
          + "\"network\":{\"transport\":\"tcp\"}}",
      "Manifests are checked as the API server checks them. If any object is rejected, no"
          + " verdict is given (a policy left out could turn a denied connection into an allowed"
          + " one) unless --allow-partial says so."
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
      "0:every connection judged against every manifest",
      "1:some connection lines skipped (each named on stderr), or manifests unreadable",
      "2:a bad command line",
      VerdictsCommand.REJECTED
          + ":manifests rejected (each named on stderr with its field): no verdicts, or with"
          + " --allow-partial verdicts against the rest, each marked \"partial\": true"
    })
final class VerdictsCommand implements Callable<Integer> {
  /** The exit code when any manifest was rejected. */
  static final int REJECTED = 3;

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

  @Option(
      names = "--allow-partial",
      description =
          "Judge even when manifests were rejected, against the objects that were read; each"
              + " verdict then says \"partial\": true and the exit code is still "
              + REJECTED
              + ".")
  boolean allowPartial;

  @Override
  public Integer call() throws IOException {
    Manifests live = Manifests.load(manifests);
    int rejectedObjects = report("live", live);
    Manifests stagedPolicies = staged == null ? null : Manifests.load(staged);
    if (stagedPolicies != null) {
      rejectedObjects += report("staged", stagedPolicies);
    }
    boolean partial = rejectedObjects > 0;
    if (partial && !allowPartial) {
      System.err.println(
          "podflow verdicts: "
              + rejectedObjects
              + " objects rejected: no verdicts against a partly read policy set (fix them, or"
              + " --allow-partial to judge against the rest)");
      return REJECTED;
    }
    PolicyEngine engine = new PolicyEngine(live.toPolicySet(revision(manifests)));
    PolicyEngine proposed = null;
    if (stagedPolicies != null) {
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
          JsonNode portNode = connection.at("/destination/port");
          // canConvertToInt: 4294967376 is out of range, not 80 as a wrapped int would make it.
          if (!portNode.isIntegralNumber()
              || !portNode.canConvertToInt()
              || portNode.intValue() < 0
              || portNode.intValue() > 65535) {
            throw new IllegalArgumentException(
                "destination.port must be a whole number 0-65535, not "
                    + (portNode.isMissingNode() ? "missing" : portNode.toString()));
          }
          int port = portNode.intValue();
          String transport = connection.at("/network/transport").asText("tcp");
          Protocol protocol = Protocol.parse(transport);
          if (protocol == null) {
            throw new IllegalArgumentException(
                "network.transport '" + transport + "' is not tcp, udp or sctp");
          }
          Decision decision = engine.decide(source, destination, port, protocol);
          ObjectNode policy = DecisionJson.of(decision);
          if (partial) {
            policy.put("partial", true);
          }
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
    if (partial) {
      System.err.println(
          "podflow verdicts: verdicts against a partial policy set: "
              + rejectedObjects
              + " objects rejected");
      return REJECTED;
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

  private static int report(String which, Manifests m) {
    List<String> errors = m.errors();
    for (String error : errors) {
      System.err.println("podflow verdicts: " + which + " object rejected: " + error);
    }
    return errors.size();
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
