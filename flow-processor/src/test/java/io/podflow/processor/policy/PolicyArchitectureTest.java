package io.podflow.processor.policy;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The policy engine is a plain library: the job, the CLI and tests use it as it is. */
class PolicyArchitectureTest {
  @Test
  void policyDependsOnNoFrameworkOrServerClient() {
    JavaClasses classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.podflow.processor.policy");

    noClasses()
        .that()
        .resideInAPackage("io.podflow.processor.policy..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.flink..", "io.fabric8..", "org.opensearch..", "org.apache.kafka..")
        .because("policy/ is a pure engine: converted to at the edges, never importing them")
        .check(classes);
  }
}
