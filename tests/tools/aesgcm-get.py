#!/usr/bin/python3
# aesgcm-get.py URL CAFILE RESOLVE: downloads an aesgcm:// link (XEP-0454)
# and writes the decrypted file to standard output, for the tests.
import sys, subprocess
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
url, cafile, resolve = sys.argv[1:4]
rest, frag = url.split('#', 1)
iv, key = bytes.fromhex(frag[:24]), bytes.fromhex(frag[24:])
data = subprocess.run(['curl', '-sf', '--cacert', cafile, '--resolve', resolve, 'https://' + rest[len('aesgcm://'):]], capture_output=True, check=True).stdout
sys.stdout.buffer.write(AESGCM(key).decrypt(iv, data, None))
