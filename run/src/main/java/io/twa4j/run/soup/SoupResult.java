package io.twa4j.run.soup;

import io.twa4j.core.train.Evaluation;
import java.nio.file.Path;
import java.util.List;

/**
 * A soup made.
 *
 * @param method uniform, greedy, learned or learned-by-layer
 * @param weights the weight of each ingredient, in the order given (for learned-by-layer: per block, see {@link #blocks})
 * @param blocks the names of the blocks of a by-layer soup, one row of {@code weights} each; a single "all" otherwise
 * @param heldOut the soup's evaluation on the held-out images (BatchNorm statistics recomputed)
 * @param test the soup's evaluation on the test images
 * @param seconds wall time of the method
 * @param directory the result directory ({@code RUN/soup/METHOD})
 */
public record SoupResult(String method, List<double[]> weights, List<String> blocks, Evaluation heldOut, Evaluation test,
        double seconds, Path directory) {}
