package io.twa4j.run;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.twa4j.core.snapshot.SnapshotStore;
import io.twa4j.run.check.RunVerifier;
import io.twa4j.run.config.RunConfig;
import io.twa4j.run.train.TrainingJob;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run directory written by twa4j before the run layer (commit 05eda5b: flat run.json of 23
 * fields, the snapshot manifest, a state record): {@code train --data synthetic --train-limit 640
 * --test-limit 100 --batch-size 16 --epochs 2 --seed 7}, stopped by SIGTERM in epoch 2 after step
 * 5 (the older of its two states removed to keep the fixture small). Today's code must read it,
 * find it intact, and finish it.
 */
class OldRunDirectoryTest {

    @TempDir
    Path temp;

    @Test
    void anOldRunDirectoryIsIntactAndResumes() throws IOException, URISyntaxException {
        Path run = copyOfFixture();
        RunVerifier.Report before = RunVerifier.verify(run);
        assertThat(before.problems()).isEmpty();
        assertThat(before.snapshots()).isEqualTo(2);

        RunConfig config = RunDirectory.open(run).readConfig();
        assertThat(config.command()).isEqualTo("train");
        assertThat(config.data().data()).isEqualTo("synthetic");
        assertThat(config.data().trainLimit()).isEqualTo(640);
        assertThat(config.data().batchSize()).isEqualTo(16);
        assertThat(config.model().inputShape()).isEqualTo(List.of(1, 28, 28));
        assertThat(config.optimizer().milestones()).isEqualTo(List.of(0.5, 0.75));
        assertThat(config.seed()).isEqualTo(7);
        String snapshot1 = SnapshotStore.open(run).get(1).sha256();

        TrainingJob.Outcome resumed = TrainingJob.resume(run, Device.cpu(), Console.silent());
        assertThat(resumed.epochs()).hasSize(1);
        assertThat(resumed.epochs().get(0).epoch()).isEqualTo(2);
        assertThat(SnapshotStore.open(run).size()).isEqualTo(3);
        assertThat(SnapshotStore.open(run).get(1).sha256()).as("snapshots before the state are kept").isEqualTo(snapshot1);
        assertThat(Files.readAllLines(run.resolve("metrics.jsonl"))).hasSize(2);
        RunVerifier.Report after = RunVerifier.verify(run);
        assertThat(after.problems()).isEmpty();
        assertThat(after.snapshots()).isEqualTo(3);
    }

    private Path copyOfFixture() throws IOException, URISyntaxException {
        Path fixture = Path.of(OldRunDirectoryTest.class.getResource("/fixtures/train-stopped-0.1/run.json").toURI()).getParent();
        Path copy = temp.resolve("run");
        try (Stream<Path> paths = Files.walk(fixture)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = copy.resolve(fixture.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return copy;
    }
}
