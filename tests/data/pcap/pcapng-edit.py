#!/usr/bin/python3
"""pcapng-edit.py — the edits to real pcapng files that no capture tool makes,
for the reader's tests (tests/data/pcap/README.md says which file came from
which command). Blocks as in draft-ietf-opsawg-pcapng (3.1, 4.1-4.6).

  pcapng-edit.py swap IN OUT             every section rewritten in the other
                                         byte order (Wireshark writes only the
                                         host's); refuses options it does not know
  pcapng-edit.py snaplen IN OUT IF N     snapshot length of interface IF := N
  pcapng-edit.py ifid IN OUT K ID        interface id of packet K (an EPB) := ID
  pcapng-edit.py inject IN OUT K TYPE    a 32-byte block of TYPE after packet K

Packets are numbered as tshark numbers frames: every packet block (EPB, SPB,
PB) in file order, from 1."""
import struct
import sys

SHB, IDB, PB, SPB, NRB, ISB, EPB = 0x0A0D0D0A, 1, 2, 3, 4, 5, 6

# option code -> how its value is swapped ("s": bytes/string, "u8", "u32",
# "u64", "ts": two u32 halves), per block type (4.1, 4.2, 4.3, 4.6)
OPTS = {
    SHB: {1: "s", 2: "s", 3: "s", 4: "s"},
    IDB: {1: "s", 2: "s", 3: "s", 4: "s", 5: "s", 6: "s", 7: "s", 8: "u64", 9: "u8",
          10: "u32", 11: "s", 12: "s", 13: "u8", 14: "u64", 15: "s", 16: "u64", 17: "u64",
          18: "s"},
    EPB: {1: "s", 2: "u32", 3: "s", 4: "u64", 5: "u64", 6: "u32", 7: "s"},
    ISB: {1: "s", 2: "ts", 3: "ts", 4: "u64", 5: "u64", 6: "u64", 7: "u64", 8: "u64"},
}


def blocks(data):
    """(byte order, type, body) for every block; body without the 8-byte
    header and the 4-byte trailer."""
    off, order = 0, "<"
    while off < len(data):
        btype = struct.unpack_from("<I", data, off)[0]
        if btype == SHB:
            order = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
        btype, blen = struct.unpack_from(order + "II", data, off)
        assert blen >= 12 and blen % 4 == 0 and off + blen <= len(data), "bad block at %d" % off
        assert struct.unpack_from(order + "I", data, off + blen - 4)[0] == blen
        yield order, btype, data[off + 8:off + blen - 4]
        off += blen


def block(order, btype, body):
    n = 12 + len(body)
    return struct.pack(order + "II", btype, n) + body + struct.pack(order + "I", n)


def swap_options(src, dst, btype, opts):
    out, off = b"", 0
    known = OPTS.get(btype, {})
    while off + 4 <= len(opts):
        code, olen = struct.unpack_from(src + "HH", opts, off)
        val = opts[off + 4:off + 4 + olen]
        pad = opts[off + 4 + olen:off + 4 + ((olen + 3) & ~3)]
        off += 4 + ((olen + 3) & ~3)
        if code == 0:
            out += struct.pack(dst + "HH", 0, 0)
            break
        kind = known.get(code)
        if kind is None:
            sys.exit("option %d of block type %d: no idea how to swap it" % (code, btype))
        if kind in ("u32", "u64"):
            f = {"u32": "I", "u64": "Q"}[kind]
            val = struct.pack(dst + f, struct.unpack(src + f, val)[0])
        elif kind == "ts":
            val = struct.pack(dst + "II", *struct.unpack(src + "II", val))
        out += struct.pack(dst + "HH", code, olen) + val + pad
    return out


def swap(data):
    out = b""
    for order, btype, body in blocks(data):
        o = ">" if order == "<" else "<"
        if btype == SHB:
            magic, major, minor, seclen = struct.unpack_from(order + "IHHq", body)
            b = struct.pack(o + "IHHq", magic, major, minor, seclen)
            b += swap_options(order, o, SHB, body[16:])
        elif btype == IDB:
            lt, res, snap = struct.unpack_from(order + "HHI", body)
            b = struct.pack(o + "HHI", lt, res, snap) + swap_options(order, o, IDB, body[8:])
        elif btype == EPB:
            ifid, hi, lo, cap, ln = struct.unpack_from(order + "IIIII", body)
            padded = (cap + 3) & ~3
            b = struct.pack(o + "IIIII", ifid, hi, lo, cap, ln) + body[20:20 + padded]
            b += swap_options(order, o, EPB, body[20 + padded:])
        elif btype == ISB:
            ifid, hi, lo = struct.unpack_from(order + "III", body)
            b = struct.pack(o + "III", ifid, hi, lo) + swap_options(order, o, ISB, body[12:])
        else:
            sys.exit("block type %d: no idea how to swap it" % btype)
        out += block(o, btype, b)
    return out


def edit(data, fn):
    out, pkt, idb = b"", 0, -1
    for order, btype, body in blocks(data):
        if btype == SHB:
            idb = -1
        if btype == IDB:
            idb += 1
        if btype in (EPB, SPB, PB):
            pkt += 1
        out += fn(order, btype, body, pkt, idb)
    return out


def main(argv):
    cmd, src, dst = argv[1], argv[2], argv[3]
    with open(src, "rb") as f:
        data = f.read()
    if cmd == "swap":
        out = swap(data)
    elif cmd == "snaplen":
        want, n = int(argv[4]), int(argv[5])

        def fn(order, btype, body, pkt, idb):
            if btype == IDB and idb == want:
                body = body[:4] + struct.pack(order + "I", n) + body[8:]
            return block(order, btype, body)
        out = edit(data, fn)
    elif cmd == "ifid":
        k, ifid = int(argv[4]), int(argv[5])

        def fn(order, btype, body, pkt, idb):
            if btype == EPB and pkt == k:
                body = struct.pack(order + "I", ifid) + body[4:]
            return block(order, btype, body)
        out = edit(data, fn)
    elif cmd == "inject":
        k, btype_new = int(argv[4]), int(argv[5], 0)

        def fn(order, btype, body, pkt, idb):
            b = block(order, btype, body)
            if btype in (EPB, SPB, PB) and pkt == k:
                b += block(order, btype_new, b"stuckscope test block, 32 bytes"[:20])
            return b
        out = edit(data, fn)
    else:
        sys.exit(__doc__)
    with open(dst, "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main(sys.argv)
