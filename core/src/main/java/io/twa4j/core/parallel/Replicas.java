package io.twa4j.core.parallel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.twa4j.core.collective.Collective;
import io.twa4j.core.params.FlatParameters;

/**
 * Keeps the replicas of a model on the ranks of a data-parallel run equal where they must be: at
 * the start every rank takes rank 0's weights (as PyTorch's DDP does when it wraps a model), and
 * before an evaluation every rank takes rank 0's BatchNorm statistics (DDP's
 * {@code broadcast_buffers}), so that all ranks evaluate the model rank 0 records.
 */
public final class Replicas {

    private Replicas() {}

    /**
     * Overwrites {@code arrays} on every rank with rank 0's values (nothing to do for one rank or
     * an empty layout). Temporaries go into {@code scope}.
     */
    public static void copyFromLeader(Collective collective, FlatParameters arrays, NDManager scope) {
        if (collective.size() == 1 || arrays.size() == 0) {
            return;
        }
        float[] values = arrays.read(scope).toFloatArray();
        collective.broadcast(values, 0);
        NDArray flat = scope.create(values);
        arrays.write(flat);
    }
}
