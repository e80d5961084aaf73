package io.twa4j.run.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.twa4j.core.parallel.ThreadRanks;
import io.twa4j.run.Console;
import io.twa4j.run.RunError;
import io.twa4j.run.RunLock;
import io.twa4j.run.config.DataConfig;
import io.twa4j.run.config.OptimizerConfig;
import io.twa4j.run.config.RunConfig;
import io.twa4j.run.train.TrainingJob;
import io.twa4j.run.twa.SnapshotTwa;
import io.twa4j.run.twa.TwaSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run layer on two ranks (threads of this JVM): rank 0 alone writes the run, which has the
 * files one process writes; a stop on one rank stops both, and the resumed run ends where the
 * uninterrupted one does, bit for bit.
 */
@Timeout(600)
class MultiWorkerRunTest {

    @TempDir
    Path temp;

    private static RunConfig config() {
        return RunConfig.train(DataConfig.of("synthetic").limit(256, 64), "cnn", OptimizerConfig.reference(2, 0.05), 1);
    }

    @Test
    void twoRanksWriteTheFilesOneProcessWritesOnce() throws Exception {
        Path single = temp.resolve("single");
        TrainingJob.start(TrainingJob.Request.of(config(), single), Console.silent());
        SnapshotTwa.run(single, SnapshotTwa.Request.of(twa()), Console.silent());

        Path two = temp.resolve("two");
        ThreadRanks.run(2, collective -> {
            TrainingJob.start(TrainingJob.Request.of(config(), two), Console.silent(), collective);
            return SnapshotTwa.run(two, SnapshotTwa.Request.of(twa()), Console.silent(), collective);
        });
        assertThat(files(two)).isEqualTo(files(single));
        assertThat(Files.readString(two.resolve("run.json"))).isEqualTo(Files.readString(single.resolve("run.json")));
        assertThat(Files.readAllLines(two.resolve("metrics.jsonl"))).hasSameSizeAs(Files.readAllLines(single.resolve("metrics.jsonl")));
        // the same initialisation: snapshot 0 is the one process's, bit for bit
        assertThat(Files.readAllBytes(two.resolve("snapshots/000000.safetensors")))
                .isEqualTo(Files.readAllBytes(single.resolve("snapshots/000000.safetensors")));
    }

    @Test
    void twoRankSwaWritesTheFilesOneProcessWritesAndItsAverageIsEvaluatedAlike() throws Exception {
        RunConfig base = config();
        RunConfig swa = new RunConfig("swa", base.data(), base.model(),
                new OptimizerConfig(3, 0.05, 0.9, 5e-4, io.twa4j.core.schedule.Schedules.SWA, List.of()), base.snapshots(), base.seed(),
                null, new io.twa4j.run.config.SwaConfig(2, 0.02, 1, 1), null, null, base.versions());
        Path single = temp.resolve("swa-single");
        Path two = temp.resolve("swa-two");
        TrainingJob.Outcome one = TrainingJob.start(TrainingJob.Request.of(swa, single), Console.silent());
        List<TrainingJob.Outcome> ranks = ThreadRanks.run(2, collective -> TrainingJob.start(TrainingJob.Request.of(swa, two),
                Console.silent(), collective));
        assertThat(files(two)).isEqualTo(files(single)).contains("swa.safetensors");
        // both ranks report the same evaluation of the average (shared, of rank 0's model)
        assertThat(ranks.get(1).averages().get("swa")).isEqualTo(ranks.get(0).averages().get("swa"));
        assertThat(ranks.get(0).averages().get("swa").examples()).isEqualTo(one.averages().get("swa").examples());
    }

    @Test
    void twaOnABasisSplitAmongTheRanksGivesTheCoefficientsOfTheWholeBasis() throws Exception {
        Path run = temp.resolve("run");
        TrainingJob.start(TrainingJob.Request.of(config(), run), Console.silent());
        List<List<String>> coefficients = new java.util.ArrayList<>();
        for (boolean shard : new boolean[] {false, true}) {
            String name = shard ? "split" : "whole";
            TwaSettings settings = twa().named(name);
            ThreadRanks.run(2, collective -> SnapshotTwa.run(run, new SnapshotTwa.Request(settings, null, false, false,
                    RunLock.Mode.EXCLUSIVE, shard), Console.silent(), collective));
            coefficients.add(Files.readAllLines(run.resolve("twa/" + name + "/coefficients.csv")));
        }
        assertThat(coefficients.get(1)).hasSameSizeAs(coefficients.get(0));
        for (int line = 1; line < coefficients.get(0).size(); line++) {
            String[] whole = coefficients.get(0).get(line).split(",");
            String[] split = coefficients.get(1).get(line).split(",");
            double last = Double.parseDouble(whole[whole.length - 1]);
            assertThat(Double.parseDouble(split[split.length - 1])).as(coefficients.get(0).get(line))
                    .isCloseTo(last, org.assertj.core.data.Offset.offset(1e-5 * Math.max(1, Math.abs(last))));
        }
    }

    @Test
    void aStoppedTwoRankRunResumesToTheUninterruptedResult() throws Exception {
        Path straight = temp.resolve("straight");
        ThreadRanks.run(2, collective -> TrainingJob.start(TrainingJob.Request.of(config(), straight), Console.silent(), collective));

        Path stopped = temp.resolve("stopped");
        AtomicInteger asked = new AtomicInteger();
        assertThatThrownBy(() -> ThreadRanks.run(2, collective -> {
            // rank 1 is asked to stop at the first step of the second epoch (2 steps an epoch)
            Console console = collective.rank() == 1 ? new Console(quiet(), Console.silent().progress(), () -> asked.incrementAndGet() > 2)
                    : Console.silent();
            return TrainingJob.start(TrainingJob.Request.of(config(), stopped), console, collective);
        })).isInstanceOf(RunError.class).hasMessageContaining("stopped");
        assertThat(stopped.resolve("state")).isDirectory();

        ThreadRanks.run(2, collective -> TrainingJob.resume(stopped, null, RunLock.Mode.EXCLUSIVE, Console.silent(), collective));
        for (String snapshot : List.of("000001", "000002")) {
            assertThat(Files.readAllBytes(stopped.resolve("snapshots/" + snapshot + ".safetensors"))).as(snapshot)
                    .isEqualTo(Files.readAllBytes(straight.resolve("snapshots/" + snapshot + ".safetensors")));
        }
    }

    private static TwaSettings twa() {
        return TwaSettings.reference(0, 3, 128).withEpochs(1, "constant");
    }

    private static PrintStream quiet() {
        return new PrintStream(OutputStream.nullOutputStream());
    }

    /** The run's files, relative, sorted. */
    private static List<String> files(Path run) throws IOException {
        try (Stream<Path> walk = Files.walk(run)) {
            return walk.filter(Files::isRegularFile).map(file -> run.relativize(file).toString()).sorted().toList();
        }
    }
}
