package io.ispasp;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package graph of the product classes (target/classes; not the tests, not the benchmarks) stays a DAG, and the
 * embedding API stays a facade: only the CLI (and users) build on {@code io.ispasp.api}; everything below it shares
 * {@code io.ispasp.core}.
 */
class ArchitectureTest {
    static JavaClasses product;

    @BeforeAll
    static void importProduct() {
        product = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.ispasp");
        assertTrue(product.contain(io.ispasp.api.PruningJob.class) && product.contain(io.ispasp.core.Method.class),
                "the product classes were imported");
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("io.ispasp.(**)").should().beFreeOfCycles().check(product);
    }

    @Test
    void onlyTheCliDependsOnTheApi() {
        noClasses().that().resideOutsideOfPackages("io.ispasp.api..", "io.ispasp.cli..")
                .should().dependOnClassesThat().resideInAPackage("io.ispasp.api..")
                .because("io.ispasp.api is the facade for users; the engine shares io.ispasp.core instead")
                .check(product);
    }

    @Test
    void theProductDoesNotUseTheBenchmarks() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("io.ispasp.bench..", "org.openjdk.jmh..")
                .because("the benchmarks are compiled apart (target/bench-classes) and jmh-core is not a dependency of the jar")
                .check(product);
    }
}
