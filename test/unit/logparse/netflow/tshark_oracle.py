#!/usr/bin/env python3
"""tshark oracle for the NetflowDecoder tests (run by make_test_data.sh).
Turns a capture of NetFlow/IPFIX export datagrams into
  <out>.bin       the UDP payloads, each prefixed by its length (u16 big-endian)
  <out>.expected  tshark's decode, one flow record a line:
                  src dst sport dport proto octets packets rev_octets rev_packets start_ns end_ns
                  ('-' = absent; times absolute ns since the epoch)."""
import calendar, json, struct, subprocess, sys

pcap, port, out = sys.argv[1], sys.argv[2], sys.argv[3]

def dec_ns(text):  # "12.345000000" -> ns
    neg = text.startswith('-')
    if neg: text = text[1:]
    s, _, f = text.partition('.')
    v = int(s) * 10**9 + int((f + '000000000')[:9])
    return -v if neg else v

def date_ns(text):  # "May 13, 2004 10:17:07.311224999 UTC"
    t = text.replace(' UTC', '')
    main, _, frac = t.partition('.')
    import time
    st = time.strptime(main, '%b %d, %Y %H:%M:%S')
    return calendar.timegm(st) * 10**9 + int((frac + '000000000')[:9])

def first(v):
    return v[0] if isinstance(v, list) else v

def second(v):
    return v[1] if isinstance(v, list) and len(v) > 1 else None

# payloads straight from the pcap (ethernet/IPv4/UDP on lo)
raw = open(pcap, 'rb').read()
pos = 24
payloads = []
while pos + 16 <= len(raw):
    incl = struct.unpack_from('<I', raw, pos + 8)[0]
    frame = raw[pos + 16: pos + 16 + incl]
    pos += 16 + incl
    ihl = (frame[14] & 0x0f) * 4
    udp = frame[14 + ihl:]
    ulen = struct.unpack_from('>H', udp, 4)[0]
    payloads.append(udp[8:ulen])
with open(out + '.bin', 'wb') as f:
    for p in payloads:
        f.write(struct.pack('>H', len(p)) + p)

js = json.loads(subprocess.run(['tshark', '-r', pcap, '-d', 'udp.port==%s,cflow' % port, '-T', 'json',
                                '--no-duplicate-keys'], capture_output=True, check=True).stdout)
lines = []
sys_init = None
for pkt in js:
    cf = pkt['_source']['layers']['cflow']
    ver = int(cf['cflow.version'])
    ts = cf.get('cflow.timestamp_tree', {})
    if ver in (5, 9):
        export = int(ts['cflow.unix_secs']) * 10**9 + int(ts.get('cflow.unix_nsecs', '0'))
        uptime = dec_ns(cf['cflow.sysuptime']) // 10**6
    flows = []
    for k, v in cf.items():
        if k.startswith('pdu '):
            flows.append(v)
        elif (k.startswith('Set ') or k.startswith('FlowSet ')) and isinstance(v, dict):
            for fk, fv in v.items():
                if fk.startswith('Flow '):
                    flows.append(fv)
    for fl in flows:
        if 'cflow.sys_init_time' in fl:
            sys_init = date_ns(fl['cflow.sys_init_time'])
            continue
        if not any(k in fl for k in ('cflow.srcaddr', 'cflow.srcaddrv6', 'cflow.octets')):
            continue  # an options record (v9: sampling/interface facts), not a flow
        src = fl.get('cflow.srcaddr') or fl.get('cflow.srcaddrv6') or '-'
        dst = fl.get('cflow.dstaddr') or fl.get('cflow.dstaddrv6') or '-'
        sport = fl.get('cflow.srcport', '-')
        dport = fl.get('cflow.dstport', '-')
        proto = fl.get('cflow.protocol', '-')
        octets = fl.get('cflow.octets')
        packets = fl.get('cflow.packets')
        td = fl.get('cflow.timedelta_tree', {})
        start = end = '-'
        if 'cflow.abstimestart' in td:
            start, end = date_ns(td['cflow.abstimestart']), date_ns(td['cflow.abstimeend'])
        elif 'cflow.timestart' in td:
            s_ms, e_ms = dec_ns(td['cflow.timestart']) // 10**6, dec_ns(td['cflow.timeend']) // 10**6
            if ver == 10:
                start, end = sys_init + s_ms * 10**6, sys_init + e_ms * 10**6
            else:
                def rel(ms):
                    d = (uptime - ms) & 0xffffffff
                    if d >= 2**31: d -= 2**32
                    return export - d * 10**6
                start, end = rel(s_ms), rel(e_ms)
        lines.append(' '.join(str(x) for x in [src, dst, sport, dport, proto, first(octets) or '-', first(packets) or '-',
                                               second(octets) or '-', second(packets) or '-', start, end]))
with open(out + '.expected', 'w') as f:
    f.write('\n'.join(lines) + '\n')
print(out, len(payloads), 'datagrams', len(lines), 'records')
