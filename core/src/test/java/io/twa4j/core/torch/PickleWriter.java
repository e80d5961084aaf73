package io.twa4j.core.torch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A tiny pickle writer for tests: the opcodes torch.save writes (protocol 2: GLOBAL, BINPUT,
 * BINGET, BINUNICODE) or their protocol-4 forms (FRAME, SHORT_BINUNICODE, STACK_GLOBAL, MEMOIZE),
 * and raw bytes for anything else; plus {@link #zip} to lay the pickle and storages out as torch.save does.
 */
final class PickleWriter {

    /** One tensor to write: a view of storage {@code key}. */
    record TensorRef(String key, TorchDtype dtype, long storageNumel, long offset, long[] shape, long[] stride) {}

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final boolean protocol4;
    private final Map<String, Integer> memoOfGlobal = new HashMap<>();
    private int memoSize;

    PickleWriter(boolean protocol4) {
        this.protocol4 = protocol4;
        op(Opcodes.PROTO).write(protocol4 ? 4 : 2);
        if (protocol4) {
            op(Opcodes.FRAME).write(new byte[8]); // a frame length is only checked against what remains
        }
    }

    PickleWriter op(int opcode) {
        out.write(opcode);
        return this;
    }

    PickleWriter write(int b) {
        out.write(b);
        return this;
    }

    PickleWriter write(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    PickleWriter string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (protocol4 && b.length < 256) {
            op(Opcodes.SHORT_BINUNICODE).write(b.length);
        } else {
            op(Opcodes.BINUNICODE).write(le(b.length, 4));
        }
        return write(b);
    }

    PickleWriter integer(long v) {
        if (v >= 0 && v < 256) {
            return op(Opcodes.BININT1).write((int) v);
        } else if (v >= 0 && v < 65536) {
            return op(Opcodes.BININT2).write(le(v, 2));
        } else if (v == (int) v) {
            return op(Opcodes.BININT).write(le(v, 4));
        }
        return op(Opcodes.LONG1).write(8).write(le(v, 8));
    }

    /** A global, memoized the first time and fetched from the memo afterwards, as pickle does. */
    PickleWriter global(String module, String name) {
        Integer memo = memoOfGlobal.get(module + "." + name);
        if (memo != null) {
            return op(Opcodes.BINGET).write(memo);
        }
        if (protocol4) {
            string(module).string(name).op(Opcodes.STACK_GLOBAL).op(Opcodes.MEMOIZE);
        } else {
            op(Opcodes.GLOBAL).write((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
            op(Opcodes.BINPUT).write(memoSize);
        }
        memoOfGlobal.put(module + "." + name, memoSize++);
        return this;
    }

    PickleWriter longs(long[] values) {
        op(Opcodes.MARK);
        for (long v : values) {
            integer(v);
        }
        return op(Opcodes.TUPLE);
    }

    /** {@code torch._utils._rebuild_tensor_v2(storage, offset, shape, stride, False, OrderedDict())}. */
    PickleWriter tensor(TensorRef t) {
        global("torch._utils", "_rebuild_tensor_v2").op(Opcodes.MARK);
        op(Opcodes.MARK).string("storage").global("torch", t.dtype().storageClass().substring(6))
                .string(t.key()).string("cpu").integer(t.storageNumel()).op(Opcodes.TUPLE).op(Opcodes.BINPERSID);
        integer(t.offset()).longs(t.shape()).longs(t.stride()).op(Opcodes.NEWFALSE);
        global("collections", "OrderedDict").op(Opcodes.EMPTY_TUPLE).op(Opcodes.REDUCE);
        return op(Opcodes.TUPLE).op(Opcodes.REDUCE);
    }

    /** An OrderedDict (or a plain dict) of the tensors, with torch's {@code _metadata} attribute set by BUILD. */
    PickleWriter stateDict(Map<String, TensorRef> tensors, boolean ordered) {
        if (ordered) {
            global("collections", "OrderedDict").op(Opcodes.EMPTY_TUPLE).op(Opcodes.REDUCE);
        } else {
            op(Opcodes.EMPTY_DICT);
        }
        op(Opcodes.MARK);
        tensors.forEach((name, t) -> string(name).tensor(t));
        op(Opcodes.SETITEMS);
        if (ordered) {
            op(Opcodes.EMPTY_DICT).string("_metadata").op(Opcodes.EMPTY_DICT).op(Opcodes.SETITEM).op(Opcodes.BUILD);
        }
        return this;
    }

    byte[] stop() {
        return op(Opcodes.STOP).out.toByteArray();
    }

    /** A torch.save-like zip: {@code root/data.pkl}, {@code root/data/<key>} (stored), byteorder and version. */
    static byte[] zip(String root, byte[] pickle, Map<String, byte[]> storages) {
        return zip(root, pickle, storages, "little");
    }

    /** Like {@link #zip(String, byte[], Map)} with {@code byteorder} as the byte order record. */
    static byte[] zip(String root, byte[] pickle, Map<String, byte[]> storages, String byteorder) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(root + "/data.pkl", pickle);
        entries.put(root + "/byteorder", byteorder.getBytes(StandardCharsets.US_ASCII));
        storages.forEach((k, v) -> entries.put(root + "/data/" + k, v));
        entries.put(root + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry z = new ZipEntry(e.getKey());
                z.setMethod(ZipEntry.STORED);
                z.setSize(e.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                z.setCrc(crc.getValue());
                zip.putNextEntry(z);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] le(long v, int bytes) {
        return Arrays.copyOf(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array(), bytes);
    }
}
