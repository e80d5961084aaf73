package io.twa4j.core.twa;

import ai.djl.ndarray.NDManager;
import io.twa4j.core.snapshot.SnapshotMeta;
import io.twa4j.core.snapshot.SnapshotRecorder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Grows a {@link BlockBasis} from a training run's snapshots as they are taken, so a run can go
 * straight into TWA without writing or reading snapshot files.
 */
public final class BasisSink implements SnapshotRecorder.Sink {

    private final BlockBasis basis;
    private final NDManager manager;
    private final List<SnapshotMeta> taken = new ArrayList<>();

    /** Adds the model's parameters to every block of {@code basis} at each snapshot; temporaries in sub-managers of {@code manager}. */
    public BasisSink(BlockBasis basis, NDManager manager) {
        this.basis = basis;
        this.manager = manager;
    }

    @Override
    public void snapshot(int ordinal, SnapshotMeta meta) {
        try (NDManager scope = manager.newSubManager()) {
            basis.add(ordinal, block -> block.read(scope));
        }
        taken.add(meta);
    }

    /** The snapshots added so far, in order (the basis calls them 0, 1, ...). */
    public List<SnapshotMeta> taken() {
        return Collections.unmodifiableList(taken);
    }
}
