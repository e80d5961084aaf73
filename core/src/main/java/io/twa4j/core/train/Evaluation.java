package io.twa4j.core.train;

/**
 * Loss and accuracy of a model on a dataset.
 *
 * @param loss mean cross-entropy
 * @param top1 fraction of examples whose highest-scoring class is the label
 * @param top5 fraction whose label is among the five highest scores; NaN when the task has 10
 *     classes or fewer
 * @param examples how many examples were evaluated
 */
public record Evaluation(double loss, double top1, double top5, long examples) {

    /** Whether top-5 accuracy was computed. */
    public boolean hasTop5() {
        return !Double.isNaN(top5);
    }
}
