package io.twa4j.core.safetensors;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a safetensors file.
 *
 * @param tensors the tensors in the order of their data in the file
 * @param metadata the {@code __metadata__} map (empty if absent), in file order
 * @param dataStart the file offset at which the byte buffer begins ({@code 8 + N})
 */
public record Header(List<Entry> tensors, Map<String, String> metadata, long dataStart) {
    /** Makes the lists and maps unmodifiable. */
    public Header {
        tensors = List.copyOf(tensors);
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** The tensor names in file order. */
    public List<String> names() {
        return tensors.stream().map(Entry::name).toList();
    }

    /** The tensor named {@code name}, or {@code null}. */
    public Entry entry(String name) {
        return tensors.stream().filter(e -> e.name().equals(name)).findFirst().orElse(null);
    }

    /** The size of the whole file. */
    public long fileBytes() {
        return dataStart + (tensors.isEmpty() ? 0 : tensors.get(tensors.size() - 1).end());
    }
}
