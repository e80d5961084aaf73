package io.twa4j.core.torch;

import java.util.Map;

/** The pickle opcodes (Python's {@code pickletools}), and names for the messages of {@link Unpickler}. */
final class Opcodes {

    static final int MARK = '(';
    static final int STOP = '.';
    static final int POP = '0';
    static final int POP_MARK = '1';
    static final int DUP = '2';
    static final int BINFLOAT = 'G';
    static final int BININT = 'J';
    static final int BININT1 = 'K';
    static final int BININT2 = 'M';
    static final int NONE = 'N';
    static final int BINPERSID = 'Q';
    static final int REDUCE = 'R';
    static final int BINUNICODE = 'X';
    static final int APPEND = 'a';
    static final int BUILD = 'b';
    static final int GLOBAL = 'c';
    static final int DICT = 'd';
    static final int EMPTY_DICT = '}';
    static final int APPENDS = 'e';
    static final int BINGET = 'h';
    static final int LONG_BINGET = 'j';
    static final int LIST = 'l';
    static final int EMPTY_LIST = ']';
    static final int BINPUT = 'q';
    static final int LONG_BINPUT = 'r';
    static final int SETITEM = 's';
    static final int TUPLE = 't';
    static final int EMPTY_TUPLE = ')';
    static final int SETITEMS = 'u';
    static final int BINBYTES = 'B';
    static final int SHORT_BINBYTES = 'C';
    static final int PROTO = 0x80;
    static final int TUPLE1 = 0x85;
    static final int TUPLE2 = 0x86;
    static final int TUPLE3 = 0x87;
    static final int NEWTRUE = 0x88;
    static final int NEWFALSE = 0x89;
    static final int LONG1 = 0x8a;
    static final int LONG4 = 0x8b;
    static final int SHORT_BINUNICODE = 0x8c;
    static final int BINUNICODE8 = 0x8d;
    static final int BINBYTES8 = 0x8e;
    static final int STACK_GLOBAL = 0x93;
    static final int MEMOIZE = 0x94;
    static final int FRAME = 0x95;

    /** Opcodes that exist but are refused, by name: they call code or build what a state_dict never holds. */
    private static final Map<Integer, String> REFUSED = Map.ofEntries(
            Map.entry((int) 'i', "INST"), Map.entry((int) 'o', "OBJ"), Map.entry(0x81, "NEWOBJ"),
            Map.entry(0x92, "NEWOBJ_EX"), Map.entry(0x82, "EXT1"), Map.entry(0x83, "EXT2"), Map.entry(0x84, "EXT4"),
            Map.entry((int) 'P', "PERSID"), Map.entry((int) 'I', "INT"), Map.entry((int) 'L', "LONG"),
            Map.entry((int) 'F', "FLOAT"), Map.entry((int) 'S', "STRING"), Map.entry((int) 'V', "UNICODE"),
            Map.entry((int) 'T', "BINSTRING"), Map.entry((int) 'U', "SHORT_BINSTRING"), Map.entry((int) 'g', "GET"),
            Map.entry((int) 'p', "PUT"), Map.entry(0x8f, "EMPTY_SET"), Map.entry(0x90, "ADDITEMS"),
            Map.entry(0x91, "FROZENSET"), Map.entry(0x96, "BYTEARRAY8"), Map.entry(0x97, "NEXT_BUFFER"),
            Map.entry(0x98, "READONLY_BUFFER"));

    private static final Map<Integer, String> ACCEPTED = Map.ofEntries(
            Map.entry(MARK, "MARK"), Map.entry(STOP, "STOP"), Map.entry(POP, "POP"), Map.entry(POP_MARK, "POP_MARK"),
            Map.entry(DUP, "DUP"), Map.entry(BINFLOAT, "BINFLOAT"), Map.entry(BININT, "BININT"),
            Map.entry(BININT1, "BININT1"), Map.entry(BININT2, "BININT2"), Map.entry(NONE, "NONE"),
            Map.entry(BINPERSID, "BINPERSID"), Map.entry(REDUCE, "REDUCE"), Map.entry(BINUNICODE, "BINUNICODE"),
            Map.entry(APPEND, "APPEND"), Map.entry(BUILD, "BUILD"), Map.entry(GLOBAL, "GLOBAL"),
            Map.entry(DICT, "DICT"), Map.entry(EMPTY_DICT, "EMPTY_DICT"), Map.entry(APPENDS, "APPENDS"),
            Map.entry(BINGET, "BINGET"), Map.entry(LONG_BINGET, "LONG_BINGET"), Map.entry(LIST, "LIST"),
            Map.entry(EMPTY_LIST, "EMPTY_LIST"), Map.entry(BINPUT, "BINPUT"), Map.entry(LONG_BINPUT, "LONG_BINPUT"),
            Map.entry(SETITEM, "SETITEM"), Map.entry(TUPLE, "TUPLE"), Map.entry(EMPTY_TUPLE, "EMPTY_TUPLE"),
            Map.entry(SETITEMS, "SETITEMS"), Map.entry(BINBYTES, "BINBYTES"),
            Map.entry(SHORT_BINBYTES, "SHORT_BINBYTES"), Map.entry(PROTO, "PROTO"), Map.entry(TUPLE1, "TUPLE1"),
            Map.entry(TUPLE2, "TUPLE2"), Map.entry(TUPLE3, "TUPLE3"), Map.entry(NEWTRUE, "NEWTRUE"),
            Map.entry(NEWFALSE, "NEWFALSE"), Map.entry(LONG1, "LONG1"), Map.entry(LONG4, "LONG4"),
            Map.entry(SHORT_BINUNICODE, "SHORT_BINUNICODE"), Map.entry(BINUNICODE8, "BINUNICODE8"),
            Map.entry(BINBYTES8, "BINBYTES8"), Map.entry(STACK_GLOBAL, "STACK_GLOBAL"),
            Map.entry(MEMOIZE, "MEMOIZE"), Map.entry(FRAME, "FRAME"));

    private Opcodes() {}

    /** The opcode's name, or {@code opcode 0xNN} for a byte that is none. */
    static String name(int op) {
        String n = ACCEPTED.getOrDefault(op, REFUSED.get(op));
        return n != null ? n : String.format("opcode 0x%02x", op);
    }

    /** Why {@code op}, which {@link Unpickler} does not accept, is refused. */
    static String refusal(int op) {
        if (REFUSED.containsKey(op)) {
            return "opcode " + REFUSED.get(op) + " is not allowed (a state_dict's pickle never uses it); "
                    + "refused, nothing was run";
        }
        return String.format("unknown opcode 0x%02x (not a pickle, or corrupt)", op);
    }
}
