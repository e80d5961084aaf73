package io.twa4j.spark;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The pom's copy of Spark's JVM options (the test JVM's argLine) has all of Spark's list. */
class SparkJvmTest {

    @Test
    void thisJvmOpensEverythingSparkNeeds() {
        assertThat(SparkJvm.moduleOptions()).contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
        assertThat(SparkJvm.missingOpens()).isEmpty();
    }
}
