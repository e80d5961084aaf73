package io.twa4j.core.safetensors;

import ai.djl.ndarray.types.Shape;

/** A tensor to be written: its name, stored dtype and shape. */
record Planned(String name, Dtype dtype, Shape shape) {
    /** The length of the tensor's data in bytes. */
    long byteLength() {
        return shape.size() * dtype.bytes();
    }
}
