package io.twa4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Counts how often each rank has run, in files of a folder, so that executors of other JVMs count too. */
final class WorkerRuns {

    private WorkerRuns() {}

    /** Records one more run of {@code rank} in {@code folder} and returns how many there have been (from 1). */
    static int record(String folder, int rank) {
        for (int run = 1; ; run++) {
            try {
                Files.createFile(Path.of(folder, "rank-" + rank + "-run-" + run));
                return run;
            } catch (FileAlreadyExistsException taken) {
                // an earlier run of this rank
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
