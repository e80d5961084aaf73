package io.twa4j.spark;

import io.twa4j.core.collective.Collective;
import java.io.Serializable;
import org.apache.spark.BarrierTaskContext;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction1;

/**
 * One task of an attempt of the barrier stage, on an executor: it joins the attempt's group as
 * rank = its partition, runs the {@link WorkerTask}, leaves the group, and yields its {@link
 * WorkerResult}. A task that throws fails with a {@link WorkerTaskException} naming the rank.
 */
final class BarrierWorker extends AbstractFunction1<Iterator<Integer>, Iterator<WorkerResult>>
        implements Serializable {

    private static final long serialVersionUID = 1L;

    private final AttemptGroup.Joiner joiner;
    private final int size;
    private final int attempt;
    private final WorkerTask task;

    /** Rank r of {@code size} joins through {@code joiner}, in attempt {@code attempt} (from 1). */
    BarrierWorker(AttemptGroup.Joiner joiner, int size, int attempt, WorkerTask task) {
        this.joiner = joiner;
        this.size = size;
        this.attempt = attempt;
        this.task = task;
    }

    @Override
    public Iterator<WorkerResult> apply(Iterator<Integer> ignored) {
        BarrierTaskContext context = BarrierTaskContext.get();
        int rank = context.partitionId();
        int exitCode;
        try {
            if (context.numPartitions() != size || context.getTaskInfos().length != size) {
                throw new IllegalStateException("a stage of " + size + " workers runs " + context.getTaskInfos().length
                        + " of " + context.numPartitions() + " partitions");
            }
            try (Collective collective = joiner.join(rank, size, executorHost(context, rank))) {
                exitCode = task.run(collective, attempt);
            }
        } catch (Exception e) {
            throw new WorkerTaskException(rank, attempt, e);
        }
        return scala.collection.Iterator$.MODULE$.single(new WorkerResult(rank, exitCode));
    }

    /** The host Spark knows this task's executor by ({@code host:port} in the barrier's task infos). */
    private static String executorHost(BarrierTaskContext context, int rank) {
        String address = context.getTaskInfos()[rank].address();
        int colon = address.lastIndexOf(':');
        return colon > 0 ? address.substring(0, colon) : address;
    }
}
