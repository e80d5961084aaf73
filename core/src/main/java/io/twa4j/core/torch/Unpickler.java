package io.twa4j.core.torch;

import io.twa4j.core.io.OneLine;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A restricted interpreter of the pickle opcodes a {@code torch.save} state_dict uses. It builds
 * plain Java values and calls nothing but its own code: Python {@code None}, bool, int, float, str
 * and bytes become {@code null}, {@link Boolean}, {@link Long} (or {@link BigInteger}), {@link
 * Double}, {@link String} and {@code byte[]}; a tuple a {@link Tuple}, a list an {@link ArrayList},
 * a dict or {@code collections.OrderedDict} a {@link LinkedHashMap}; a tensor a {@link TorchTensor}.
 *
 * <p>Accepted: the opcodes of protocol 2 that build those values ({@code PROTO}, {@code MARK},
 * {@code STOP}, {@code POP}, {@code POP_MARK}, {@code DUP}, the constants, tuples, lists, dicts,
 * the memo, {@code GLOBAL}, {@code REDUCE}, {@code BUILD}, {@code BINPERSID}) and the harmless ones
 * of protocols 3 to 5 ({@code FRAME}, {@code SHORT_BINUNICODE}, {@code BINUNICODE8}, the {@code
 * BINBYTES} family, {@code MEMOIZE}, {@code STACK_GLOBAL}). The only globals are {@code
 * collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2}, {@code _rebuild_tensor},
 * {@code _rebuild_parameter} and the storage classes of {@link TorchDtype}; a storage class only
 * as part of a persistent id. Everything else (any other global, {@code INST}, {@code OBJ}, {@code
 * NEWOBJ}, extension codes, text opcodes, out-of-band buffers, an unknown opcode, a stack
 * underflow, a length past the end of the data) is refused with a {@link TorchFileException}
 * naming the entry, the byte offset and the opcode; a declared length is checked against the bytes
 * left before anything is allocated.
 */
final class Unpickler {

    /** A Python tuple (kept apart from lists: persistent ids and call arguments are tuples). */
    record Tuple(List<Object> items) {
        Tuple {
            items = java.util.Collections.unmodifiableList(items);
        }
    }

    /** Resolves a {@code BINPERSID} id (a storage); throws {@link Refusal} for a bad one. */
    interface PersistentLoad {
        Object load(Tuple pid);
    }

    /** The callables a state_dict's pickle calls. */
    enum Callable {
        ORDERED_DICT, REBUILD_TENSOR_V2, REBUILD_TENSOR, REBUILD_PARAMETER
    }

    private static final Map<String, Object> GLOBALS = globals();
    private static final int MAX_GLOBAL_LINE = 256;

    private final String where;
    private final byte[] data;
    private final PersistentLoad persistentLoad;
    private final Map<Long, Object> memo = new HashMap<>();
    private final List<List<Object>> metastack = new ArrayList<>();
    private List<Object> stack = new ArrayList<>();
    private int pos;

    /**
     * @param where the file and entry, for messages (e.g. {@code "x.pt: archive/data.pkl"})
     * @param data the pickle
     * @param persistentLoad resolves storage ids
     */
    Unpickler(String where, byte[] data, PersistentLoad persistentLoad) {
        this.where = where;
        this.data = data;
        this.persistentLoad = persistentLoad;
    }

    /**
     * The value the pickle builds.
     *
     * @throws TorchFileException for anything outside the accepted subset, or damaged data
     */
    Object load() {
        while (true) {
            int at = pos;
            if (pos >= data.length) {
                throw new TorchFileException(where + " byte " + at + ": the pickle ends without STOP (truncated)");
            }
            int op = data[pos++] & 0xFF;
            try {
                if (op == Opcodes.STOP) {
                    return stop();
                }
                execute(op);
            } catch (Refusal e) {
                throw new TorchFileException(where + " byte " + at + " (" + Opcodes.name(op) + "): " + e.getMessage());
            } catch (ArithmeticException e) {
                throw new TorchFileException(where + " byte " + at + " (" + Opcodes.name(op) + "): a size or "
                        + "offset overflows");
            }
        }
    }

    private void execute(int op) {
        if (constant(op) || container(op) || memoOp(op)) {
            return;
        }
        switch (op) {
            case Opcodes.PROTO -> protocol(u8());
            case Opcodes.FRAME -> length(u64());
            case Opcodes.MARK -> {
                metastack.add(stack);
                stack = new ArrayList<>();
            }
            case Opcodes.POP -> pop();
            case Opcodes.POP_MARK -> popMark();
            case Opcodes.DUP -> push(peek());
            case Opcodes.GLOBAL -> push(global(line(), line()));
            case Opcodes.STACK_GLOBAL -> {
                Object name = pop();
                push(global(string(pop(), "module"), string(name, "name")));
            }
            case Opcodes.REDUCE -> reduce();
            case Opcodes.BUILD -> build();
            case Opcodes.BINPERSID -> push(persistentLoad.load(tuple(pop(), "persistent id")));
            default -> throw new Refusal(Opcodes.refusal(op));
        }
    }

    /** Pushes a constant for {@code op}; false if {@code op} is not a constant's opcode. */
    private boolean constant(int op) {
        switch (op) {
            case Opcodes.NONE -> push(null);
            case Opcodes.NEWTRUE -> push(Boolean.TRUE);
            case Opcodes.NEWFALSE -> push(Boolean.FALSE);
            case Opcodes.BININT -> push((long) i32());
            case Opcodes.BININT1 -> push((long) u8());
            case Opcodes.BININT2 -> push((long) (u8() | u8() << 8));
            case Opcodes.LONG1 -> push(integer(u8()));
            case Opcodes.LONG4 -> push(integer(length(i32())));
            case Opcodes.BINFLOAT -> push(Double.longBitsToDouble(ByteBuffer.wrap(take(8)).getLong()));
            case Opcodes.SHORT_BINUNICODE -> push(utf8(take(u8())));
            case Opcodes.BINUNICODE -> push(utf8(take(length(u32()))));
            case Opcodes.BINUNICODE8 -> push(utf8(take(length(u64()))));
            case Opcodes.SHORT_BINBYTES -> push(take(u8()));
            case Opcodes.BINBYTES -> push(take(length(u32())));
            case Opcodes.BINBYTES8 -> push(take(length(u64())));
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Builds or fills a tuple, list or dict for {@code op}; false if {@code op} does not. */
    private boolean container(int op) {
        switch (op) {
            case Opcodes.EMPTY_TUPLE -> push(new Tuple(List.of()));
            case Opcodes.TUPLE -> push(new Tuple(popMark()));
            case Opcodes.TUPLE1 -> push(new Tuple(popN(1)));
            case Opcodes.TUPLE2 -> push(new Tuple(popN(2)));
            case Opcodes.TUPLE3 -> push(new Tuple(popN(3)));
            case Opcodes.EMPTY_LIST -> push(new ArrayList<>());
            case Opcodes.LIST -> push(new ArrayList<>(popMark()));
            case Opcodes.APPEND -> appendTo(popN(1));
            case Opcodes.APPENDS -> appendTo(popMark());
            case Opcodes.EMPTY_DICT -> push(new LinkedHashMap<>());
            case Opcodes.DICT -> {
                List<Object> items = popMark();
                push(new LinkedHashMap<>());
                setItems(items);
            }
            case Opcodes.SETITEM -> setItems(popN(2));
            case Opcodes.SETITEMS -> setItems(popMark());
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Reads or writes the memo for {@code op}; false if {@code op} does not. */
    private boolean memoOp(int op) {
        switch (op) {
            case Opcodes.BINGET -> push(memoGet(u8()));
            case Opcodes.LONG_BINGET -> push(memoGet(u32()));
            case Opcodes.BINPUT -> memo.put((long) u8(), peek());
            case Opcodes.LONG_BINPUT -> memo.put(u32(), peek());
            case Opcodes.MEMOIZE -> memo.put((long) memo.size(), peek());
            default -> {
                return false;
            }
        }
        return true;
    }

    private Object stop() {
        if (!metastack.isEmpty() || stack.size() != 1) {
            throw new Refusal("STOP with " + stack.size() + " values on the stack and " + metastack.size()
                    + " open MARKs (a well-formed pickle leaves one value)");
        }
        return stack.get(0);
    }

    private static void protocol(int version) {
        if (version < 2 || version > 5) {
            throw new Refusal("pickle protocol " + version + " (torch.save writes 2; twa4j reads 2 to 5)");
        }
    }

    /** The allowed global {@code module.name}, or a refusal naming it. */
    private static Object global(String module, String name) {
        Object g = GLOBALS.get(module + "." + name);
        if (g == null) {
            throw new Refusal("global " + OneLine.quote(module + "." + name) + " is not allowed: a state_dict needs "
                    + "only collections.OrderedDict, torch._utils._rebuild_tensor_v2 and the torch storage classes; "
                    + "refused, nothing was run");
        }
        return g;
    }

    private void reduce() {
        Tuple args = tuple(pop(), "the arguments of REDUCE");
        Object callable = pop();
        if (!(callable instanceof Callable c)) {
            throw new Refusal("REDUCE calls " + describe(callable) + ", which a state_dict never calls");
        }
        push(switch (c) {
            case ORDERED_DICT -> {
                if (!args.items().isEmpty()) {
                    throw new Refusal("collections.OrderedDict called with " + args.items().size() + " arguments");
                }
                yield new LinkedHashMap<>();
            }
            case REBUILD_TENSOR_V2 -> Rebuild.tensorV2(args.items());
            case REBUILD_TENSOR -> Rebuild.tensor(args.items());
            case REBUILD_PARAMETER -> Rebuild.parameter(args.items());
        });
    }

    /** {@code BUILD} sets attributes; accepted (and ignored) only for a dict's, like an OrderedDict's {@code _metadata}. */
    private void build() {
        Object state = pop();
        Object target = peek();
        if (!(target instanceof Map) || !(state == null || state instanceof Map)) {
            throw new Refusal("BUILD of " + describe(target) + " with " + describe(state)
                    + " (a state_dict only sets a dict's attributes)");
        }
    }

    private void appendTo(List<Object> items) {
        if (!(peek() instanceof ArrayList<?> list)) {
            throw new Refusal("APPEND to " + describe(peek()) + ", not a list");
        }
        @SuppressWarnings("unchecked")
        List<Object> target = (List<Object>) list;
        target.addAll(items);
    }

    private void setItems(List<Object> items) {
        if (!(peek() instanceof LinkedHashMap<?, ?> map) || items.size() % 2 != 0) {
            throw new Refusal("SETITEMS of " + items.size() + " values into " + describe(peek()));
        }
        @SuppressWarnings("unchecked")
        Map<Object, Object> target = (Map<Object, Object>) map;
        for (int i = 0; i < items.size(); i += 2) {
            Object key = items.get(i);
            if (!(key == null || key instanceof String || key instanceof Long || key instanceof BigInteger
                    || key instanceof Double || key instanceof Boolean)) {
                throw new Refusal("a dict key of type " + describe(key) + " (only str, int, float, bool and None "
                        + "keys are read)");
            }
            target.put(key, items.get(i + 1));
        }
    }

    private Object memoGet(long index) {
        if (!memo.containsKey(index)) {
            throw new Refusal("memo entry " + index + " was never stored");
        }
        return memo.get(index);
    }

    private void push(Object value) {
        stack.add(value);
    }

    private Object pop() {
        if (stack.isEmpty()) {
            throw new Refusal("stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        if (stack.isEmpty()) {
            throw new Refusal("stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popN(int n) {
        if (stack.size() < n) {
            throw new Refusal("stack underflow: needs " + n + " values, has " + stack.size());
        }
        List<Object> top = stack.subList(stack.size() - n, stack.size());
        List<Object> out = new ArrayList<>(top);
        top.clear();
        return out;
    }

    private List<Object> popMark() {
        if (metastack.isEmpty()) {
            throw new Refusal("no MARK to pop to");
        }
        List<Object> items = stack;
        stack = metastack.remove(metastack.size() - 1);
        return items;
    }

    private static Tuple tuple(Object value, String what) {
        if (value instanceof Tuple t) {
            return t;
        }
        throw new Refusal(what + " is " + describe(value) + ", not a tuple");
    }

    private static String string(Object value, String what) {
        if (value instanceof String s) {
            return s;
        }
        throw new Refusal("the " + what + " of STACK_GLOBAL is " + describe(value) + ", not a str");
    }

    /** A short description of a value for messages: its Python type, or the global it is. */
    static String describe(Object value) {
        if (value instanceof Callable || value instanceof TorchDtype) {
            for (Map.Entry<String, Object> g : GLOBALS.entrySet()) {
                if (g.getValue() == value) {
                    return g.getKey();
                }
            }
        }
        return Rebuild.typeName(value);
    }

    // ---- reading the bytes -------------------------------------------------------------------

    private int u8() {
        return take(1)[0] & 0xFF;
    }

    private int i32() {
        byte[] b = take(4);
        return (b[0] & 0xFF) | (b[1] & 0xFF) << 8 | (b[2] & 0xFF) << 16 | (b[3] & 0xFF) << 24;
    }

    private long u32() {
        return i32() & 0xFFFF_FFFFL;
    }

    private long u64() {
        long lo = u32();
        return lo | u32() << 32;
    }

    /** {@code n} as a length that fits in the bytes left (refused otherwise, before any allocation). */
    private int length(long n) {
        if (n < 0 || n > data.length - pos) {
            throw new Refusal("declared length " + Long.toUnsignedString(n) + " exceeds the " + (data.length - pos)
                    + " bytes left (truncated or corrupt)");
        }
        return (int) n;
    }

    private byte[] take(int n) {
        length(n);
        byte[] out = Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return out;
    }

    /** A text line of GLOBAL, without its newline. */
    private String line() {
        for (int i = pos; i < data.length && i - pos <= MAX_GLOBAL_LINE; i++) {
            if (data[i] == '\n') {
                String s = utf8(Arrays.copyOfRange(data, pos, i));
                pos = i + 1;
                return s;
            }
        }
        throw new Refusal("GLOBAL without a newline within " + MAX_GLOBAL_LINE + " bytes");
    }

    /** A little-endian two's-complement integer of LONG1/LONG4 ({@code Long} where it fits). */
    private Object integer(int n) {
        byte[] le = take(n);
        byte[] be = new byte[Math.max(n, 1)];
        for (int i = 0; i < n; i++) {
            be[n - 1 - i] = le[i];
        }
        BigInteger v = n == 0 ? BigInteger.ZERO : new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new Refusal("a string of " + bytes.length + " bytes that is not UTF-8");
        }
    }

    private static Map<String, Object> globals() {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("collections.OrderedDict", Callable.ORDERED_DICT);
        g.put("torch._utils._rebuild_tensor_v2", Callable.REBUILD_TENSOR_V2);
        g.put("torch._utils._rebuild_tensor", Callable.REBUILD_TENSOR);
        g.put("torch._utils._rebuild_parameter", Callable.REBUILD_PARAMETER);
        for (TorchDtype d : TorchDtype.values()) {
            g.put(d.storageClass(), d);
        }
        return Map.copyOf(g);
    }
}
