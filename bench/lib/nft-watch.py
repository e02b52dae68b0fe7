#!/usr/bin/env python3
# Observes nftables sets in the current network namespace over raw netlink, cheaply, stamping
# with CLOCK_MONOTONIC (the clock of Node's process.hrtime) so the bench can subtract times.
#
#   nft-watch.py events
#       Joins the NFTABLES multicast group, like `nft monitor`, and prints "T_NS SET ADDRESS" for
#       each element added anywhere; "ready" once subscribed, "overflow" if the kernel drops some.
#       Cheap for small commits; a listener makes the kernel build notifications, which slows a
#       100,000-element commit down, so bulk figures use `wait` instead.
#   nft-watch.py wait FAMILY TABLE SET COUNT ADDRESS TIMEOUT_S
#       Asks the kernel every millisecond whether ADDRESS is in the set (a single-element
#       NFT_MSG_GETSETELEM: O(1), unlike `nft get element`, which lists the whole set first);
#       once it is, counts the set (a dump) until it holds COUNT. Prints "T_NS FOUND" with the
#       time it was first seen complete, or "T_NS TIMEOUT N" with the elements present
#       ("ready" first, once it is polling).
import ipaddress
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNLGRP_NFTABLES = 7
NEWSETELEM = (10 << 8) | 12  # NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWSETELEM
GETSETELEM = (10 << 8) | 13
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_DUMP = 1, 0x300
NLA_F_NESTED = 0x8000
INTERVAL_END = 1  # NFT_SET_ELEM_INTERVAL_END: the closing half of an interval element
FAMILIES = {"inet": 1, "ip": 2, "ip6": 10}


def attrs(buf, start, end):
    """Yields (type, payload_start, payload_end) for the netlink attributes in buf[start:end]."""
    while start + 4 <= end:
        length, kind = struct.unpack_from("=HH", buf, start)
        if length < 4:
            return
        yield kind & 0x3FFF, start + 4, start + length
        start += (length + 3) & ~3


def messages(buf, n):
    """Yields (type, body_start, end) for the netlink messages in buf[:n]."""
    pos = 0
    while pos + 16 <= n:
        length, kind = struct.unpack_from("=IH", buf, pos)
        if length < 16:
            return
        yield kind, pos + 16, pos + length
        pos += (length + 3) & ~3


def elements(buf, start, end):
    """Yields (set, key bytes) for each element of one NEWSETELEM message body."""
    name = b""
    for kind, a, b in attrs(buf, start + 4, end):  # skip struct nfgenmsg
        if kind == 2:  # NFTA_SET_ELEM_LIST_SET
            name = bytes(buf[a:b]).rstrip(b"\0")
        elif kind == 3:  # NFTA_SET_ELEM_LIST_ELEMENTS
            for _, ea, eb in attrs(buf, a, b):
                key, flags = b"", 0
                for k, x, y in attrs(buf, ea, eb):
                    if k == 1:  # NFTA_SET_ELEM_KEY -> NFTA_DATA_VALUE
                        key = next((bytes(buf[p:q]) for t, p, q in attrs(buf, x, y) if t == 1), b"")
                    elif k == 3:  # NFTA_SET_ELEM_FLAGS
                        flags = struct.unpack_from(">I", buf, x)[0]
                if not flags & INTERVAL_END:
                    yield name.decode(), key


def attr(kind, payload):
    return struct.pack("=HH", 4 + len(payload), kind) + payload + b"\0" * (-len(payload) % 4)


def request(sock, flags, family, table, set_name, key=None):
    body = struct.pack("=BBH", FAMILIES[family], 0, 0)
    body += attr(1, table.encode() + b"\0") + attr(2, set_name.encode() + b"\0")
    if key is not None:
        value = attr(NLA_F_NESTED | 1, attr(1, key))  # NFTA_SET_ELEM_KEY { NFTA_DATA_VALUE }
        body += attr(NLA_F_NESTED | 3, attr(NLA_F_NESTED | 1, value))
    sock.send(struct.pack("=IHHII", 16 + len(body), GETSETELEM, NLM_F_REQUEST | flags, 1, 0) + body)


def contains(sock, buf, family, table, set_name, key):
    request(sock, 0, family, table, set_name, key)
    n = sock.recv_into(buf)
    return any(kind == NEWSETELEM for kind, _, _ in messages(buf, n))


def count(sock, buf, family, table, set_name):
    request(sock, NLM_F_DUMP, family, table, set_name)
    total = 0
    while True:
        n = sock.recv_into(buf)
        for kind, a, b in messages(buf, n):
            if kind in (NLMSG_DONE, NLMSG_ERROR):
                return total
            if kind == NEWSETELEM:
                total += sum(1 for _ in elements(buf, a, b))


def wait(family, table, set_name, want, address, timeout_s):
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    buf = bytearray(1 << 20)
    key = ipaddress.ip_address(address).packed
    print("ready", flush=True)
    deadline = time.monotonic() + float(timeout_s)
    while not contains(sock, buf, family, table, set_name, key):
        if time.monotonic() > deadline:
            print(f"{time.monotonic_ns()} TIMEOUT {count(sock, buf, family, table, set_name)}")
            return
        time.sleep(0.001)
    stamp = time.monotonic_ns()
    while (n := count(sock, buf, family, table, set_name)) < int(want):
        if time.monotonic() > deadline:
            print(f"{time.monotonic_ns()} TIMEOUT {n}")
            return
        time.sleep(0.05)
        stamp = time.monotonic_ns()
    print(f"{stamp} FOUND")


def events():
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)  # SO_RCVBUFFORCE
    sock.bind((0, 1 << (NFNLGRP_NFTABLES - 1)))
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    buf = bytearray(1 << 20)
    while True:
        try:
            n = sock.recv_into(buf)
        except OSError as err:
            if err.errno != 105:  # ENOBUFS: notifications were dropped
                raise
            out.write("overflow\n")
            out.flush()
            continue
        stamp = time.monotonic_ns()
        for kind, a, b in messages(buf, n):
            if kind == NEWSETELEM:
                for name, key in elements(buf, a, b):
                    out.write(f"{stamp} {name} {ipaddress.ip_address(key)}\n")
        out.flush()


if __name__ == "__main__":
    try:
        if sys.argv[1:2] == ["events"]:
            events()
        elif sys.argv[1:2] == ["wait"] and len(sys.argv) == 8:
            wait(*sys.argv[2:])
        else:
            sys.exit(__doc__ or "usage: nft-watch.py events | wait FAMILY TABLE SET COUNT ADDRESS TIMEOUT_S")
    except KeyboardInterrupt:
        pass
