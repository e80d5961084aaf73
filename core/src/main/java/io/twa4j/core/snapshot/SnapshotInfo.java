package io.twa4j.core.snapshot;

import io.twa4j.core.io.FileDigest;

/**
 * One entry of the snapshot manifest.
 *
 * @param index the snapshot's position in the history, from 0
 * @param meta where in training it was taken
 * @param file the file name inside the snapshot directory ({@code NNNNNN.safetensors})
 * @param digest the file's size and SHA-256
 */
public record SnapshotInfo(int index, SnapshotMeta meta, String file, FileDigest digest) {

    /** Checks that the fields are present and well-formed. */
    public SnapshotInfo {
        if (index < 0) {
            throw new IllegalArgumentException("negative index " + index);
        }
        if (meta == null || file == null || digest == null) {
            throw new IllegalArgumentException("meta, file and digest are required");
        }
    }

    /** The file's size in bytes. */
    public long bytes() {
        return digest.bytes();
    }

    /** The file's SHA-256, 64 lower-case hex digits. */
    public String sha256() {
        return digest.sha256Hex();
    }
}
