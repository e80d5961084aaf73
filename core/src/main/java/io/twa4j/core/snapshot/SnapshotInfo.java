package io.twa4j.core.snapshot;

import io.twa4j.core.io.FileDigest;

/**
 * One entry of the snapshot manifest.
 *
 * @param index the snapshot's position in the history, from 0
 * @param meta where in training it was taken
 * @param file the file name inside the snapshot directory ({@code NNNNNN.safetensors})
 * @param bytes the file's size
 * @param sha256 the file's SHA-256, 64 lower-case hex digits
 */
public record SnapshotInfo(int index, SnapshotMeta meta, String file, long bytes, String sha256) {

    /** Checks that the fields are present and well-formed. */
    public SnapshotInfo {
        if (index < 0) {
            throw new IllegalArgumentException("negative index " + index);
        }
        if (meta == null || file == null) {
            throw new IllegalArgumentException("meta and file are required");
        }
        new FileDigest(bytes, sha256); // validates both
    }

    /** The size and checksum recorded for the file. */
    public FileDigest digest() {
        return new FileDigest(bytes, sha256);
    }
}
