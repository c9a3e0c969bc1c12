#!/usr/bin/python3
# stall-http.py MODE ADDR PORT CERT KEY: an HTTPS server that stalls, for
# the tests. It accepts every connection, writes one line per connection on
# standard output ("connection N"), then
#   handshake  never starts TLS: reads nothing, sends nothing;
#   headers    completes TLS, reads the request's headers, then neither
#              reads the body nor answers.
# It holds the connections open until it is killed; "ready" on standard
# output says it listens.
import socket, ssl, sys, threading

mode, addr, port, cert, key = sys.argv[1:6]
held = []


def serve(conn):
    if mode == 'handshake':
        return
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    tls = ctx.wrap_socket(conn, server_side=True)
    held.append(tls)
    data = b''
    while b'\r\n\r\n' not in data:
        chunk = tls.recv(4096)
        if not chunk:
            return
        data += chunk


srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
# a small receive window, so that a large body stalls part way
srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
srv.bind((addr, int(port)))
srv.listen(8)
print('ready', flush=True)
n = 0
while True:
    conn, _ = srv.accept()
    held.append(conn)
    n += 1
    print('connection', n, flush=True)
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
