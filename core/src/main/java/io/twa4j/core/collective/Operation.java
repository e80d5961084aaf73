package io.twa4j.core.collective;

/** The collective operations as they travel between ranks: a code on the wire and a name for messages. */
enum Operation {
    ALL_REDUCE_SUM(1, "allReduceSum"),
    BROADCAST(2, "broadcast"),
    BARRIER(3, "barrier");

    /** The code in a frame header. */
    final int code;

    /** The name of the {@link Collective} method, for messages. */
    final String title;

    Operation(int code, String title) {
        this.code = code;
        this.title = title;
    }

    /** The operation of {@code code}, or null when no operation has it. */
    static Operation ofCode(int code) {
        for (Operation operation : values()) {
            if (operation.code == code) {
                return operation;
            }
        }
        return null;
    }

    /** What a call of this operation was, as in "broadcast of 7 floats from rank 2". */
    String describe(int length, int root) {
        return switch (this) {
            case ALL_REDUCE_SUM -> title + " of " + length + " floats";
            case BROADCAST -> title + " of " + length + " floats from rank " + root;
            case BARRIER -> title;
        };
    }
}
