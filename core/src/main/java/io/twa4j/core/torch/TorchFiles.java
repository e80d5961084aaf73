package io.twa4j.core.torch;

import io.twa4j.core.io.IoMessages;
import io.twa4j.core.io.OneLine;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads the {@code .pt} files of {@code torch.save} without running anything from them.
 *
 * <p>The format (PyTorch 1.6 and later): a zip archive whose entries lie in one top folder {@code
 * R/} (its name varies): {@code R/data.pkl}, a pickle of the saved object in which each tensor is a
 * call of {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)} and each
 * storage a persistent id {@code ('storage', torch.FloatStorage, key, location, numel)}; {@code
 * R/data/<key>}, the raw bytes of each storage; {@code R/byteorder} ({@code little} or {@code
 * big}, little if absent), {@code R/version} and others, ignored. The pickle is read by a strict,
 * restricted interpreter ({@link Unpickler}): only the opcodes and globals a state_dict uses.
 *
 * <p>Refused, each with a one-line {@link TorchFileException} naming the file and what is wrong: a
 * legacy (non-zip, pre-1.6) file, any other global ({@code os.system}, {@code builtins.eval}, a
 * model class of a whole pickled model, ...), a damaged archive or pickle, a storage entry that is
 * missing or does not hold exactly {@code numel} elements, a tensor reaching outside its storage.
 * Memory: nothing is allocated for a declared length before it is checked against the file, so a
 * small damaged file never makes a large allocation.
 */
public final class TorchFiles {

    /** How far a deflated entry may expand per compressed byte (deflate's own limit is about 1032). */
    private static final long MAX_INFLATION = 1100;

    private TorchFiles() {}

    /**
     * The state_dict in {@code file}: either the saved object itself ({@code
     * torch.save(model.state_dict(), f)}, an OrderedDict or dict of tensors) or, for a checkpoint
     * dict, its entry {@code 'state_dict'} (as the reference's {@code save_checkpoint} writes:
     * {@code {'epoch': ..., 'state_dict': ..., 'optimizer': ...}}), whose plain top-level entries
     * become {@link TorchStateDict#extras()}.
     *
     * @throws TorchFileException if the file is no {@code torch.save} zip archive, holds anything a
     *     state_dict does not, is damaged, or its state_dict holds a value that is not a tensor
     * @throws io.twa4j.core.io.BadFileException if it is missing or cannot be read
     */
    public static TorchStateDict readStateDict(Path file) {
        Object root = readObject(file);
        if (!(root instanceof Map<?, ?> top)) {
            throw new TorchFileException(file + ": holds a value of type " + Rebuild.typeName(root) + ", not a state_dict "
                    + "(a dict of tensors) or a checkpoint dict with a 'state_dict' entry");
        }
        if (!top.containsKey("state_dict")) {
            return new TorchStateDict(tensors(file, top, "the state_dict"), Map.of());
        }
        if (!(top.get("state_dict") instanceof Map<?, ?> sd)) {
            throw new TorchFileException(file + ": the checkpoint's 'state_dict' is of type "
                    + Rebuild.typeName(top.get("state_dict")) + ", not a dict of tensors");
        }
        Map<String, Object> extras = new LinkedHashMap<>();
        top.forEach((k, v) -> {
            if (k instanceof String name && !name.equals("state_dict") && isPlain(v)) {
                extras.put(name, v);
            }
        });
        return new TorchStateDict(tensors(file, sd, "the checkpoint's state_dict"), extras);
    }

    /**
     * The object {@code torch.save} saved in {@code file}, built from plain Java values (see {@link
     * Unpickler}: maps, lists, {@link Unpickler.Tuple}s, numbers, strings, {@link TorchTensor}s).
     */
    static Object readObject(Path file) {
        long size = checkZip(file);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String root = recordFolder(file, zip);
            ByteOrder order = byteOrder(file, zip, root);
            byte[] pickle = read(file, zip, entry(file, zip, root + "data.pkl"), size);
            Map<String, Storage> storages = new HashMap<>();
            Unpickler.PersistentLoad load = pid -> storage(file, zip, root, order, size, storages, pid);
            return new Unpickler(file + ": " + root + "data.pkl", pickle, load).load();
        } catch (UncheckedIOException e) {
            throw cannotRead(file, e.getCause());
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /** The file's size, after checking it starts like a zip archive (and naming a legacy file as such). */
    private static long checkZip(Path file) {
        byte[] head;
        long size;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(262);
            size = Files.size(file);
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 3 || head[2] == 5)) {
            return size;
        }
        boolean tar = head.length >= 262 && new String(head, 257, 5, StandardCharsets.ISO_8859_1).equals("ustar");
        if ((head.length > 0 && (head[0] & 0xFF) == Opcodes.PROTO) || tar) {
            throw new TorchFileException(file + ": a legacy torch.save file (PyTorch before 1.6, or saved with "
                    + "_use_new_zipfile_serialization=False), which twa4j does not read; re-save it with a current "
                    + "PyTorch: torch.save(torch.load(f, weights_only=True), 'new.pt')");
        }
        throw new TorchFileException(file + ": not a torch.save file (not a zip archive; .pt files of "
                + "PyTorch 1.6 and later are)");
    }

    /** The top folder {@code R/} of the one entry {@code R/data.pkl}. */
    private static String recordFolder(Path file, ZipFile zip) {
        List<String> found = new ArrayList<>();
        try {
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                int slash = name.indexOf('/');
                if (slash > 0 && name.substring(slash).equals("/data.pkl")) {
                    found.add(name.substring(0, slash + 1));
                }
            }
        } catch (IllegalArgumentException e) { // ZipFile's name decoding
            throw new TorchFileException(file + ": a damaged zip archive: an entry name is not valid UTF-8", e);
        }
        if (found.size() != 1) {
            throw new TorchFileException(file + ": " + (found.isEmpty() ? "no entry <folder>/data.pkl"
                    : found.size() + " entries <folder>/data.pkl") + " (not a torch.save archive, or damaged)");
        }
        return found.get(0);
    }

    private static ByteOrder byteOrder(Path file, ZipFile zip, String root) throws IOException {
        ZipEntry e = zip.getEntry(root + "byteorder");
        if (e == null) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        if (e.getSize() > 16) {
            throw new TorchFileException(file + ": " + root + "byteorder holds " + e.getSize() + " bytes");
        }
        String text = new String(read(file, zip, e, 16), StandardCharsets.US_ASCII);
        return switch (text) {
            case "little" -> ByteOrder.LITTLE_ENDIAN;
            case "big" -> ByteOrder.BIG_ENDIAN;
            default -> throw new TorchFileException(file + ": " + root + "byteorder is " + OneLine.quote(text)
                    + ", not 'little' or 'big'");
        };
    }

    /**
     * The storage of persistent id {@code ('storage', torch.XStorage, key, location, numel)},
     * read once per key.
     */
    private static Storage storage(Path file, ZipFile zip, String root, ByteOrder order, long size,
            Map<String, Storage> storages, Unpickler.Tuple pid) {
        List<Object> p = pid.items();
        if (p.size() != 5 || !"storage".equals(p.get(0)) || !(p.get(1) instanceof TorchDtype dtype)
                || !(p.get(2) instanceof String key) || !(p.get(3) instanceof String) || !(p.get(4) instanceof Long n)
                || n < 0) {
            throw new Refusal("a persistent id that is not ('storage', torch.<Type>Storage, key, location, numel)");
        }
        Storage known = storages.get(key);
        if (known != null) {
            if (known.dtype() != dtype || known.numel() != n) {
                throw new Refusal("storage " + OneLine.quote(key) + " used as " + dtype.storageClass() + " of " + n
                        + " elements and as " + known.dtype().storageClass() + " of " + known.numel());
            }
            return known;
        }
        ZipEntry e = zip.getEntry(root + "data/" + key);
        long bytes = Math.multiplyExact(n, (long) dtype.bytes());
        if (e == null || e.getSize() != bytes) {
            throw new Refusal("storage " + OneLine.quote(key) + " (" + n + " elements of " + dtype.torchName() + "): "
                    + (e == null ? "no entry " + root + "data/" + key : "its entry holds " + e.getSize() + " bytes, not "
                    + bytes));
        }
        try {
            Storage s = new Storage(key, dtype, n, ByteBuffer.wrap(read(file, zip, e, size)).order(order));
            storages.put(key, s);
            return s;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static ZipEntry entry(Path file, ZipFile zip, String name) {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            throw new TorchFileException(file + ": no entry " + OneLine.quote(name));
        }
        return e;
    }

    /**
     * The bytes of entry {@code e}, after checking its declared size against {@code limit} and
     * against what its compressed size can give (no allocation for an impossible size).
     */
    private static byte[] read(Path file, ZipFile zip, ZipEntry e, long limit) throws IOException {
        long declared = e.getSize();
        long bound = e.getMethod() == ZipEntry.STORED ? limit
                : Math.min(Integer.MAX_VALUE - 8L, Math.max(0, e.getCompressedSize()) * MAX_INFLATION);
        if (declared < 0 || declared > bound || declared > Integer.MAX_VALUE - 8L) {
            throw new TorchFileException(file + ": entry " + OneLine.quote(e.getName()) + " declares " + declared
                    + " bytes, more than the archive can hold (damaged)");
        }
        try (InputStream in = zip.getInputStream(e)) {
            byte[] out = in.readNBytes((int) declared);
            if (out.length != declared) {
                throw new TorchFileException(file + ": entry " + OneLine.quote(e.getName()) + " ends after "
                        + out.length + " of its " + declared + " bytes (truncated)");
            }
            return out;
        }
    }

    private static Map<String, TorchTensor> tensors(Path file, Map<?, ?> dict, String what) {
        Map<String, TorchTensor> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (!(e.getKey() instanceof String name)) {
                throw new TorchFileException(file + ": " + what + " has a key of type "
                        + Rebuild.typeName(e.getKey()) + ", not str");
            }
            if (!(e.getValue() instanceof TorchTensor t)) {
                throw new TorchFileException(file + ": entry " + OneLine.quote(name) + " of " + what + " is of type "
                        + Rebuild.typeName(e.getValue()) + ", not a tensor (a checkpoint keeps its weights under "
                        + "'state_dict')");
            }
            out.put(name, t);
        }
        return out;
    }

    private static boolean isPlain(Object v) {
        return v == null || v instanceof Boolean || v instanceof Long || v instanceof BigInteger
                || v instanceof Double || v instanceof String;
    }

    private static TorchFileException cannotRead(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new TorchFileException(file + ": no such file", e);
        }
        if (e instanceof ZipException) {
            return new TorchFileException(file + ": a damaged zip archive: " + IoMessages.reason(e), e);
        }
        return new TorchFileException(file + ": cannot read: " + IoMessages.reason(e), e);
    }
}
