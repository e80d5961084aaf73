package io.twa4j.core.torch;

import java.nio.ByteBuffer;

/**
 * One storage of a {@code torch.save} archive: the raw bytes of entry {@code data/<key>}, {@code
 * numel} elements of {@code dtype} in the archive's byte order (the buffer's order). Tensors are
 * views of it ({@link Views}).
 */
record Storage(String key, TorchDtype dtype, long numel, ByteBuffer bytes) {}
