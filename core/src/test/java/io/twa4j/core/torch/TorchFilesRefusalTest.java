package io.twa4j.core.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pickles and archives written by {@link PickleWriter} that twa4j must refuse, each with its message. */
class TorchFilesRefusalTest {

    @TempDir
    Path dir;

    private static final PickleWriter.TensorRef FOUR = new PickleWriter.TensorRef(
            "0", TorchDtype.FLOAT32, 4, 0, new long[] {2, 2}, new long[] {2, 1});

    /** The message reading a pickle built by {@code body} (after PROTO 2) gives, with storage "0" of 16 bytes. */
    private String refusal(Consumer<PickleWriter> body) {
        PickleWriter w = new PickleWriter(false);
        body.accept(w);
        return refusalOf(PickleWriter.zip("arch", w.stop(), Map.of("0", new byte[16])));
    }

    private String refusalOf(byte[] zip) {
        Path file = PickleWriter.write(dir.resolve("x.pt"), zip);
        try {
            TorchFiles.readStateDict(file);
        } catch (TorchFileException e) {
            assertThat(e.getMessage()).startsWith(file + ": ");
            return e.getMessage().substring(file.toString().length() + 2);
        }
        throw new AssertionError("not refused");
    }

    @Test
    void opcodesThatCallCodeAreRefusedAtTheirOffset() {
        assertThat(refusal(w -> w.op('i').write("os\nsystem\n".getBytes(StandardCharsets.UTF_8))))
                .startsWith("arch/data.pkl byte 2 (INST): opcode INST is not allowed");
        assertThat(refusal(w -> w.op(Opcodes.EMPTY_TUPLE).op(0x81))).contains("byte 3 (NEWOBJ): opcode NEWOBJ");
        assertThat(refusal(w -> w.op(0x82).write(1))).contains("(EXT1): opcode EXT1 is not allowed");
        assertThat(refusal(w -> w.op('o'))).contains("(OBJ): opcode OBJ is not allowed");
        assertThat(refusal(w -> w.op(0xFF))).contains("byte 2 (opcode 0xff): unknown opcode 0xff");
    }

    @Test
    void everyOtherGlobalIsRefusedByName() {
        assertThat(refusal(w -> w.global("__main__", "Net"))).contains("(GLOBAL): global '__main__.Net' is not allowed");
        assertThat(refusal(w -> w.op(Opcodes.BINUNICODE).write(PickleWriter.le(2, 4)).write("os".getBytes())
                .op(Opcodes.BINUNICODE).write(PickleWriter.le(6, 4)).write("system".getBytes())
                .op(Opcodes.STACK_GLOBAL))).contains("(STACK_GLOBAL): global 'os.system' is not allowed");
        assertThat(refusal(w -> w.global("torch", "load"))).contains("global 'torch.load' is not allowed");
    }

    @Test
    void allowedGlobalsAreCalledOnlyAsAStateDictCallsThem() {
        assertThat(refusal(w -> w.global("torch", "FloatStorage").op(Opcodes.EMPTY_TUPLE).op(Opcodes.REDUCE)))
                .contains("(REDUCE): REDUCE calls torch.FloatStorage, which a state_dict never calls");
        assertThat(refusal(w -> w.global("collections", "OrderedDict").op(Opcodes.EMPTY_LIST).op(Opcodes.REDUCE)))
                .contains("the arguments of REDUCE is list, not a tuple");
        assertThat(refusal(w -> w.global("torch._utils", "_rebuild_tensor_v2").op(Opcodes.MARK).integer(1)
                .op(Opcodes.TUPLE).op(Opcodes.REDUCE))).contains("_rebuild_tensor_v2 called with 1 arguments");
        assertThat(refusal(w -> w.op(Opcodes.EMPTY_LIST).op(Opcodes.EMPTY_DICT).op(Opcodes.BUILD)))
                .contains("(BUILD): BUILD of list with dict");
        assertThat(refusal(w -> w.op(Opcodes.EMPTY_DICT).op(Opcodes.EMPTY_TUPLE).op(Opcodes.NONE)
                .op(Opcodes.SETITEM))).contains("a dict key of type tuple");
    }

    @Test
    void damagedPicklesAreRefused() {
        assertThat(refusal(w -> w.op(Opcodes.TUPLE2))).contains("byte 2 (TUPLE2): stack underflow");
        assertThat(refusal(w -> w.op(Opcodes.BINUNICODE).write(PickleWriter.le(1_000_000_000, 4))))
                .contains("(BINUNICODE): declared length 1000000000 exceeds the 1 bytes left");
        assertThat(refusal(w -> w.op(Opcodes.BINGET).write(7))).contains("memo entry 7 was never stored");
        assertThat(refusal(w -> w.op(Opcodes.TUPLE))).contains("no MARK to pop to");
        assertThat(refusal(w -> w.op(Opcodes.NONE).op(Opcodes.NONE))).contains("(STOP): STOP with 2 values");
        assertThat(refusal(w -> w.op(Opcodes.BINUNICODE).write(PickleWriter.le(2, 4)).write(new byte[] {(byte) 0xC3, 'x'})))
                .contains("not UTF-8");
        assertThat(refusalOf(PickleWriter.zip("a", new byte[] {(byte) 0x80, 2, 'N'}, Map.of())))
                .isEqualTo("a/data.pkl byte 3: the pickle ends without STOP (truncated)");
        assertThat(refusal(p -> p.op(Opcodes.PROTO).write(6))).contains("pickle protocol 6");
    }

    @Test
    void storagesMustExistAndHoldExactlyTheirElements() {
        Map<String, PickleWriter.TensorRef> missing = Map.of("w", new PickleWriter.TensorRef(
                "9", TorchDtype.FLOAT32, 4, 0, new long[] {4}, new long[] {1}));
        assertThat(refusal(w -> w.stateDict(missing, true))).contains("(BINPERSID): storage '9' (4 elements of "
                + "torch.float32): no entry arch/data/9");
        Map<String, PickleWriter.TensorRef> tooMany = Map.of("w", new PickleWriter.TensorRef(
                "0", TorchDtype.FLOAT32, 5, 0, new long[] {5}, new long[] {1}));
        assertThat(refusal(w -> w.stateDict(tooMany, true))).contains("its entry holds 16 bytes, not 20");
        Map<String, PickleWriter.TensorRef> outside = Map.of("w", new PickleWriter.TensorRef(
                "0", TorchDtype.FLOAT32, 4, 1, new long[] {2, 2}, new long[] {2, 1}));
        assertThat(refusal(w -> w.stateDict(outside, true))).contains("(REDUCE): tensor of shape [2, 2], stride "
                + "[2, 1] at offset 1 reaches element 4 of storage '0', which holds 4");
        Map<String, PickleWriter.TensorRef> twoTypes = new LinkedHashMap<>();
        twoTypes.put("a", FOUR);
        twoTypes.put("b", new PickleWriter.TensorRef("0", TorchDtype.INT32, 4, 0, new long[] {4}, new long[] {1}));
        assertThat(refusal(w -> w.stateDict(twoTypes, false))).contains("storage '0' used as torch.IntStorage");
    }

    @Test
    void aStateDictHoldsOnlyTensors() {
        assertThat(refusal(w -> w.op(Opcodes.EMPTY_DICT).string("lr").integer(1).op(Opcodes.SETITEM)))
                .isEqualTo("entry 'lr' of the state_dict is of type int, not a tensor (a checkpoint keeps its "
                        + "weights under 'state_dict')");
        assertThat(refusal(w -> w.op(Opcodes.EMPTY_LIST))).startsWith("holds a value of type list, not a state_dict");
    }

    @Test
    void archivesThatAreNotTorchSaveOnesAreRefused() {
        assertThat(refusalOf("hello".getBytes(StandardCharsets.US_ASCII)))
                .startsWith("not a torch.save file (not a zip archive");
        assertThat(refusalOf(PickleWriter.zip("a", new byte[0], Map.of())))
                .contains("a/data.pkl byte 0: the pickle ends without STOP");
        assertThat(refusalOf(PickleWriter.zip("a/b", new PickleWriter(false).op(Opcodes.NONE).stop(), Map.of())))
                .startsWith("no entry <folder>/data.pkl");
        assertThat(refusalOf(PickleWriter.zip("a", new PickleWriter(false).op(Opcodes.NONE).stop(), Map.of(), "middle")))
                .isEqualTo("a/byteorder is 'middle', not 'little' or 'big'");
    }

    @Test
    void aBigEndianArchiveReadsToTheSameValues() {
        float[] values = {1.5f, -2f, 3.25f, 1e-3f};
        ByteBuffer big = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN);
        for (float v : values) {
            big.putFloat(v);
        }
        byte[] pickle = new PickleWriter(false).stateDict(Map.of("w", FOUR), true).stop();
        Path file = PickleWriter.write(dir.resolve("big.pt"), PickleWriter.zip("r", pickle, Map.of("0", big.array()), "big"));
        TorchTensor w = TorchFiles.readStateDict(file).tensors().get("w");
        assertThat(w.toFloatArray()).containsExactly(values);
        assertThat(w.data().order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThat(w.data().getFloat(4)).isEqualTo(-2f);
    }
}
