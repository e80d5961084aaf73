package io.twa4j.core.torch;

/**
 * A reason to refuse a file, thrown inside the reader without the file's name; the unpickler adds
 * the entry and byte offset and turns it into a {@link TorchFileException}.
 */
final class Refusal extends RuntimeException {

    private static final long serialVersionUID = 1L;

    Refusal(String message) {
        super(message, null, false, false);
    }
}
