"""Classic pcap records for the tools in this folder (the seed extractor, the
benchmark capture generator): one reader, both byte orders, micro- and
nanosecond magic. pcapng and anything unreadable yield nothing."""
import struct


def read_pcap_records(path):
    """Yields (linktype, ts_ns, frame bytes, wire length) of each record."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        return
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(endian + "I", data[20:24])[0] & 0x0FFFFFFF
    rec = struct.Struct(endian + "IIII")
    off = 24
    while off + 16 <= len(data):
        sec, frac, caplen, wirelen = rec.unpack_from(data, off)
        off += 16
        if caplen > len(data) - off:
            return
        yield linktype, sec * 1_000_000_000 + frac * (1 if nano else 1000), data[off:off + caplen], wirelen
        off += caplen
