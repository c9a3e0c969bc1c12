#!/usr/bin/env python3
"""faultproxy.py - a TCP proxy on loopback that breaks connections on purpose.

usage: faultproxy.py LISTEN_PORT TARGET_PORT [--cut-every BYTES] [--cuts N]
                    [--lag MS]

Forwards 127.0.0.1:LISTEN_PORT to 127.0.0.1:TARGET_PORT, byte for byte (TLS
passes through untouched: the tools still verify the real server).
Faults:
  --cut-every BYTES  close a connection once BYTES went from the client to
                     the server on it; at most --cuts N times in all
  SIGUSR1            cut every open connection now
  SIGUSR2            stall: stop forwarding (connections stay open, nothing
                     moves) until the next SIGUSR2
  SIGHUP             refuse new connections (accept and close at once)
                     until the next SIGHUP
  SIGTTIN            black hole: what the clients send is dropped (the
                     server's data still flows) until the next SIGTTIN
  SIGTTOU            lag: what the server sends reaches the clients
                     --lag MS later (default 1000) until the next SIGTTOU
It prints "ready" once listening, and a line per fault on stderr.
"""
import argparse
import selectors
import signal
import socket
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("listen", type=int)
p.add_argument("target", type=int)
p.add_argument("--cut-every", type=int, default=0)
p.add_argument("--cuts", type=int, default=0)
p.add_argument("--lag", type=int, default=1000)
args = p.parse_args()

sel = selectors.DefaultSelector()
pairs = []            # [client, server, bytes from client]
cuts_left = args.cuts
state = {"stall": False, "refuse": False, "cut_now": False,
         "blackhole": False, "lag": False}
lagged = []           # [due time, destination socket, data], oldest first


def log(msg):
    print("faultproxy: " + msg, file=sys.stderr, flush=True)


def close_pair(pair):
    for s in pair[:2]:
        try:
            sel.unregister(s)
        except (KeyError, ValueError):
            pass
        s.close()
    pairs.remove(pair)


def on_signal(sig, frame):
    log("signal %d" % sig)
    if sig == signal.SIGUSR1:
        state["cut_now"] = True
    elif sig == signal.SIGUSR2:
        state["stall"] = not state["stall"]
    elif sig == signal.SIGHUP:
        state["refuse"] = not state["refuse"]
    elif sig == signal.SIGTTIN:
        state["blackhole"] = not state["blackhole"]
    elif sig == signal.SIGTTOU:
        state["lag"] = not state["lag"]


signal.signal(signal.SIGUSR1, on_signal)
signal.signal(signal.SIGUSR2, on_signal)
signal.signal(signal.SIGHUP, on_signal)
signal.signal(signal.SIGTTIN, on_signal)
signal.signal(signal.SIGTTOU, on_signal)

lsock = socket.socket()
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind(("127.0.0.1", args.listen))
lsock.listen(64)
sel.register(lsock, selectors.EVENT_READ)
print("ready", flush=True)


def accept():
    c, _ = lsock.accept()
    if state["refuse"]:
        c.close()
        log("refused a connection")
        return
    try:
        s = socket.create_connection(("127.0.0.1", args.target))
    except OSError:
        c.close()
        return
    for x in (c, s):
        x.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    pair = [c, s, 0]
    pairs.append(pair)
    sel.register(c, selectors.EVENT_READ, pair)
    sel.register(s, selectors.EVENT_READ, pair)


def forward(src, pair):
    global cuts_left
    try:
        data = src.recv(65536)
    except OSError:
        data = b""
    if not data:
        close_pair(pair)
        return
    dst = pair[1] if src is pair[0] else pair[0]
    if src is pair[0] and state["blackhole"]:
        log("dropped %d bytes from a client" % len(data))
        return
    if src is pair[1] and (state["lag"] or lagged):
        # in order: once lagging, later data waits behind earlier
        delay = args.lag / 1000.0 if state["lag"] else 0
        lagged.append([time.time() + delay, dst, data])
        return
    if src is pair[0] and args.cut_every and cuts_left > 0:
        room = args.cut_every - pair[2]
        if len(data) >= room:
            # forward up to the limit, then cut mid-stream
            try:
                dst.sendall(data[:room])
            except OSError:
                pass
            cuts_left -= 1
            log("cut after %d bytes (%d cuts left)" % (args.cut_every, cuts_left))
            close_pair(pair)
            return
        pair[2] += len(data)
    try:
        dst.sendall(data)
    except OSError:
        close_pair(pair)


while True:
    if state["cut_now"]:
        state["cut_now"] = False
        log("cut %d connection(s)" % len(pairs))
        for pair in list(pairs):
            close_pair(pair)
    if state["stall"]:
        # nothing moves, new connections wait in the backlog
        time.sleep(0.05)
        continue
    while lagged and lagged[0][0] <= time.time():
        _, dst, data = lagged.pop(0)
        try:
            dst.sendall(data)
        except OSError:
            pass
    try:
        events = sel.select(timeout=0.02 if lagged else 0.1)
    except InterruptedError:
        continue
    for key, _ in events:
        if key.fileobj is lsock:
            accept()
        elif key.data in pairs:
            forward(key.fileobj, key.data)
