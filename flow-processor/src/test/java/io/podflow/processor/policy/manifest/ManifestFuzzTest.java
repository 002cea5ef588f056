package io.podflow.processor.policy.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Manifests mutated at random (YAML and JSON punctuation, anchors and aliases, edge values, cut,
 * deleted and repeated runs): reading ends with objects and a list of errors, never an exception,
 * every error names the file, a policy is only ever taken whole, and no try takes longer than
 * {@link #PER_TRY_SECONDS}. Tries: {@code jqwik.tries.default} (junit-platform.properties for the
 * suite, a system property for scripts/fuzz-parsers' long run).
 */
class ManifestFuzzTest {
  private static final int PER_TRY_SECONDS = 5;

  private static final String[] TOKENS = {
    ": ",
    "- ",
    "{",
    "}",
    "[",
    "]",
    ", ",
    "\n",
    "\n  ",
    "  ",
    "'",
    "\"",
    "---\n",
    "&a ",
    "*a",
    "<<: *a\n",
    "!!binary ",
    "!!str ",
    "!!java.net.URL ",
    "? ",
    "|\n",
    ">\n",
    "#",
    "~",
    "null",
    "10.1/16",
    "010.001.0.0/16",
    "face.b00c/32",
    "::/0",
    "4294967376",
    "-1",
    "65536",
    "1e9",
    "0x50",
    "true",
    "podSelector",
    "ipBlock",
    "except",
    "endPort",
    "matchExpressions",
    "kind: List",
    "items: ",
    "policyTypes",
    "\t",
    "\\u0000",
    "\u2028",
    "%YAML 1.1\n",
    "{\"kind\":"
  };

  private static List<String[]> seeds;
  private static ExecutorService runner;

  record Mutation(int kind, int position, int value, int length) {}

  @BeforeContainer
  static void loadSeeds() throws IOException {
    List<String[]> all = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("..", "examples", "verdicts"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        all.add(new String[] {file.getFileName().toString(), Files.readString(file)});
      }
    }
    all.add(
        new String[] {
          "policy.json",
          "{\"kind\":\"NetworkPolicy\",\"metadata\":{\"name\":\"p\",\"namespace\":\"shop\"},"
              + "\"spec\":{\"podSelector\":{\"matchLabels\":{\"app\":\"db\"}},"
              + "\"ingress\":[{\"from\":[{\"ipBlock\":{\"cidr\":\"10.0.0.0/8\",\"except\":"
              + "[\"10.1.0.0/16\"]}}],\"ports\":[{\"port\":80,\"endPort\":90}]}]}}"
        });
    assertThat(all).hasSizeGreaterThan(3);
    seeds = all;
    runner = Executors.newSingleThreadExecutor(r -> new Thread(r, "manifest-fuzz"));
  }

  @AfterContainer
  static void stopRunner() {
    runner.shutdownNow();
  }

  @Property
  void mutatedManifestsEndInObjectsAndNamedErrorsNeverAnException(
      @ForAll("seedIndex") int seed, @ForAll("mutations") List<Mutation> mutations)
      throws Exception {
    String source = seeds.get(seed)[0];
    String text = mutate(seeds.get(seed)[1], mutations);
    Future<Manifests> read = runner.submit(() -> new Manifests().read(source, text));
    Manifests m;
    try {
      m = read.get(PER_TRY_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      read.cancel(true);
      fail("no result after %d s for %s", PER_TRY_SECONDS, text);
      return;
    } catch (ExecutionException e) {
      throw new AssertionError("undocumented " + e.getCause() + " for:\n" + text, e.getCause());
    }
    assertThat(m.errors()).allSatisfy(error -> assertThat(error).startsWith(source + ": "));
    assertThat(m.policies()).allSatisfy(p -> assertThat(p.name()).isNotEmpty());
  }

  @Provide
  Arbitrary<Integer> seedIndex() {
    return Arbitraries.integers().between(0, seeds.size() - 1);
  }

  @Provide
  Arbitrary<List<Mutation>> mutations() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 4),
            Arbitraries.integers().between(0, Integer.MAX_VALUE),
            Arbitraries.integers().between(0, Integer.MAX_VALUE),
            Arbitraries.integers().between(1, 40))
        .as(Mutation::new)
        .list()
        .ofMinSize(1)
        .ofMaxSize(6);
  }

  private static String mutate(String seed, List<Mutation> mutations) {
    StringBuilder b = new StringBuilder(seed);
    for (Mutation m : mutations) {
      int at = b.length() == 0 ? 0 : m.position() % (b.length() + 1);
      int end = Math.min(b.length(), at + m.length());
      switch (m.kind()) {
        case 0 -> b.insert(at, TOKENS[m.value() % TOKENS.length]);
        case 1 -> b.delete(at, end);
        case 2 -> b.insert(at, b.substring(at, end));
        case 3 -> b.setLength(at);
        default -> {
          if (at < b.length()) {
            b.setCharAt(at, (char) (32 + m.value() % 95));
          }
        }
      }
    }
    return b.toString();
  }
}
