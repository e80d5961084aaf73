package io.twa4j.core.safetensors;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.twa4j.core.io.AtomicFiles;
import io.twa4j.core.io.BadFileException;
import io.twa4j.core.io.FileDigest;
import io.twa4j.core.io.IoMessages;
import io.twa4j.core.io.OneLine;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format,
 * so that PyTorch ({@code safetensors.torch.load_file}) and numpy users can open our files and we
 * can open theirs.
 *
 * <p>Layout: an 8-byte little-endian unsigned header length {@code N}; {@code N} bytes of UTF-8
 * JSON mapping each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} plus
 * an optional {@code "__metadata__"} string-to-string map; then the byte buffer, in which the
 * tensors lie contiguously, row-major and little-endian, at offsets relative to the buffer start.
 * We write the header as compact JSON with {@code __metadata__} first and pad it with spaces to a
 * multiple of 8 bytes, so that the buffer is 8-byte aligned.
 *
 * <p>Reading validates everything the format fixes (the header length, UTF-8, strict JSON without
 * duplicate keys, known dtypes, non-negative shapes, offsets that match shape × dtype size and
 * tile the buffer exactly with no gap, overlap or trailing byte) and reports any violation as a
 * one-line {@link BadFileException}. The format has no checksum: a flipped byte in the buffer
 * reads back as a different value; the snapshot store and the run's file list add a SHA-256 for
 * that.
 *
 * <p>twa4j reads and writes the dtypes F32, F64, F16, BF16, I64 and I32; {@link #readHeader} also
 * describes files holding the others. BF16 is converted to and from FLOAT32 in Java: DJL 0.36's
 * PyTorch engine aborts the JVM on any {@code BFLOAT16} array, so none is ever created.
 */
public final class SafeTensors {

    /** The longest header we accept, as in the reference implementation: 100 MB. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    /** The largest single tensor we can hold in one Java buffer. */
    static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE - 8;

    private static final boolean NATIVE_LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    private static final int COPY_CHUNK = 1 << 20;

    private SafeTensors() {}

    /**
     * Writes {@code tensors}, each in its own data type, atomically (see {@link AtomicFiles}).
     *
     * @param file the file to create or replace
     * @param tensors the tensors by name, in the order they are to be laid out (use an ordered map)
     * @param metadata free-form string pairs stored as {@code __metadata__} (may be empty)
     * @return the size and SHA-256 of the written file
     * @throws IllegalArgumentException for a name or data type that cannot be written
     * @throws BadFileException if the file cannot be written (it is then unchanged)
     */
    public static FileDigest write(Path file, Map<String, ? extends NDArray> tensors, Map<String, String> metadata) {
        return write(file, tensors, metadata, null);
    }

    /**
     * Like {@link #write(Path, Map, Map)}, but stores every floating-point tensor as {@code
     * floatType} (FLOAT32, FLOAT64, FLOAT16 or BFLOAT16), converting on the way; other tensors keep
     * their type. {@code null} keeps every tensor's own type.
     */
    public static FileDigest write(
            Path file, Map<String, ? extends NDArray> tensors, Map<String, String> metadata, DataType floatType) {
        if (floatType != null && (!floatType.isFloating() || Dtype.of(floatType) == null)) {
            throw new IllegalArgumentException("cannot store floating-point tensors as " + floatType);
        }
        checkMetadata(metadata);
        List<Planned> plan = new ArrayList<>();
        List<NDArray> arrays = new ArrayList<>();
        for (Map.Entry<String, ? extends NDArray> t : tensors.entrySet()) {
            plan.add(plan(t.getKey(), t.getValue(), floatType));
            arrays.add(t.getValue());
        }
        byte[] header = SafeTensorsHeader.encode(plan, metadata);
        try {
            return AtomicFiles.write(file, out -> {
                out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length).array());
                out.write(header);
                for (int i = 0; i < plan.size(); i++) {
                    writeData(out, arrays.get(i), plan.get(i));
                }
            });
        } catch (IOException e) {
            throw new BadFileException(file + ": cannot write: " + IoMessages.reason(e), e);
        }
    }

    /**
     * The exact size of the file {@link #write(Path, Map, Map)} would write for {@code tensors} and
     * {@code metadata} (header and data), without writing anything; for estimating disk space.
     *
     * @throws IllegalArgumentException for a name or data type that cannot be written
     */
    public static long fileBytes(Map<String, ? extends NDArray> tensors, Map<String, String> metadata) {
        checkMetadata(metadata);
        List<Planned> plan = new ArrayList<>();
        long data = 0;
        for (Map.Entry<String, ? extends NDArray> t : tensors.entrySet()) {
            Planned p = plan(t.getKey(), t.getValue(), null);
            plan.add(p);
            data += p.byteLength();
        }
        return 8 + SafeTensorsHeader.encode(plan, metadata).length + data;
    }

    /**
     * Reads the header of {@code file} without reading the tensors' data.
     *
     * @throws BadFileException if the file is missing, unreadable, or not a valid safetensors file
     */
    public static Header readHeader(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(file.toString(), channel, channel.size());
        } catch (IOException e) {
            throw ioFailure(file, e);
        }
    }

    /**
     * Reads every tensor of {@code file} as a FLOAT32 array owned by {@code manager}.
     *
     * @return the tensors by name, in file order
     * @throws BadFileException if the file is missing, unreadable, not a valid safetensors file,
     *     or holds a dtype twa4j does not read; no array is left in {@code manager} then
     */
    public static Map<String, NDArray> read(Path file, NDManager manager) {
        return read(file, manager, true, fillsInPlace(manager));
    }

    /**
     * Reads every tensor of {@code file} in its stored data type (F16 as FLOAT16, I64 as INT64,
     * and so on; but BF16 as FLOAT32, see above), owned by {@code manager}; otherwise like {@link
     * #read(Path, NDManager)}.
     */
    public static Map<String, NDArray> readStored(Path file, NDManager manager) {
        return read(file, manager, false, fillsInPlace(manager));
    }

    /**
     * Reads every tensor, converted to FLOAT32 if {@code toFloat32}; {@code inPlace} reads straight
     * into new tensors, which only an engine with writable {@code toByteBuffer(true)} views allows.
     */
    static Map<String, NDArray> read(Path file, NDManager manager, boolean toFloat32, boolean inPlace) {
        String source = file.toString();
        Map<String, NDArray> out = new LinkedHashMap<>();
        Entry current = null;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = readHeader(source, channel, channel.size());
            for (Entry e : header.tensors()) {
                checkReadable(source, e);
            }
            for (Entry e : header.tensors()) {
                current = e;
                NDArray array = readTensor(source, channel, header.dataStart() + e.begin(), e, manager, inPlace);
                out.put(e.name(), toFloat32 ? toFloat32(array) : array);
            }
            return out;
        } catch (IOException e) {
            out.values().forEach(NDArray::close);
            throw ioFailure(file, e);
        } catch (EngineException e) {
            out.values().forEach(NDArray::close);
            throw SafeTensorsHeader.fail(source, "tensor " + OneLine.quote(current.name()) + " " + current.dtype() + " "
                    + current.shape() + ": the engine refused it: " + OneLine.firstLine(e.getMessage()));
        } catch (RuntimeException e) {
            out.values().forEach(NDArray::close);
            throw e;
        }
    }

    /**
     * One tensor's data as an array of its engine type (BF16 as FLOAT32). With the PyTorch engine
     * on the CPU the file is read straight into the memory of a new, uninitialised tensor, which
     * {@code close()} frees at once; elsewhere into a Java direct buffer that the array wraps.
     */
    private static NDArray readTensor(
            String source, FileChannel channel, long position, Entry e, NDManager manager, boolean inPlace)
            throws IOException {
        DataType type = e.dtype() == Dtype.BF16 ? DataType.FLOAT32 : e.dtype().dataType();
        if (e.byteLength() == 0) {
            return manager.create(e.shape(), type);
        }
        if (inPlace) {
            NDArray array = manager.create(e.shape(), type);
            try {
                fill(source, channel, position, e, array.toByteBuffer(true).order(ByteOrder.nativeOrder()));
                return array;
            } catch (IOException | RuntimeException ex) {
                array.close();
                throw ex;
            }
        }
        long bytes = e.shape().size() * type.getNumOfBytes();
        ByteBuffer buffer = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
        fill(source, channel, position, e, buffer);
        return manager.create(buffer.flip(), e.shape(), type);
    }

    /**
     * Whether {@code manager} makes arrays whose {@code toByteBuffer(true)} is a writable view of
     * their memory: PyTorch's CPU tensors (contiguous when new) are.
     */
    static boolean fillsInPlace(NDManager manager) {
        return "PyTorch".equals(manager.getEngine().getEngineName()) && Device.cpu().equals(manager.getDevice());
    }

    /** Reads {@code e}'s data at {@code position} into {@code dst} in native order (BF16 widened to float32). */
    private static void fill(String source, FileChannel channel, long position, Entry e, ByteBuffer dst)
            throws IOException {
        if (e.dtype() != Dtype.BF16) {
            ByteBuffer view = dst.duplicate().order(ByteOrder.nativeOrder());
            readFully(source, channel, view, position);
            if (!NATIVE_LITTLE_ENDIAN) {
                reverseEach(view.flip(), e.dtype().bytes());
            }
            dst.position(dst.limit());
            return;
        }
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(COPY_CHUNK, e.byteLength())).order(ByteOrder.LITTLE_ENDIAN);
        for (long at = position, end = position + e.byteLength(); at < end; at += chunk.limit()) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), end - at));
            readFully(source, channel, chunk, at);
            chunk.flip();
            while (chunk.remaining() >= 2) {
                dst.putFloat(Bfloat16.toFloat(chunk.getShort()));
            }
        }
    }

    private static NDArray toFloat32(NDArray stored) {
        if (stored.getDataType() == DataType.FLOAT32) {
            return stored;
        }
        try (stored) {
            return stored.toType(DataType.FLOAT32, true);
        }
    }

    private static Header readHeader(String source, FileChannel channel, long size) throws IOException {
        if (size < 8) {
            throw SafeTensorsHeader.fail(source, "too short for a safetensors file (" + size
                    + " bytes; the header length alone takes 8)");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(source, channel, lengthBytes, 0);
        long n = lengthBytes.getLong(0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw SafeTensorsHeader.fail(source, "header length " + Long.toUnsignedString(n) + " exceeds the limit of "
                    + MAX_HEADER_BYTES + " bytes (not a safetensors file, or corrupt)");
        }
        if (8 + n > size) {
            throw SafeTensorsHeader.fail(source, "header length " + n + " runs past the end of the file ("
                    + size + " bytes)");
        }
        ByteBuffer json = ByteBuffer.allocate((int) n);
        readFully(source, channel, json, 8);
        return SafeTensorsHeader.decode(source, json.array(), 8 + n, size - 8 - n);
    }

    private static void checkReadable(String source, Entry e) {
        if (!e.dtype().isSupported()) {
            throw SafeTensorsHeader.fail(source, "tensor " + OneLine.quote(e.name()) + " has dtype " + e.dtype()
                    + ", which twa4j does not read (it reads " + Dtype.supportedNames() + ")");
        }
        if (e.byteLength() > MAX_TENSOR_BYTES) {
            throw SafeTensorsHeader.fail(source, "tensor " + OneLine.quote(e.name()) + " holds " + e.byteLength()
                    + " bytes, more than the " + MAX_TENSOR_BYTES + " one array can hold");
        }
    }

    private static void readFully(String source, FileChannel channel, ByteBuffer buf, long position)
            throws IOException {
        long at = position;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, at);
            if (n < 0) {
                throw SafeTensorsHeader.fail(source, "file ended at byte " + at + " while reading (changed meanwhile?)");
            }
            at += n;
        }
    }

    private static BadFileException ioFailure(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new BadFileException(file + ": no such file", e);
        }
        return new BadFileException(file + ": cannot read: " + IoMessages.reason(e), e);
    }

    private static void checkMetadata(Map<String, String> metadata) {
        for (Map.Entry<String, String> m : metadata.entrySet()) {
            if (m.getKey() == null || m.getValue() == null) {
                throw new IllegalArgumentException("metadata keys and values must not be null: " + m);
            }
        }
    }

    private static Planned plan(String name, NDArray array, DataType floatType) {
        if (name == null || name.equals(SafeTensorsHeader.METADATA_KEY)) {
            throw new IllegalArgumentException("a tensor cannot be named " + name);
        }
        if (array == null || array.isReleased()) {
            throw new IllegalArgumentException("tensor '" + name + "' is " + (array == null ? "null" : "closed"));
        }
        if (array.getDataType() == DataType.BFLOAT16) {
            throw new IllegalArgumentException("tensor '" + name + "' is a BFLOAT16 array, which the DJL PyTorch "
                    + "engine cannot handle; keep FLOAT32 and write with floatType BFLOAT16");
        }
        DataType type = floatType != null && array.getDataType().isFloating() ? floatType : array.getDataType();
        Dtype dtype = Dtype.of(type);
        if (dtype == null) {
            throw new IllegalArgumentException("tensor '" + name + "' has data type " + type
                    + "; twa4j writes only " + Dtype.supportedNames());
        }
        Planned p = new Planned(name, dtype, array.getShape());
        if (p.byteLength() > MAX_TENSOR_BYTES) {
            throw new IllegalArgumentException("tensor '" + name + "' is too large to write (" + p.byteLength()
                    + " bytes)");
        }
        return p;
    }

    /** Writes one tensor's bytes, little-endian, via a host copy (temporaries closed). */
    private static void writeData(OutputStream out, NDArray array, Planned p) throws IOException {
        NDArray host = array.getDevice().equals(Device.cpu()) ? array : array.toDevice(Device.cpu(), true);
        DataType engineType = p.dtype() == Dtype.BF16 ? DataType.FLOAT32 : p.dtype().dataType();
        NDArray typed = host.getDataType() == engineType ? host : host.toType(engineType, true);
        try {
            ByteBuffer bytes = typed.toByteBuffer();
            if (p.dtype() == Dtype.BF16) {
                bytes = Bfloat16.fromFloat32(bytes);
            }
            if (bytes.remaining() != p.byteLength()) {
                throw new IllegalStateException("tensor '" + p.name() + "' gave " + bytes.remaining()
                        + " bytes, expected " + p.byteLength());
            }
            if (!NATIVE_LITTLE_ENDIAN) {
                reverseEach(bytes, p.dtype().bytes());
            }
            write(out, bytes);
        } finally {
            if (typed != array) {
                typed.close();
            }
            if (host != array && host != typed) {
                host.close();
            }
        }
    }

    private static void write(OutputStream out, ByteBuffer bytes) throws IOException {
        if (bytes.hasArray()) {
            out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
            return;
        }
        byte[] chunk = new byte[Math.min(COPY_CHUNK, bytes.remaining())];
        ByteBuffer src = bytes.duplicate();
        while (src.hasRemaining()) {
            int n = Math.min(chunk.length, src.remaining());
            src.get(chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }

    /** Reverses the byte order of each {@code width}-byte element between position and limit. */
    static void reverseEach(ByteBuffer buf, int width) {
        for (int i = buf.position(); i + width <= buf.limit(); i += width) {
            for (int a = i, b = i + width - 1; a < b; a++, b--) {
                byte t = buf.get(a);
                buf.put(a, buf.get(b));
                buf.put(b, t);
            }
        }
    }
}
