package io.podflow.agent;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The agent's stages, one package each, depend on each other in one direction: capture feeds flow,
 * flow feeds export, export names records through enrich and hands them to a sink; {@code app} is
 * the only place that wires stages together (the root package's main only starts it). The policy
 * publisher is a stage beside them, sharing with the watcher only how informers start.
 */
class AgentArchitectureTest {
  private static final JavaClasses AGENT =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.podflow.agent");

  @Test
  void stagesDependOnEachOtherInOneDirectionOnly() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("App")
        .definedBy("io.podflow.agent.app..")
        .layer("Config")
        .definedBy("io.podflow.agent.config..")
        .layer("Export")
        .definedBy("io.podflow.agent.export..")
        .layer("Enrich")
        .definedBy("io.podflow.agent.enrich..")
        .layer("Policies")
        .definedBy("io.podflow.agent.policies..")
        .layer("K8s")
        .definedBy("io.podflow.agent.k8s..")
        .layer("Publish")
        .definedBy("io.podflow.agent.publish..")
        .layer("Flow")
        .definedBy("io.podflow.agent.flow..")
        .layer("Decode")
        .definedBy("io.podflow.agent.decode..")
        .layer("Capture")
        .definedBy("io.podflow.agent.capture..")
        .layer("Logging")
        .definedBy("io.podflow.agent.logging..")
        .whereLayer("App")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("Config")
        .mayOnlyBeAccessedByLayers("App")
        .whereLayer("Export")
        .mayOnlyBeAccessedByLayers("App")
        // The export stage writes to a FlowSink: it knows neither Kafka's publisher nor capture.
        .whereLayer("Export")
        .mayOnlyAccessLayers("Flow", "Enrich")
        .whereLayer("Enrich")
        .mayOnlyBeAccessedByLayers("Export", "App")
        // The policy publisher is its own stage: Kafka's producer settings and informers, nothing
        // of the flow path.
        .whereLayer("Policies")
        .mayOnlyBeAccessedByLayers("Config", "App")
        .whereLayer("Policies")
        .mayOnlyAccessLayers("Publish", "K8s")
        // One place starts informers, for the watcher and the policy publisher; it needs no stage.
        .whereLayer("K8s")
        .mayOnlyBeAccessedByLayers("Enrich", "Policies", "App")
        .whereLayer("K8s")
        .mayNotAccessAnyLayer()
        .whereLayer("Publish")
        .mayOnlyBeAccessedByLayers("Policies", "Config", "App")
        .whereLayer("Flow")
        .mayOnlyBeAccessedByLayers("Export", "Config", "App")
        .whereLayer("Decode")
        .mayOnlyBeAccessedByLayers("Flow", "App")
        .whereLayer("Capture")
        .mayOnlyBeAccessedByLayers("Flow", "Config", "App")
        .whereLayer("Logging")
        .mayNotBeAccessedByAnyLayer()
        .check(AGENT);
  }
}
