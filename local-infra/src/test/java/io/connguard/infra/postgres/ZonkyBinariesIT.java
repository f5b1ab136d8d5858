package io.connguard.infra.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The fallback for machines without a PostgreSQL installation: binaries unpacked from the zonky jar. */
class ZonkyBinariesIT {

    @Test
    void aClusterRunsFromTheUnpackedZonkyBinaries() throws Exception {
        // a fresh cache root, so the unpack itself is exercised and measured; under /tmp and world-enterable
        // because the server user must reach the binaries
        Path cacheRoot = Files.createTempDirectory(Path.of("/tmp"), "connguard-zonky-it-");
        Files.setPosixFilePermissions(cacheRoot, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            long started = System.nanoTime();
            PgBinaries binaries = PgBinaries.fromZonkyJar(cacheRoot);
            System.out.printf(
                    "[measure] zonky binaries unpack: %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            assertThat(binaries.binDir()).startsWith(cacheRoot);

            long reused = System.nanoTime();
            assertThat(PgBinaries.fromZonkyJar(cacheRoot)).isEqualTo(binaries);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - reused))
                    .as("a second lookup reuses the unpacked tree")
                    .isLessThan(1_000);

            long clusterStarted = System.nanoTime();
            try (LocalPostgresCluster cluster =
                    LocalPostgresCluster.start(PostgresOptions.defaults().maxConnections(20), binaries)) {
                System.out.printf(
                        "[measure] zonky PostgreSQL cluster start: %d ms%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - clusterStarted));
                String version = SuperuserJdbc.queryString(cluster, "SELECT version()");
                assertThat(version).startsWith("PostgreSQL 17.5");
                assertThat(SuperuserJdbc.queryString(cluster, "SHOW max_connections"))
                        .isEqualTo("20");
            }
        } finally {
            Directories.deleteRecursively(cacheRoot);
        }
    }
}
