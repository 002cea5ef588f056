package io.podflow.processor.policy;

import static io.podflow.processor.policy.Cluster.namespace;
import static io.podflow.processor.policy.Cluster.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.podflow.processor.policy.Decision.Action;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * NetworkPolicy semantics, case by case: every example of the Kubernetes documentation page on
 * Network Policies and the classic recipes, on a small cluster.
 */
class PolicyEngineTest {
  /** Namespaces default (no labels), shop (team=shop), web (team=web, project=myproject). */
  private static final String PODS =
      namespace("default", "")
          + namespace("shop", "team: shop")
          + namespace("web", "team: web, project: myproject")
          + pod("default", "db", "10.1.0.10", "role: db")
          + pod("default", "frontend", "10.1.0.11", "role: frontend")
          + pod("default", "other", "10.1.0.12", "role: other")
          + pod("shop", "api", "10.1.1.10", "app: api")
          + pod("shop", "db", "10.1.1.11", "app: db, tier: data")
          + pod("web", "web", "10.1.2.10", "app: web")
          + pod("web", "frontend", "10.1.2.11", "role: frontend");

  record Case(
      String name,
      String policies,
      String from,
      String to,
      int port,
      String protocol,
      boolean allowed) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() {
    String denyAllIngress =
        policy("default", "default-deny-ingress", "{}", "policyTypes: [Ingress]");
    String allowAllIngress =
        policy("default", "allow-all-ingress", "{}", "ingress: [{}]\n  policyTypes: [Ingress]");
    String denyAllEgress = policy("default", "default-deny-egress", "{}", "policyTypes: [Egress]");
    String allowAllEgress =
        policy("default", "allow-all-egress", "{}", "egress: [{}]\n  policyTypes: [Egress]");
    String denyAll = policy("default", "default-deny-all", "{}", "policyTypes: [Ingress, Egress]");
    // The documentation's test-network-policy.
    String docsExample =
        policy(
            "default",
            "test-network-policy",
            "{matchLabels: {role: db}}",
            """
            policyTypes: [Ingress, Egress]
              ingress:
              - from:
                - ipBlock: {cidr: 172.17.0.0/16, except: [172.17.1.0/24]}
                - namespaceSelector: {matchLabels: {project: myproject}}
                - podSelector: {matchLabels: {role: frontend}}
                ports: [{protocol: TCP, port: 6379}]
              egress:
              - to: [{ipBlock: {cidr: 10.0.0.0/24}}]
                ports: [{protocol: TCP, port: 5978}]""");
    String andSelector =
        policy(
            "shop",
            "db-allow-web-frontends",
            "{matchLabels: {app: db}}",
            "ingress: [{from: [{namespaceSelector: {matchLabels: {team: web}}, podSelector: {matchLabels: {role: frontend}}}]}]");
    String orSelector =
        policy(
            "shop",
            "db-allow-web-or-frontends",
            "{matchLabels: {app: db}}",
            "ingress: [{from: [{namespaceSelector: {matchLabels: {team: web}}}, {podSelector: {matchLabels: {role: frontend}}}]}]");
    String sameNamespace =
        policy("shop", "allow-same-namespace", "{}", "ingress: [{from: [{podSelector: {}}]}]");
    String dnsOnly =
        policy(
            "default",
            "egress-dns-only",
            "{}",
            "policyTypes: [Egress]\n  egress: [{ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]}]");
    String endPort =
        policy(
            "default",
            "multi-port-egress",
            "{matchLabels: {role: db}}",
            "policyTypes: [Egress]\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/24}}], ports: [{protocol: TCP, port: 32000, endPort: 32768}]}]");
    String namedPort =
        policy(
            "shop",
            "db-named-port",
            "{matchLabels: {app: db}}",
            "ingress: [{ports: [{port: http}]}]");
    String expressions =
        policy(
            "shop",
            "db-expressions",
            "{matchExpressions: [{key: tier, operator: In, values: [data, cache]}]}",
            "ingress: [{from: [{podSelector: {matchExpressions: [{key: app, operator: NotIn, values: [web]}, {key: app, operator: Exists}]}}]}]");
    String doesNotExist =
        policy(
            "default",
            "no-role-only",
            "{matchLabels: {role: db}}",
            "ingress: [{from: [{podSelector: {matchExpressions: [{key: role, operator: DoesNotExist}]}}]}]");
    String byName =
        policy(
            "shop",
            "db-from-web-namespace",
            "{matchLabels: {app: db}}",
            "ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: web}}}]}]");
    return Stream.of(
            new Case("no policy: allowed", "", "10.1.0.11", "10.1.0.10", 80, "TCP", true),
            new Case(
                "default deny ingress", denyAllIngress, "10.1.0.11", "10.1.0.10", 80, "TCP", false),
            new Case(
                "default deny ingress leaves egress",
                denyAllIngress,
                "10.1.0.10",
                "10.1.1.10",
                80,
                "TCP",
                true),
            new Case(
                "allow all ingress",
                denyAllIngress + allowAllIngress,
                "10.1.2.10",
                "10.1.0.10",
                80,
                "TCP",
                true),
            new Case(
                "default deny egress", denyAllEgress, "10.1.0.10", "10.1.1.10", 80, "TCP", false),
            new Case(
                "default deny egress to outside",
                denyAllEgress,
                "10.1.0.10",
                "8.8.8.8",
                443,
                "TCP",
                false),
            new Case(
                "allow all egress",
                denyAllEgress + allowAllEgress,
                "10.1.0.10",
                "8.8.8.8",
                443,
                "TCP",
                true),
            new Case("deny all: ingress", denyAll, "10.1.1.10", "10.1.0.10", 80, "TCP", false),
            new Case("deny all: egress", denyAll, "10.1.0.10", "10.1.1.10", 80, "TCP", false),
            new Case(
                "docs: frontend in the namespace to db 6379",
                docsExample,
                "10.1.0.11",
                "10.1.0.10",
                6379,
                "TCP",
                true),
            new Case(
                "docs: other port denied",
                docsExample,
                "10.1.0.11",
                "10.1.0.10",
                6380,
                "TCP",
                false),
            new Case(
                "docs: UDP 6379 denied", docsExample, "10.1.0.11", "10.1.0.10", 6379, "UDP", false),
            new Case(
                "docs: pod of a namespace project=myproject",
                docsExample,
                "10.1.2.10",
                "10.1.0.10",
                6379,
                "TCP",
                true),
            new Case(
                "docs: other pod of the namespace denied",
                docsExample,
                "10.1.0.12",
                "10.1.0.10",
                6379,
                "TCP",
                false),
            new Case(
                "docs: shop pod denied", docsExample, "10.1.1.10", "10.1.0.10", 6379, "TCP", false),
            new Case(
                "docs: ipBlock address", docsExample, "172.17.0.5", "10.1.0.10", 6379, "TCP", true),
            new Case(
                "docs: ipBlock except", docsExample, "172.17.1.5", "10.1.0.10", 6379, "TCP", false),
            new Case(
                "docs: egress to 10.0.0.0/24 port 5978",
                docsExample,
                "10.1.0.10",
                "10.0.0.7",
                5978,
                "TCP",
                true),
            new Case(
                "docs: egress to another port",
                docsExample,
                "10.1.0.10",
                "10.0.0.7",
                80,
                "TCP",
                false),
            new Case(
                "docs: egress elsewhere", docsExample, "10.1.0.10", "10.0.1.7", 5978, "TCP", false),
            new Case(
                "docs: unselected pod untouched",
                docsExample,
                "10.1.0.12",
                "10.1.0.11",
                80,
                "TCP",
                true),
            new Case(
                "namespace AND pod selector: both",
                andSelector,
                "10.1.2.11",
                "10.1.1.11",
                5432,
                "TCP",
                true),
            new Case(
                "namespace AND pod selector: namespace only",
                andSelector,
                "10.1.2.10",
                "10.1.1.11",
                5432,
                "TCP",
                false),
            new Case(
                "namespace AND pod selector: pod only",
                andSelector,
                "10.1.0.11",
                "10.1.1.11",
                5432,
                "TCP",
                false),
            new Case(
                "namespace OR pod selector: namespace",
                orSelector,
                "10.1.2.10",
                "10.1.1.11",
                5432,
                "TCP",
                true),
            new Case(
                "namespace OR pod selector: pod of the policy's namespace only",
                orSelector,
                "10.1.0.11",
                "10.1.1.11",
                5432,
                "TCP",
                false),
            new Case(
                "allow same namespace: same",
                sameNamespace,
                "10.1.1.10",
                "10.1.1.11",
                5432,
                "TCP",
                true),
            new Case(
                "allow same namespace: other",
                sameNamespace,
                "10.1.2.10",
                "10.1.1.11",
                5432,
                "TCP",
                false),
            new Case(
                "egress DNS only: UDP 53", dnsOnly, "10.1.0.10", "10.96.0.10", 53, "UDP", true),
            new Case(
                "egress DNS only: TCP 53", dnsOnly, "10.1.0.10", "10.96.0.10", 53, "TCP", true),
            new Case(
                "egress DNS only: HTTPS", dnsOnly, "10.1.0.10", "10.96.0.10", 443, "TCP", false),
            new Case("endPort: first", endPort, "10.1.0.10", "10.0.0.7", 32000, "TCP", true),
            new Case("endPort: last", endPort, "10.1.0.10", "10.0.0.7", 32768, "TCP", true),
            new Case("endPort: after", endPort, "10.1.0.10", "10.0.0.7", 32769, "TCP", false),
            new Case(
                "named port: resolved", namedPort, "10.1.1.10", "10.1.1.11", 8080, "TCP", true),
            new Case(
                "named port: other number", namedPort, "10.1.1.10", "10.1.1.11", 80, "TCP", false),
            new Case(
                "named port: protocol must match",
                namedPort,
                "10.1.1.10",
                "10.1.1.11",
                8080,
                "UDP",
                false),
            new Case(
                "expressions: In / NotIn / Exists",
                expressions,
                "10.1.1.10",
                "10.1.1.11",
                5432,
                "TCP",
                true),
            new Case(
                "expressions: NotIn excludes",
                expressions,
                "10.1.2.10",
                "10.1.1.11",
                5432,
                "TCP",
                false),
            new Case(
                "expressions: DoesNotExist",
                doesNotExist,
                "10.1.1.10",
                "10.1.0.10",
                80,
                "TCP",
                false),
            new Case(
                "a pod may always reach itself",
                denyAll,
                "10.1.0.10",
                "10.1.0.10",
                80,
                "TCP",
                true),
            new Case(
                "namespace by its name label", byName, "10.1.2.10", "10.1.1.11", 5432, "TCP", true),
            new Case(
                "namespace by name: another one",
                byName,
                "10.1.0.11",
                "10.1.1.11",
                5432,
                "TCP",
                false))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void verdictsFollowTheApi(Case c) {
    Decision d =
        Cluster.of(PODS + c.policies())
            .decide(c.from(), c.to(), c.port(), Protocol.parse(c.protocol()));

    assertThat(d.allowed()).as(d.explanation()).isEqualTo(c.allowed());
    assertThat(d.revision()).isEqualTo("test@1");
  }

  @Test
  void explainsADenialWithThePolicyItsRulesAndTheSource() {
    String policy =
        policy(
            "shop",
            "db-allow-api",
            "{matchLabels: {app: db}}",
            "ingress: [{from: [{podSelector: {matchLabels: {app: api}}, namespaceSelector: {matchLabels: {team: shop}}}]}]");

    Decision d = Cluster.of(PODS + policy).tcp("10.1.2.10", "10.1.1.11", 5432);

    assertThat(d.allowed()).isFalse();
    assertThat(d.ingress().action()).isEqualTo(Action.DENIED);
    assertThat(d.ingress().isolatedBy())
        .extracting(Object::toString)
        .containsExactly("shop/db-allow-api");
    assertThat(d.egress().action()).isEqualTo(Action.NOT_SELECTED);
    assertThat(d.explanation())
        .isEqualTo(
            "ingress to shop/db denied: isolated by shop/db-allow-api; its rule 0 allows pods app=api"
                + " in namespaces team=shop; source is app=web in namespace web");
  }

  @Test
  void namesThePolicyAndRuleThatAllowed() {
    String policies =
        policy("shop", "a-deny", "{matchLabels: {app: db}}", "policyTypes: [Ingress]")
            + policy(
                "shop",
                "b-allow-api",
                "{matchLabels: {app: db}}",
                "ingress: [{ports: [{port: 9999}]}, {from: [{podSelector: {matchLabels: {app: api}}}]}]");

    Decision d = Cluster.of(PODS + policies).tcp("10.1.1.10", "10.1.1.11", 5432);

    assertThat(d.allowed()).isTrue();
    assertThat(d.ingress().allowedBy()).hasToString("shop/b-allow-api rule 1");
    assertThat(d.ingress().isolatedBy())
        .extracting(Object::toString)
        .containsExactly("shop/a-deny", "shop/b-allow-api");
    assertThat(d.explanation())
        .isEqualTo(
            "allowed: egress from shop/api not isolated; ingress to shop/db by shop/b-allow-api rule 1");
  }

  @Test
  void withoutPoliciesBothSidesSayTheyAreNotIsolated() {
    Decision d = Cluster.of(PODS).tcp("10.1.0.11", "10.1.0.10", 80);

    assertThat(d.egress().isolated()).isFalse();
    assertThat(d.ingress().action()).isEqualTo(Action.NOT_SELECTED);
    assertThat(d.explanation())
        .contains("no policy selects default/frontend for egress or default/db for ingress");
  }

  @Test
  void hostNetworkPodsAreNeitherIsolatedNorMatchedByPodSelectors() {
    String cluster =
        PODS
            + pod("default", "agent", "192.168.0.5", "role: frontend", ", hostNetwork: true")
            + policy(
                "default",
                "db-from-frontend",
                "{matchLabels: {role: db}}",
                "ingress: [{from: [{podSelector: {matchLabels: {role: frontend}}}]}]")
            + policy("default", "deny-all", "{}", "policyTypes: [Ingress, Egress]");

    Cluster c = Cluster.of(cluster);

    assertThat(c.tcp("192.168.0.5", "10.1.0.10", 80).allowed()).isFalse(); // not a frontend pod
    assertThat(c.tcp("192.168.0.5", "10.1.0.10", 80).egress().action())
        .isEqualTo(Action.NOT_SELECTED);
  }

  @Test
  void rejectsInvalidPoliciesOneByOneAndKeepsTheOthers() {
    String bad =
        policy("default", "bad-cidr", "{}", "ingress: [{from: [{ipBlock: {cidr: 10.0.0.300/8}}]}]")
            + policy(
                "default",
                "bad-operator",
                "{matchExpressions: [{key: a, operator: Maybe}]}",
                "policyTypes: [Ingress]")
            + "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: no-selector}\nspec: {policyTypes: [Ingress]}\n"
            + policy(
                "default",
                "bad-except",
                "{}",
                "ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}}]}]")
            + policy("default", "good", "{matchLabels: {role: db}}", "policyTypes: [Ingress]");

    Cluster c = Cluster.withErrors(PODS + bad);

    assertThat(c.manifests().errors())
        .hasSize(4)
        .anySatisfy(
            e ->
                assertThat(e)
                    .contains("NetworkPolicy bad-cidr")
                    .contains("spec.ingress[0].from[0].ipBlock.cidr")
                    .contains("10.0.0.300/8"))
        .anySatisfy(
            e ->
                assertThat(e)
                    .contains("NetworkPolicy bad-operator")
                    .contains("unknown operator 'Maybe'"))
        .anySatisfy(
            e ->
                assertThat(e)
                    .contains("NetworkPolicy no-selector")
                    .contains("spec.podSelector is missing"))
        .anySatisfy(
            e ->
                assertThat(e)
                    .contains("NetworkPolicy bad-except")
                    .contains("10.1.0.0/24 is not a strict subset of 10.0.0.0/16"));
    assertThat(c.manifests().policies()).extracting(NetworkPolicy::name).containsExactly("good");
    assertThat(c.tcp("10.1.0.11", "10.1.0.10", 80).allowed()).isFalse();
  }

  static String policy(String namespace, String name, String podSelector, String rest) {
    return "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: "
        + name
        + ", namespace: "
        + namespace
        + "}\nspec:\n  podSelector: "
        + podSelector
        + "\n  "
        + rest
        + "\n";
  }
}
