package io.twa4j.core.safetensors;

import ai.djl.ndarray.types.Shape;

/**
 * One tensor as the header describes it.
 *
 * @param name the tensor's name
 * @param dtype its element type
 * @param shape its shape ({@code ()} for a scalar)
 * @param begin where its data begins, relative to the byte buffer
 * @param end where its data ends (exclusive)
 */
public record Entry(String name, Dtype dtype, Shape shape, long begin, long end) {
    /** The length of the tensor's data in bytes. */
    public long byteLength() {
        return end - begin;
    }
}
