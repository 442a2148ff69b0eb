#!/usr/bin/env python3
"""session_pcap_gen: a capture of many short real sessions for the search benchmark.

    session_pcap_gen.py OUT.pcap SESSIONS HOURS INPUT.pcap...

Reads the IPv4 TCP/UDP flows of the inputs (classic pcap, Ethernet with or
without one 802.1Q tag; pcapng and other link types are skipped), keeps the
short ones to or from port 53, 80, 443 or 8080 (at most MAX_PACKETS packets:
DNS, HTTP, TLS and QUIC handshakes, not bulk downloads) as the template, then
writes the template again and again until about SESSIONS flows are written.
Pass k rewrites the client address of every flow (the sender of its first
packet) to 10.<k/256>.<k%256>.<n>, n the number of the (input file, client)
pair, so flows of different inputs never merge, and keeps server addresses as they were, so every
pass is a new set of flows towards the same servers: a one-client query is
selective, a one-server or one-domain query is broad. Pass k owns the time slot
[k, k+1) * HOURS*3600 / passes; each flow starts at its own offset in the slot
and its packet gaps are scaled down so the flow ends in the slot, so the output
is in time order and spans HOURS. IP and TCP/UDP checksums are NOT fixed after
the rewrite: opensocd does not verify them. Output: microsecond pcap.
"""
import struct
import sys

from pcap_records import read_pcap_records

MAX_PACKETS = 40
# DNS, HTTP, TLS and QUIC: the protocols whose fields the benchmark queries.
KEEP_PORTS = {53, 80, 443, 8080}
ETH_IPV4 = 0x0800
ETH_VLAN = 0x8100


def read_pcap(path):
    """Yields (ts_ns, frame, wirelen) of a classic Ethernet pcap; nothing for other link types."""
    for linktype, ts, frame, wirelen in read_pcap_records(path):
        if linktype != 1:
            return
        yield ts, frame, wirelen


def ipv4_fields(frame):
    """(ip_offset, proto, src, dst, sport, dport) of an IPv4 TCP/UDP frame, else None."""
    if len(frame) < 14:
        return None
    off = 12
    etype = struct.unpack_from(">H", frame, off)[0]
    if etype == ETH_VLAN and len(frame) >= 18:
        off += 4
        etype = struct.unpack_from(">H", frame, off)[0]
    if etype != ETH_IPV4:
        return None
    ip = off + 2
    if len(frame) < ip + 20 or frame[ip] >> 4 != 4:
        return None
    ihl = (frame[ip] & 0x0F) * 4
    proto = frame[ip + 9]
    frag = struct.unpack_from(">H", frame, ip + 6)[0] & 0x1FFF
    if proto not in (6, 17) or frag != 0 or len(frame) < ip + ihl + 4:
        return None
    sport, dport = struct.unpack_from(">HH", frame, ip + ihl)
    return ip, proto, frame[ip + 12:ip + 16], frame[ip + 16:ip + 20], sport, dport


def load_template(paths):
    """Flows of at most MAX_PACKETS packets: list of (client, [(rel_ts, frame, wirelen, ip_off, client_is_src)])."""
    flows = {}
    order = []
    for path in paths:
        for ts, frame, wirelen in read_pcap(path):
            fields = ipv4_fields(frame)
            if fields is None:
                continue
            ip, proto, src, dst, sport, dport = fields
            a, b = (src, sport), (dst, dport)
            key = (path, proto) + ((a, b) if a <= b else (b, a))
            flow = flows.get(key)
            if flow is None:
                flow = flows[key] = {"client": (path, src), "packets": []}
                order.append(key)
            flow["packets"].append((ts, bytearray(frame), wirelen, ip, src == flow["client"][1]))
    template = []
    for key in order:
        packets = flows[key]["packets"]
        if len(packets) > MAX_PACKETS or not {key[2][1], key[3][1]} & KEEP_PORTS:
            continue
        t0 = packets[0][0]
        template.append((flows[key]["client"],
                         [(max(0, ts - t0), frame, wl, ip, is_src) for ts, frame, wl, ip, is_src in packets]))
    return template


def main():
    if len(sys.argv) < 5:
        sys.stderr.write(__doc__)
        return 2
    out_path, sessions, hours = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    template = load_template(sys.argv[4:])
    if not template:
        sys.stderr.write("no short IPv4 TCP/UDP flows in the inputs\n")
        return 1
    clients = {}
    for client, _ in template:
        clients.setdefault(client, len(clients) + 1)
    if len(clients) > 254:
        sys.stderr.write(f"{len(clients)} (input, client) pairs: at most 254 fit in a /24\n")
        return 1
    passes = -(-sessions // len(template))
    if passes > 65536:
        sys.stderr.write(f"{passes} passes: more than 65536 client /24s, give more inputs\n")
        return 1
    slot = int(hours * 3600 * 1e9) // passes
    base = 1_764_000_000 * 1_000_000_000  # late 2025, as make_big_pcap
    # Each flow starts at its own offset in the slot and is squeezed into the
    # rest of the slot at most (gaps scaled, never stretched).
    spread = []
    for i, (client, packets) in enumerate(template):
        start = slot * i // (2 * len(template))
        room = slot - start - 1
        dur = packets[-1][0]
        scale = 1.0 if dur <= room else room / dur
        spread.append([(start + int(rel * scale), frame, wl, ip, is_src) for rel, frame, wl, ip, is_src in packets])
    slot_frames = sorted(((ts, n, frame, wl, ip, is_src, clients[template[i][0]])
                          for i, packets in enumerate(spread)
                          for n, (ts, frame, wl, ip, is_src) in enumerate(packets)),
                         key=lambda r: (r[0], r[1]))
    rec = struct.Struct("<IIII")
    packets_out = bytes_out = 0
    with open(out_path, "wb", buffering=1 << 22) as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        bytes_out = 24
        for k in range(passes):
            t_pass = base + k * slot
            prefix = bytes((10, (k >> 8) & 0xFF, k & 0xFF))
            chunks = []
            for ts, _, frame, wl, ip, is_src, n in slot_frames:
                addr = ip + 12 if is_src else ip + 16
                frame[addr:addr + 3] = prefix
                frame[addr + 3] = n
                t = t_pass + ts
                chunks.append(rec.pack(t // 1_000_000_000, (t % 1_000_000_000) // 1000, len(frame), wl))
                chunks.append(bytes(frame))
                bytes_out += 16 + len(frame)
            out.write(b"".join(chunks))
            packets_out += len(slot_frames)
    print(f"{out_path}: {passes} passes x {len(template)} flows = {passes * len(template)} flows, "
          f"{packets_out} packets, {bytes_out} bytes, {len(clients)} clients per pass, span {hours} h")
    return 0


if __name__ == "__main__":
    sys.exit(main())
