package io.twa4j.core.torch;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * What {@code torch._utils._rebuild_tensor_v2}, {@code _rebuild_tensor} and {@code
 * _rebuild_parameter} do, for the arguments a pickle gives them, each checked for its type.
 */
final class Rebuild {

    /** The most dimensions we accept (PyTorch's limit is 64). */
    private static final int MAX_DIMS = 64;

    private Rebuild() {}

    /**
     * {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
     * backward_hooks[, metadata])}; the hooks must be a dict (an empty OrderedDict), the metadata
     * absent, None or a dict of flags that are all false (a set {@code conj} or {@code neg} bit
     * would change the values, and is refused).
     */
    static TorchTensor tensorV2(List<Object> args) {
        arity("_rebuild_tensor_v2", args, 6, 7);
        if (!(args.get(4) instanceof Boolean)) {
            throw new Refusal("_rebuild_tensor_v2: requires_grad is " + typeName(args.get(4)) + ", not a bool");
        }
        hooks("_rebuild_tensor_v2", args.get(5));
        if (args.size() == 7 && args.get(6) != null) {
            if (!(args.get(6) instanceof Map<?, ?> metadata)) {
                throw new Refusal("_rebuild_tensor_v2: metadata is " + typeName(args.get(6)) + ", not a dict");
            }
            for (Map.Entry<?, ?> m : metadata.entrySet()) {
                if (!Boolean.FALSE.equals(m.getValue())) {
                    throw new Refusal("_rebuild_tensor_v2: tensor metadata " + m.getKey() + "=" + typeName(m.getValue())
                            + " is not supported (only plain tensors are read)");
                }
            }
        }
        return tensor(args.subList(0, 4));
    }

    /** {@code _rebuild_tensor(storage, storage_offset, size, stride)}. */
    static TorchTensor tensor(List<Object> args) {
        arity("_rebuild_tensor", args, 4, 4);
        if (!(args.get(0) instanceof Storage storage)) {
            throw new Refusal("the storage of a tensor is " + typeName(args.get(0)) + ", not a storage");
        }
        long offset = toLong(args.get(1), "storage_offset");
        long[] size = longs(args.get(2), "size");
        long[] stride = longs(args.get(3), "stride");
        return Views.view(storage, offset, size, stride);
    }

    /** {@code _rebuild_parameter(data, requires_grad, backward_hooks)}: the tensor itself. */
    static TorchTensor parameter(List<Object> args) {
        arity("_rebuild_parameter", args, 3, 3);
        if (!(args.get(0) instanceof TorchTensor t) || !(args.get(1) instanceof Boolean)) {
            throw new Refusal("_rebuild_parameter(" + typeName(args.get(0)) + ", " + typeName(args.get(1))
                    + ", ...): expected a tensor and a bool");
        }
        hooks("_rebuild_parameter", args.get(2));
        return t;
    }

    /** The Python type name of a value built by {@link Unpickler}. */
    static String typeName(Object v) {
        if (v == null) {
            return "None";
        } else if (v instanceof Boolean) {
            return "bool";
        } else if (v instanceof Long || v instanceof BigInteger) {
            return "int";
        } else if (v instanceof Double) {
            return "float";
        } else if (v instanceof String) {
            return "str";
        } else if (v instanceof byte[]) {
            return "bytes";
        } else if (v instanceof Unpickler.Tuple) {
            return "tuple";
        } else if (v instanceof List) {
            return "list";
        } else if (v instanceof Map) {
            return "dict";
        } else if (v instanceof TorchTensor) {
            return "tensor";
        } else if (v instanceof Storage) {
            return "storage";
        }
        return "a global";
    }

    private static void arity(String function, List<Object> args, int min, int max) {
        if (args.size() < min || args.size() > max) {
            throw new Refusal(function + " called with " + args.size() + " arguments (expected "
                    + (min == max ? min : min + " or " + max) + ")");
        }
    }

    private static void hooks(String function, Object hooks) {
        if (!(hooks instanceof Map)) {
            throw new Refusal(function + ": backward_hooks is " + typeName(hooks) + ", not a dict");
        }
    }

    private static long toLong(Object v, String what) {
        if (v instanceof Long l) {
            return l;
        }
        throw new Refusal("the " + what + " of a tensor is " + typeName(v) + ", not an int of 64 bits");
    }

    private static long[] longs(Object v, String what) {
        if (!(v instanceof Unpickler.Tuple t)) {
            throw new Refusal("the " + what + " of a tensor is " + typeName(v) + ", not a tuple");
        }
        if (t.items().size() > MAX_DIMS) {
            throw new Refusal("the " + what + " of a tensor has " + t.items().size() + " dimensions (at most "
                    + MAX_DIMS + ")");
        }
        long[] out = new long[t.items().size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = toLong(t.items().get(i), what);
        }
        return out;
    }
}
