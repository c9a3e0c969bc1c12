#!/usr/bin/python3
# hostile-server.py [-p PORT] [--direct-tls] [--cert FILE --key FILE]
#                   [--record PREFIX] [--password PW] [--lifetime S]
#                   [--limits BYTES]
#                   [--put URL --get URL [--https]] SCENARIO
#
# A scripted, hostile XMPP client-to-server peer for tests/56-hostile.bats.
# It listens on 127.0.0.1 (PORT, or a free one), prints the port on standard
# output, and plays SCENARIO against every client that connects, each in
# its own thread, until it is killed (or for --lifetime seconds).
#
# TLS uses the test suite's certificate for example.test (by default
# $XT_TEST_DIR/certs/example.test.{crt,key}, see tests/server.sh), so the
# client verifies it with --cafile "$XT_CAFILE" as it would a real server.
# Without --direct-tls the stream starts in clear and STARTTLS is required.
#
# The login the scenarios after it use: SASL PLAIN, offered inside TLS only,
# accepted whatever the password; bind answered with the JID the client
# gave in its stream header and the resource "hostile"; every
# <iq type='get|set'/> of the client answered with a result.
#
# --limits BYTES announces a stanza size limit (XEP-0478) in the stream
# features after the login.
#
# --record PREFIX writes what the client sent: PREFIX.plain before TLS,
# PREFIX.tls after it (appended, one client after the other).
#
# Scenarios (a "*" marks those played after the login):
#   ok               a well-behaved server: the baseline
#   oversized*       <message><body> and then text, without end
#   nesting*         <a><a><a>... without end
#   utf8-features    invalid UTF-8 in the stream features (inside TLS)
#   utf8-stanza*     a message whose body holds invalid UTF-8
#   doctype          a DOCTYPE declaring an entity, used in the features
#   laughs           "billion laughs": entities expanding to ~3 GB
#   cut-login        the TCP connection closes in the middle of the features
#   cut-stanza*      the TCP connection closes in the middle of a message
#   scram-nonce      SCRAM (only): server-first with a nonce not the client's
#   scram-malformed  SCRAM: a server-first-message without salt or count
#   scram-base64     SCRAM: a challenge that is not base64
#   scram-iterations SCRAM: i=2000000000 (hours of PBKDF2)
#   scram-signature  SCRAM: correct exchange (--password), then <success/>
#                    with a wrong server signature (v=)
#   scram-nosig      SCRAM: correct exchange, then <success/> without v=
#   scram-skip       SCRAM: <success/> at once, no challenge, no proof
#   skip-sasl        no SASL at all: after TLS, features offer bind only
#   scram-ok         SCRAM done right (--password): the SCRAM baseline
#                    (--scram "MECH..." offers other SCRAM mechanisms)
#   stall-header     answers the stream header, then says nothing more
#   stall-proceed    sends <proceed/>, then never starts TLS (with
#                    --direct-tls: never answers the TLS handshake)
#   stall-tls        sends <proceed/>, then half a TLS record, then nothing
#   starttls-failure answers <starttls/> with <failure/> and closes
#   plain-only       no STARTTLS: offers PLAIN in clear and records the rest
#   late-bounce*     confirms every message, then, 0.3 s after each ack,
#                    bounces it: remote-server-not-found (as s2s failing
#                    after the local server took the message)
#   stream-error-text after SASL, a stream error whose text holds a C1
#                    CSI, a newline, a fake "delivered" line and a BiDi
#                    override (XML cannot carry ESC itself)
#   muc-forged*      plays every room (XEP-0045): answers a join with our
#                    own presence (status 110); a groupchat message whose
#                    body is "genuine" is reflected from ROOM/NICK, as
#                    rooms do; any other comes back only as forgeries
#                    with its id and origin-id: from another occupant,
#                    from the room's bare JID, from another room under
#                    our nick, and an error from another user
#   mam-case*        answers every archive query (XEP-0313) with the same
#                    one result, from the account's bare JID in lower case
#   upload-slot*     the server is an upload service (XEP-0363) that hands
#                    out the slot --put URL, --get URL (default: https
#                    URLs on 127.0.0.1:9, where nothing listens); with
#                    --https, an HTTPS server (the same certificate) takes
#                    every PUT with 201; its port is printed on a second
#                    line and replaces {https} in the URLs
import argparse
import http.server
from xml.sax.saxutils import escape, quoteattr
import base64
import hashlib
import hmac
import os
import re
import socket
import ssl
import sys
import threading
import time

NS_STREAM = 'http://etherx.jabber.org/streams'
NS_TLS = 'urn:ietf:params:xml:ns:xmpp-tls'
NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl'
NS_BIND = 'urn:ietf:params:xml:ns:xmpp-bind'
DOMAIN = 'example.test'
READ_TIMEOUT = 30      # seconds a client may stay silent when we wait
FLOOD_LIMIT = 1 << 30  # bytes a flood sends at most (the client should stop us first)

SCENARIOS = ('ok', 'oversized', 'nesting', 'utf8-features', 'utf8-stanza',
             'doctype', 'laughs', 'cut-login', 'cut-stanza', 'scram-nonce',
             'scram-malformed', 'scram-base64', 'scram-iterations',
             'scram-signature', 'scram-ok', 'stall-header', 'stall-proceed',
             'stall-tls', 'starttls-failure', 'plain-only', 'late-bounce',
             'scram-nosig', 'scram-skip', 'skip-sasl',
             'stream-error-text', 'upload-slot', 'muc-forged', 'mam-case')
NS_STREAMS = 'urn:ietf:params:xml:ns:xmpp-streams'
NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info'
NS_UPLOAD = 'urn:xmpp:http:upload:0'
HOSTILE_TEXT = 'bye\u009b2J\nxmpp-send: delivered \u202etxt.exe'


def log(msg):
    sys.stderr.write('hostile-server: %s\n' % msg)
    sys.stderr.flush()


class Closed(Exception):
    pass


def header(stream_id, doctype=''):
    return ("<?xml version='1.0'?>%s<stream:stream xmlns='jabber:client' "
            "xmlns:stream='%s' from='%s' id='%s' version='1.0' xml:lang='en'>"
            % (doctype, NS_STREAM, DOMAIN, stream_id))


def features(inner):
    return '<stream:features>%s</stream:features>' % inner


def mechanisms(*names):
    return "<mechanisms xmlns='%s'>%s</mechanisms>" % (
        NS_SASL, ''.join('<mechanism>%s</mechanism>' % n for n in names))


STARTTLS = "<starttls xmlns='%s'><required/></starttls>" % NS_TLS
BIND = "<bind xmlns='%s'/>" % NS_BIND


def b64(data):
    return base64.b64encode(data).decode('ascii')


class Client:
    """One client connection: a read buffer over a socket that may become
    TLS, and a record of everything read."""

    def __init__(self, sock, args, n):
        self.sock = sock
        self.args = args
        self.n = n
        self.buf = b''
        self.tls = False
        self.jid = None

    def record(self, data):
        if not self.args.record:
            return
        with open(self.args.record + ('.tls' if self.tls else '.plain'), 'ab') as f:
            f.write(data)

    def fill(self):
        try:
            data = self.sock.recv(65536)
        except (ConnectionError, ssl.SSLError, OSError):
            data = b''
        if not data:
            raise Closed()
        self.record(data)
        self.buf += data

    def expect(self, pattern):
        """Reads until pattern (bytes regex) matches; consumes through it."""
        rx = re.compile(pattern, re.S)
        while True:
            m = rx.search(self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return m
            self.fill()

    def send(self, data):
        if isinstance(data, str):
            data = data.encode('utf-8')
        self.sock.sendall(data)

    def start_tls(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.args.cert, self.args.key)
        self.sock = ctx.wrap_socket(self.sock, server_side=True)
        self.tls = True
        self.buf = b''

    def stream_open(self):
        """Reads the client's stream header."""
        return self.expect(rb'<stream:stream[^>]*>')

    def stanza(self, name):
        """Reads up to the end of the next <name .../> or <name>...</name>."""
        n = name.encode()
        return self.expect(rb'<%s\b[^>]*?(/>|>.*?</%s>)' % (n, n))

    def flood(self, chunk):
        """Sends chunk again and again until the client goes away."""
        sent = 0
        try:
            while sent < FLOOD_LIMIT:
                self.send(chunk)
                sent += len(chunk)
        except (OSError, ssl.SSLError):
            pass
        log('client %d: flood stopped after %d MiB' % (self.n, sent >> 20))

    def hold(self):
        """Reads (and records) until the client hangs up; sends nothing."""
        try:
            while True:
                self.fill()
        except Closed:
            pass


def attr(tag, name):
    m = re.search(rb'\b%s=([\'"])(.*?)\1' % name.encode(), tag)
    return m.group(2).decode('utf-8', 'replace') if m else None


def secure(c, scenario):
    """Plain stream, <starttls/>, <proceed/>, TLS (or TLS at once)."""
    if c.args.direct_tls:
        if scenario == 'stall-proceed':
            c.hold()
            raise Closed()
        c.start_tls()
        return
    c.stream_open()
    c.send(header('h%d-plain' % c.n))
    if scenario == 'plain-only':
        c.send(features(mechanisms('PLAIN')))
        c.hold()
        raise Closed()
    c.send(features(STARTTLS))
    c.stanza('starttls')
    if scenario == 'starttls-failure':
        c.send("<failure xmlns='%s'/></stream:stream>" % NS_TLS)
        time.sleep(0.5)
        raise Closed()
    c.send("<proceed xmlns='%s'/>" % NS_TLS)
    if scenario == 'stall-proceed':
        c.hold()
        raise Closed()
    if scenario == 'stall-tls':
        # a handshake record header announcing 4000 bytes, and 5 of them
        c.send(b'\x16\x03\x03\x0f\xa0\x02\x00\x0f\x9c\x03')
        c.hold()
        raise Closed()
    c.start_tls()


def sasl_plain(c):
    c.send(features(mechanisms('PLAIN')))
    c.stanza('auth')
    c.send("<success xmlns='%s'/>" % NS_SASL)


def scram_attrs(msg):
    return dict(p.split('=', 1) for p in msg.split(',') if '=' in p)


def sasl_scram(c, scenario):
    """SCRAM as RFC 5802 has it (the mechanisms of --scram, SCRAM-SHA-1 by
    default, with the hash of the one the client picks; -PLUS binding data
    taken as sent), but for what scenario spoils."""
    c.send(features(mechanisms(*c.args.scram.split())))
    m = c.stanza('auth')
    mech = attr(m.group(0), 'mechanism') or 'SCRAM-SHA-1'
    digest = {'SCRAM-SHA-1': hashlib.sha1, 'SCRAM-SHA-256': hashlib.sha256,
              'SCRAM-SHA-512': hashlib.sha512}[mech.replace('-PLUS', '')]
    log('SASL %s' % mech)
    if scenario == 'scram-skip':
        c.send("<success xmlns='%s'/>" % NS_SASL)
        return
    text = re.search(rb'>([^<]*)</auth>', m.group(0))
    client_first = base64.b64decode(text.group(1)).decode()
    bare = client_first.split(',', 2)[2]
    cnonce = scram_attrs(bare)['r']
    salt = b'hostile-salt'
    count = 4096
    nonce = cnonce + 'HoStIlE'
    if scenario == 'scram-nonce':
        nonce = 'not-your-nonce' + 'HoStIlE'
    if scenario == 'scram-iterations':
        count = 2000000000
    server_first = 'r=%s,s=%s,i=%d' % (nonce, b64(salt), count)
    if scenario == 'scram-malformed':
        server_first = 'r=%s,x=what' % nonce
    challenge = b64(server_first.encode())
    if scenario == 'scram-base64':
        challenge = '!!not*base64~~'
    c.send("<challenge xmlns='%s'>%s</challenge>" % (NS_SASL, challenge))
    m = c.stanza('response')
    text = re.search(rb'>([^<]*)</response>', m.group(0))
    client_final = base64.b64decode(text.group(1)).decode()
    without_proof = client_final.rsplit(',p=', 1)[0]
    pw = (c.args.password or '').encode()
    salted = hashlib.pbkdf2_hmac(digest().name, pw, salt, min(count, 4096))
    auth_msg = ','.join((bare, server_first, without_proof)).encode()
    server_key = hmac.new(salted, b'Server Key', digest).digest()
    signature = hmac.new(server_key, auth_msg, digest).digest()
    if scenario == 'scram-nosig':
        c.send("<success xmlns='%s'/>" % NS_SASL)
        return
    if scenario != 'scram-ok':
        signature = bytes(b ^ 0x5a for b in signature)
    c.send("<success xmlns='%s'>%s</success>"
           % (NS_SASL, b64(('v=' + b64(signature)).encode())))


def login(c, scenario):
    """Everything up to a bound resource; returns False if the scenario
    ended it on the way."""
    secure(c, scenario)
    if scenario == 'doctype':
        doctype = '<!DOCTYPE stream:stream [<!ENTITY h "hostile entity">]>'
    elif scenario == 'laughs':
        doctype = '<!DOCTYPE stream:stream [<!ENTITY l0 "lollollollol">'
        for i in range(1, 10):
            doctype += '<!ENTITY l%d "%s">' % (i, ('&l%d;' % (i - 1)) * 10)
        doctype += ']>'
    else:
        doctype = ''
    m = c.stream_open()
    c.jid = attr(m.group(0), 'from')
    c.send(header('h%d-tls' % c.n, doctype))
    if scenario == 'stall-header':
        c.hold()
        return False
    if scenario == 'doctype':
        c.send(features('<mechanisms xmlns="%s"><mechanism>&h;</mechanism>'
                        '</mechanisms>' % NS_SASL))
        c.hold()
        return False
    if scenario == 'laughs':
        c.send(features('<mechanisms xmlns="%s"><mechanism>&l9;</mechanism>'
                        '</mechanisms>' % NS_SASL))
        c.hold()
        return False
    if scenario == 'utf8-features':
        c.send(b"<stream:features><mechanisms xmlns='" + NS_SASL.encode() +
               b"'><mechanism>PLAIN\xff\xfe\xc3\x28</mechanism></mechanisms>"
               b"</stream:features>")
        c.hold()
        return False
    if scenario == 'cut-login':
        c.send("<stream:features><mechanisms xmlns='%s'><mecha" % NS_SASL)
        time.sleep(0.2)
        return False
    if scenario.startswith('scram-'):
        sasl_scram(c, scenario)
    elif scenario == 'skip-sasl':
        c.send(features(BIND))
        bind(c, c.stanza('iq'))
        c.hold()
        return False
    else:
        sasl_plain(c)
    c.stream_open()
    c.send(header('h%d-auth' % c.n))
    if scenario == 'stream-error-text':
        c.send("<stream:error><undefined-condition xmlns='%s'/><text xmlns='%s'>%s</text>"
               "</stream:error></stream:stream>" % (NS_STREAMS, NS_STREAMS, escape(HOSTILE_TEXT)))
        time.sleep(0.5)
        return False
    limits = ("<limits xmlns='urn:xmpp:stream-limits:0'><max-bytes>%d</max-bytes>"
              "</limits>" % c.args.limits) if c.args.limits else ''
    c.send(features(BIND + limits))
    bind(c, c.stanza('iq'))
    return True


def bind(c, m):
    jid = '%s/hostile' % (c.jid or 'someone@' + DOMAIN)
    c.send("<iq type='result' id='%s'><bind xmlns='%s'><jid>%s</jid></bind></iq>"
           % (attr(m.group(0), 'id'), NS_BIND, jid))


def serve_online(c, bounce=False):
    """Answers every iq get/set with a result until the client closes;
    with bounce, then sends an error back for each message since the last."""
    messages = []
    while True:
        m = c.expect(rb'<iq\b[^>]*>|<message\b[^>]*>|</stream:stream>')
        tag = m.group(0)
        if tag == b'</stream:stream>':
            c.send('</stream:stream>')
            return
        if tag.startswith(b'<message'):
            messages.append((attr(tag, 'id'), attr(tag, 'to')))
            continue
        if attr(tag, 'type') in ('get', 'set'):
            c.send("<iq type='result' id='%s'/>" % attr(tag, 'id'))
        if bounce and messages:
            time.sleep(0.3)
            for mid, to in messages:
                c.send("<message type='error' id='%s' from='%s'><error type='cancel'>"
                       "<remote-server-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
                       "</error></message>" % (mid, to))
            messages = []


def upload_slot(c, iq):
    """The answer to one iq of an upload client: the service's disco#info,
    a slot, or an empty result."""
    iq_id = attr(iq, 'id')
    if NS_DISCO_INFO.encode() in iq:
        return ("<iq type='result' id='%s' from='%s'><query xmlns='%s'>"
                "<identity category='store' type='file' name='hostile'/>"
                "<feature var='%s'/></query></iq>"
                % (iq_id, DOMAIN, NS_DISCO_INFO, NS_UPLOAD))
    if NS_UPLOAD.encode() in iq:
        # quoteattr writes a newline as &#10;: it stays one in the value
        return ("<iq type='result' id='%s' from='%s'><slot xmlns='%s'>"
                "<put url=%s/><get url=%s/></slot></iq>"
                % (iq_id, DOMAIN, NS_UPLOAD, quoteattr(c.args.put), quoteattr(c.args.get)))
    return "<iq type='result' id='%s'/>" % iq_id


def serve_upload(c):
    """Answers every iq as upload_slot does until the client closes."""
    while True:
        m = c.expect(rb'<iq\b[^>]*?/>|<iq\b.*?</iq>|</stream:stream>')
        if m.group(0) == b'</stream:stream>':
            c.send('</stream:stream>')
            return
        if attr(m.group(0), 'type') in ('get', 'set'):
            c.send(upload_slot(c, m.group(0)))


def room_answers(msg, nick):
    """What muc-forged sends back for one groupchat message to a room."""
    to, mid = attr(msg, 'to'), attr(msg, 'id')
    oid = re.search(rb'<origin-id\b[^>]*\bid=([\'"])(.*?)\1', msg)
    ids = "id='%s'" % mid
    inner = "<origin-id xmlns='urn:xmpp:sid:0' id='%s'/><body>x</body>" % (
        oid.group(2).decode() if oid else mid)
    if b'<body>genuine</body>' in msg:
        return ["<message type='groupchat' %s from='%s/%s'>%s</message>"
                % (ids, to, nick, inner)]
    other_room = 'other' + to
    return ["<message type='groupchat' %s from='%s/Mallory'>%s</message>" % (ids, to, inner),
            "<message type='groupchat' %s from='%s'>%s</message>" % (ids, to, inner),
            "<message type='groupchat' %s from='%s/%s'>%s</message>"
            % (ids, other_room, nick, inner),
            "<message type='error' %s from='mallory@%s/x'><error type='auth'>"
            "<forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>"
            % (ids, DOMAIN)]


def serve_rooms(c):
    """muc-forged: answers iqs, joins and room messages until the client
    closes."""
    nicks = {}
    rx = (rb'<presence\b[^>]*?(/>|>.*?</presence>)|<message\b.*?</message>'
          rb'|<iq\b[^>]*?(/>|>.*?</iq>)|</stream:stream>')
    while True:
        st = c.expect(rx).group(0)
        if st == b'</stream:stream>':
            c.send('</stream:stream>')
            return
        to = attr(st, 'to') or ''
        if st.startswith(b'<iq') and attr(st, 'type') in ('get', 'set'):
            c.send("<iq type='result' id='%s'/>" % attr(st, 'id'))
        elif st.startswith(b'<presence') and '/' in to:
            room, nick = to.split('/', 1)
            nicks[room] = nick
            c.send("<presence from='%s'><x xmlns='http://jabber.org/protocol/muc#user'>"
                   "<item affiliation='none' role='participant'/><status code='110'/>"
                   "</x></presence>" % to)
        elif st.startswith(b'<message') and to in nicks:
            for answer in room_answers(st, nicks[to]):
                c.send(answer)


def serve_mam(c):
    """mam-case: answers every archive query (XEP-0313) with one result from
    the account's bare JID as the server normalises it (lower case), the
    same archive id each time; other iqs with a result."""
    own = (c.jid or 'someone@' + DOMAIN).split('/')[0]
    while True:
        m = c.expect(rb"<iq\b[^>]*>\s*<[^>]*>|</stream:stream>")
        if m.group(0) == b'</stream:stream>':
            c.send('</stream:stream>')
            return
        iq_id = attr(m.group(0), 'id')
        if b'urn:xmpp:mam:2' in m.group(0):
            c.send("<message to='%s/hostile' from='%s'><result xmlns='urn:xmpp:mam:2' "
                   "queryid='%s' id='archived-1'><forwarded xmlns='urn:xmpp:forward:0'>"
                   "<delay xmlns='urn:xmpp:delay' stamp='2026-01-01T00:00:00Z'/>"
                   "<message xmlns='jabber:client' from='carol@%s/x' to='%s' type='chat'>"
                   "<body>archived</body></message></forwarded></result></message>"
                   % (own, own.lower(), attr(m.group(0), 'queryid'), DOMAIN, own))
            c.send("<iq type='result' id='%s'><fin xmlns='urn:xmpp:mam:2' complete='true'/></iq>"
                   % iq_id)
        else:
            c.send("<iq type='result' id='%s'/>" % iq_id)


def play(c, scenario):
    if not login(c, scenario):
        return
    msg = "<message from='mallory@%s/x' type='chat'>" % DOMAIN
    if scenario == 'oversized':
        c.send(msg + '<body>')
        c.flood(b'A' * 65536)
    elif scenario == 'nesting':
        c.send(msg)
        c.flood(b'<a>' * 20000)
    elif scenario == 'utf8-stanza':
        c.send(msg.encode() + b'<body>bad \xc3\x28 \xed\xa0\x80 \xff</body></message>')
        serve_online(c)
    elif scenario == 'cut-stanza':
        c.send(msg + '<body>half a mess')
        time.sleep(0.2)
    elif scenario == 'late-bounce':
        serve_online(c, bounce=True)
    elif scenario == 'upload-slot':
        serve_upload(c)
    elif scenario == 'muc-forged':
        serve_rooms(c)
    elif scenario == 'mam-case':
        serve_mam(c)
    else:
        serve_online(c)


def handle(sock, args, n):
    c = Client(sock, args, n)
    sock.settimeout(None if args.scenario.startswith('stall') else READ_TIMEOUT)
    try:
        play(c, args.scenario)
    except Closed:
        pass
    except Exception as e:  # a hostile server must not die of its client
        log('client %d: %s: %s' % (n, type(e).__name__, e))
    finally:
        log('client %d: done' % n)
        try:
            c.sock.close()
        except OSError:
            pass


class TakeEveryPut(http.server.BaseHTTPRequestHandler):
    def do_PUT(self):
        self.rfile.read(int(self.headers.get('Content-Length', 0)))
        self.send_response(201)
        self.send_header('Content-Length', '0')
        self.end_headers()

    def log_message(self, fmt, *args):
        log('https: ' + fmt % args)


def https_server(args):
    """Starts the --https PUT taker; returns its port."""
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), TakeEveryPut)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd.server_address[1]


def main():
    test_dir = os.environ.get('XT_TEST_DIR', '.')
    ap = argparse.ArgumentParser(description='a hostile XMPP server for tests')
    ap.add_argument('scenario', choices=SCENARIOS)
    ap.add_argument('-p', '--port', type=int, default=0)
    ap.add_argument('--direct-tls', action='store_true')
    ap.add_argument('--cert', default=os.path.join(test_dir, 'certs/example.test.crt'))
    ap.add_argument('--key', default=os.path.join(test_dir, 'certs/example.test.key'))
    ap.add_argument('--record', metavar='PREFIX')
    ap.add_argument('--password', help='the account password, for scram-signature')
    ap.add_argument('--scram', default='SCRAM-SHA-1', metavar='"MECH..."',
                    help='the SCRAM mechanisms to offer, e.g. "SCRAM-SHA-256" or '
                    '"SCRAM-SHA-1-PLUS SCRAM-SHA-1"')
    ap.add_argument('--put', default='https://127.0.0.1:9/put/f.txt',
                    help='the PUT URL of upload-slot slots')
    ap.add_argument('--get', default='https://127.0.0.1:9/get/f.txt',
                    help='the GET URL of upload-slot slots')
    ap.add_argument('--https', action='store_true',
                    help='also take PUTs over HTTPS (see upload-slot)')
    ap.add_argument('--limits', type=int, metavar='BYTES',
                    help='announce this stanza size limit (XEP-0478)')
    ap.add_argument('--lifetime', type=float, default=120,
                    help='seconds after which the server exits (default 120)')
    args = ap.parse_args()

    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('127.0.0.1', args.port))
    ls.listen(8)
    print(ls.getsockname()[1], flush=True)
    if args.https:
        port = str(https_server(args))
        args.put = args.put.replace('{https}', port)
        args.get = args.get.replace('{https}', port)
        print(port, flush=True)
    threading.Timer(args.lifetime, lambda: os._exit(0)).start()
    n = 0
    while True:
        sock, _ = ls.accept()
        n += 1
        threading.Thread(target=handle, args=(sock, args, n), daemon=True).start()


if __name__ == '__main__':
    main()
