package io.connguard.mitigator.policy;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The policy engine stays pure: decisions are testable with a clock and no broker, cluster or database. */
class PolicyPurityTest {

    @Test
    void thePolicyPackageTalksToNoExternalSystem() {
        noClasses()
                .that()
                .resideInAPackage("io.connguard.mitigator.policy..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.fabric8..",
                        "java.sql..",
                        "org.postgresql..",
                        "java.net.http..",
                        "org.apache.kafka..",
                        "io.smallrye.reactive.messaging..",
                        "io.vertx..",
                        "jakarta.enterprise..",
                        "io.quarkus..")
                .check(new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("io.connguard.mitigator.policy"));
    }
}
