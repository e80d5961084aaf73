package io.twa4j.spark;

/**
 * A {@link WorkerTask} that threw, as the executor reports it: the message names the rank and the
 * attempt of the stage, then the task's exception. The driver finds it in Spark's report by {@link
 * #MARKER}.
 */
public final class WorkerTaskException extends RuntimeException {

    /** What the message of every such exception starts with. */
    static final String MARKER = "twa4j worker rank ";

    private final int rank;

    /** Rank {@code rank} failed in attempt {@code attempt} (from 1) with {@code cause}. */
    public WorkerTaskException(int rank, int attempt, Throwable cause) {
        super(MARKER + rank + " failed in attempt " + attempt + ": " + describe(cause), cause);
        this.rank = rank;
    }

    /** The rank that failed. */
    public int rank() {
        return rank;
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        String type = cause.getClass().getName();
        String line = message == null || message.isBlank() ? type : type + ": " + message;
        return line.replace('\n', ' ');
    }
}
