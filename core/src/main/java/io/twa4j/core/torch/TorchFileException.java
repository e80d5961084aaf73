package io.twa4j.core.torch;

import io.twa4j.core.io.BadFileException;

/**
 * A PyTorch {@code .pt} file that twa4j refuses to read: not a {@code torch.save} zip archive, a
 * legacy (pre-1.6) file, damaged, or a pickle that asks for anything a state_dict does not need (a
 * global other than the allowed ones, an unknown opcode, ...). The message is one line naming the
 * file, the archive entry and, for the pickle, the byte offset and the opcode or global refused.
 * Nothing in a refused file is ever run.
 */
public class TorchFileException extends BadFileException {

    private static final long serialVersionUID = 1L;

    /** A refusal described by {@code message}. */
    public TorchFileException(String message) {
        super(message);
    }

    /** A refusal described by {@code message}, caused by {@code cause}. */
    public TorchFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
