#!/usr/bin/python3
# fake-s2s.py [-b ADDR]... [--cert FILE --key FILE] MODE:PORT...
#
# A scripted, misbehaving XMPP server-to-server peer for the xmpp-s2s-probe
# tests (started by tests/s2s-env.sh). One process listens on every
# MODE:PORT given, on each -b address (default 127.0.0.1), and serves each
# connection in its own thread until it is killed. Modes:
#   silent     accepts the TCP connection and never sends a byte
#   notls      answers the stream header; features offer dialback only
#              (no STARTTLS), then reads until the peer closes
#   streamerr  answers the stream header with <host-unknown/> and closes
#   tls10      offers required STARTTLS, proceeds, then speaks TLS 1.0 only
#              (needs --cert/--key); after the handshake answers the
#              restarted stream with dialback features
#   pair       reads the stream header, then says nothing until a second
#              connection to the same port has done so while this one is
#              still open; then each answers as notls does. A prober that
#              tries a target's addresses one after another times out on
#              each; one that tries them at once gets the notls answer.
# One line per connection and per failure goes to standard error.
import argparse
import os
import re
import select
import socket
import ssl
import sys
import threading
import warnings

NS_STREAMS = 'urn:ietf:params:xml:ns:xmpp-streams'
MODES = ('silent', 'notls', 'streamerr', 'tls10', 'pair')
READ_TIMEOUT = 600  # seconds a connection may stay idle before we drop it


def log(msg):
    sys.stderr.write('fake-s2s: %s\n' % msg)
    sys.stderr.flush()


def xml_escape(s):
    return (s.replace('&', '&amp;').replace('<', '&lt;')
            .replace('>', '&gt;').replace("'", '&apos;').replace('"', '&quot;'))


class Closed(Exception):
    pass


class Conn:
    """A socket with a read buffer, enough to parse an XMPP stream opening."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b''

    def fill(self):
        data = self.sock.recv(4096)
        if not data:
            raise Closed()
        self.buf += data

    def send(self, text):
        self.sock.sendall(text.encode('utf-8'))

    def read_tag(self):
        """Reads one start tag, skipping whitespace, the <?xml?> declaration
        and comments; returns its text from '<' to the closing '>'."""
        while True:
            self.buf = self.buf.lstrip()
            while len(self.buf) < 2:
                self.fill()
                self.buf = self.buf.lstrip()
            if not self.buf.startswith(b'<'):
                raise ValueError('text outside a tag: %r' % self.buf[:40])
            if self.buf[1:2] in (b'?', b'!'):
                closing = b'?>' if self.buf[1:2] == b'?' else b'-->'
                while (end := self.buf.find(closing, 2)) < 0:
                    self.fill()
                self.buf = self.buf[end + len(closing):]
                continue
            # a real tag: find the '>' outside quoted attribute values
            quote = None
            i = 1
            while True:
                while i >= len(self.buf):
                    self.fill()
                c = self.buf[i:i + 1]
                if quote:
                    if c == quote:
                        quote = None
                elif c in (b'"', b"'"):
                    quote = c
                elif c == b'>':
                    tag, self.buf = self.buf[:i + 1], self.buf[i + 1:]
                    return tag.decode('utf-8', 'replace')
                i += 1

    def read_stream_header(self):
        tag = self.read_tag()
        m = re.match(r'<([\w.-]+:)?stream[\s/>]', tag)
        if not m:
            raise ValueError('not a stream header: %s' % tag[:80])
        return dict((k, v1 or v2) for k, v1, v2 in
                    re.findall(r'''([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')''', tag))

    def read_until_close(self):
        try:
            while True:
                self.buf = b''
                self.fill()
        except (Closed, OSError):
            pass


def stream_header(attrs):
    to = attrs.get('from')
    return ("<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
            "xmlns:stream='http://etherx.jabber.org/streams' "
            "xmlns:db='jabber:server:dialback' id='%s'%s%s version='1.0'>" % (
                os.urandom(8).hex(),
                " from='%s'" % xml_escape(attrs['to']) if attrs.get('to') else '',
                " to='%s'" % xml_escape(to) if to else ''))


class Pairs:
    """The pair mode's connections waiting for a partner, per port."""

    def __init__(self):
        self.cond = threading.Condition()
        self.waiting = {}
        self.paired = set()

    def wait(self, port, sock):
        """Waits until another connection to port waits too; returns False
        if sock's peer gave up first."""
        with self.cond:
            waiting = self.waiting.setdefault(port, set())
            waiting.add(sock)
            while True:
                # a waiting peer sends nothing: data or EOF means it gave
                # up (</stream:stream>, a close); checked here, not only
                # by its own thread, so a newcomer never pairs with it
                for s in [s for s in waiting if select.select([s], [], [], 0)[0]]:
                    waiting.discard(s)
                if len(waiting) >= 2:
                    self.paired |= waiting
                    waiting.clear()
                    self.cond.notify_all()
                if sock in self.paired:
                    self.paired.discard(sock)
                    return True
                if sock not in waiting:
                    return False
                self.cond.wait(0.05)


PAIRS = Pairs()

DIALBACK_FEATURES = ("<stream:features><dialback xmlns='urn:xmpp:features:dialback'/>"
                     "</stream:features>")


def serve_pair(conn, attrs, port):
    if PAIRS.wait(port, conn.sock):
        conn.send(stream_header(attrs) + DIALBACK_FEATURES)
        conn.read_until_close()


def serve(mode, sock, peer, tls_ctx, port):
    conn = Conn(sock)
    try:
        if mode == 'silent':
            conn.read_until_close()
            return
        attrs = conn.read_stream_header()
        log('%s: stream from %s to=%s from=%s' % (mode, peer, attrs.get('to'), attrs.get('from')))
        if mode == 'pair':
            serve_pair(conn, attrs, port)
        elif mode == 'notls':
            conn.send(stream_header(attrs) + DIALBACK_FEATURES)
            conn.read_until_close()
        elif mode == 'streamerr':
            conn.send(stream_header(attrs) +
                      "<stream:error><host-unknown xmlns='%s'/><text xmlns='%s'>"
                      "this server does not serve that domain</text></stream:error>"
                      "</stream:stream>" % (NS_STREAMS, NS_STREAMS))
            try:
                sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        elif mode == 'tls10':
            conn.send(stream_header(attrs) +
                      "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
                      "<required/></starttls></stream:features>")
            while True:
                tag = conn.read_tag()
                if re.match(r'<starttls[\s/>]', tag):
                    break
                if re.match(r'</', tag):
                    return
            if not tag.endswith('/>'):
                while not re.match(r'</starttls\s*>', conn.read_tag()):
                    pass
            conn.send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
            if conn.buf:
                raise ValueError('data after <starttls/> before the TLS handshake')
            try:
                tls = tls_ctx.wrap_socket(sock, server_side=True)
            except (ssl.SSLError, OSError) as e:
                log('tls10: handshake with %s failed: %s' % (peer, e))
                return
            log('tls10: %s negotiated %s %s' % (peer, tls.version(), tls.cipher()[0]))
            sock = tls
            conn = Conn(tls)
            attrs = conn.read_stream_header()
            conn.send(stream_header(attrs) + DIALBACK_FEATURES)
            conn.read_until_close()
    except Closed:
        pass
    except (ValueError, OSError, ssl.SSLError) as e:
        log('%s: %s: %s' % (mode, peer, e))
    finally:
        try:
            sock.close()
        except OSError:
            pass


def listen(mode, addr, port, tls_ctx):
    family = socket.AF_INET6 if ':' in addr else socket.AF_INET
    srv = socket.socket(family, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    srv.bind((addr, port))
    srv.listen(64)

    def loop():
        while True:
            sock, peer = srv.accept()
            sock.settimeout(READ_TIMEOUT)
            threading.Thread(target=serve, daemon=True,
                             args=(mode, sock, '%s:%d' % peer[:2], tls_ctx, port)).start()
    threading.Thread(target=loop, daemon=True).start()


def main():
    ap = argparse.ArgumentParser(description='scripted misbehaving XMPP s2s peer')
    ap.add_argument('-b', '--bind', action='append', help='address to listen on (repeatable)')
    ap.add_argument('--cert', help='certificate (chain) for tls10')
    ap.add_argument('--key', help='private key for tls10')
    ap.add_argument('--pidfile', help='write the process id here once listening')
    ap.add_argument('ports', nargs='+', metavar='MODE:PORT')
    args = ap.parse_args()
    tls_ctx = None
    listeners = []
    for item in args.ports:
        mode, _, port = item.partition(':')
        if mode not in MODES or not port.isdigit():
            ap.error('bad MODE:PORT %r (modes: %s)' % (item, ', '.join(MODES)))
        if mode == 'tls10' and tls_ctx is None:
            if not (args.cert and args.key):
                ap.error('tls10 needs --cert and --key')
            tls_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            # Debian's openssl.cnf says MinProtocol = TLSv1.2 and SECLEVEL=2;
            # both are overridden here for this one context.
            warnings.filterwarnings('ignore', r'ssl\.TLSVersion\.TLSv1 ', DeprecationWarning)
            tls_ctx.set_ciphers('DEFAULT:@SECLEVEL=0')
            tls_ctx.minimum_version = ssl.TLSVersion.TLSv1
            tls_ctx.maximum_version = ssl.TLSVersion.TLSv1
            tls_ctx.load_cert_chain(args.cert, args.key)
        listeners.append((mode, int(port)))
    for mode, port in listeners:
        for addr in args.bind or ['127.0.0.1']:
            listen(mode, addr, port, tls_ctx)
    if args.pidfile:
        with open(args.pidfile, 'w') as f:
            f.write('%d\n' % os.getpid())
    log('listening: %s on %s' % (' '.join(args.ports), ', '.join(args.bind or ['127.0.0.1'])))
    threading.Event().wait()


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        pass
