#!/usr/bin/python3
"""omemo-peer.py - an independent OMEMO client for the tests: python-omemo
with its oldmemo backend (legacy OMEMO, eu.siacs.conversations.axolotl)
over slixmpp. Run with /usr/bin/python3 (Debian's packages).

    omemo-peer.py --jid JID --password PW --server HOST:PORT --cafile CA

Publishes its own device list and bundle (python-omemo does that when the
session manager is created), then prints JSON lines on stdout:
  {"ready": true, "device": ID, "fingerprint": "..."}      once published
  {"from": JID, "body": TEXT, "sender_device": ID,
   "sender_fingerprint": "..."}                            each decrypted
  {"from": JID, "error": "..."}                            one it could not
Blind trust: every device is trusted, as the clients do by default.
"""
import argparse
import asyncio
import inspect
import json
import ssl
import sys
import xml.etree.ElementTree as ET

import omemo
import oldmemo
import oldmemo.etree
from omemo.storage import Just, Nothing
from slixmpp import ClientXMPP
from slixmpp.exceptions import IqError

NS = "eu.siacs.conversations.axolotl"
NS_PUBSUB = "http://jabber.org/protocol/pubsub"
CLIENT = None  # the one XMPP client, for the session manager's callbacks


def out(obj):
    print(json.dumps(obj), flush=True)


class MemoryStorage(omemo.Storage):
    """Everything in memory: each test starts a fresh peer."""

    def __init__(self):
        super().__init__()
        self.data = {}

    async def _load(self, key):
        return Just(self.data[key]) if key in self.data else Nothing()

    async def _store(self, key, value):
        self.data[key] = value

    async def _delete(self, key):
        self.data.pop(key, None)


def open_form():
    """publish-options: the open access model (XEP-0223, XEP-0384)."""
    x = ET.Element("{jabber:x:data}x", type="submit")
    for var, val in (("FORM_TYPE", f"{NS_PUBSUB}#publish-options"),
                     ("pubsub#access_model", "open")):
        f = ET.SubElement(x, "{jabber:x:data}field", var=var)
        ET.SubElement(f, "{jabber:x:data}value").text = val
    return x


async def publish(node, payload):
    iq = CLIENT.make_iq_set()
    ps = ET.SubElement(iq.xml, f"{{{NS_PUBSUB}}}pubsub")
    pub = ET.SubElement(ps, f"{{{NS_PUBSUB}}}publish", node=node)
    ET.SubElement(pub, f"{{{NS_PUBSUB}}}item", id="current").append(payload)
    ET.SubElement(ps, f"{{{NS_PUBSUB}}}publish-options").append(open_form())
    await iq.send()


async def fetch(jid, node, name):
    """The payload named name of node's item, or None if there is none."""
    iq = CLIENT.make_iq_get(ito=jid)
    ps = ET.SubElement(iq.xml, f"{{{NS_PUBSUB}}}pubsub")
    ET.SubElement(ps, f"{{{NS_PUBSUB}}}items", node=node)
    try:
        ans = await iq.send()
    except IqError as e:
        if e.condition == "item-not-found":
            return None
        raise
    return ans.xml.find(f".//{{{NS_PUBSUB}}}item/{{{NS}}}{name}")


class Manager(omemo.SessionManager):
    @staticmethod
    async def _upload_bundle(bundle):
        try:
            await publish(f"{NS}.bundles:{bundle.device_id}",
                          oldmemo.etree.serialize_bundle(bundle))
        except IqError as e:
            raise omemo.BundleUploadFailed(str(e)) from e

    @staticmethod
    async def _download_bundle(namespace, bare_jid, device_id):
        try:
            el = await fetch(bare_jid, f"{NS}.bundles:{device_id}", "bundle")
        except IqError as e:
            raise omemo.BundleDownloadFailed(str(e)) from e
        if el is None:
            raise omemo.BundleNotFound(f"{bare_jid} {device_id}")
        return oldmemo.etree.parse_bundle(el, bare_jid, device_id)

    @staticmethod
    async def _delete_bundle(namespace, device_id):
        pass

    @staticmethod
    async def _upload_device_list(namespace, device_list):
        try:
            await publish(f"{NS}.devicelist", oldmemo.etree.serialize_device_list(device_list))
        except IqError as e:
            raise omemo.DeviceListUploadFailed(str(e)) from e

    @staticmethod
    async def _download_device_list(namespace, bare_jid):
        try:
            el = await fetch(bare_jid, f"{NS}.devicelist", "list")
        except IqError as e:
            raise omemo.DeviceListDownloadFailed(str(e)) from e
        return {} if el is None else oldmemo.etree.parse_device_list(el)

    async def _evaluate_custom_trust_level(self, device):
        return omemo.TrustLevel.TRUSTED

    async def _make_trust_decision(self, undecided, identifier):
        for d in undecided:
            await self.set_trust(d.bare_jid, d.identity_key, "blind")

    @staticmethod
    async def _send_message(message, bare_jid):
        msg = CLIENT.make_message(mto=bare_jid, mtype="chat")
        msg.xml.append(oldmemo.etree.serialize_message(message))
        ET.SubElement(msg.xml, "{urn:xmpp:hints}store")
        msg.send()


def fingerprint(identity_key):
    return " ".join(omemo.SessionManager.format_identity_key(identity_key))


class Peer(ClientXMPP):
    def __init__(self, jid, password):
        super().__init__(jid, password)
        self.manager = None
        self.add_event_handler("session_start", self.start)
        self.add_event_handler("message", self.message)

    async def start(self, _):
        self.send_presence()
        await self.get_roster()
        self.manager = await Manager.create([oldmemo.Oldmemo(storage := MemoryStorage())],
                                            storage, self.boundjid.bare, None, "blind")
        own, _ = await self.manager.get_own_device_information()
        out({"ready": True, "device": own.device_id,
             "fingerprint": fingerprint(own.identity_key)})

    async def message(self, msg):
        el = msg.xml.find(f"{{{NS}}}encrypted")
        sender = msg["from"].bare
        if el is None or self.manager is None:
            out({"from": sender, "plain": msg["body"]})
            return
        try:
            parsed = await oldmemo.etree.parse_message(el, sender, self.boundjid.bare, self.manager)
            body, device, _ = await self.manager.decrypt(parsed)
        except Exception as e:  # every failure is a line for the test to read
            out({"from": sender, "error": f"{type(e).__name__}: {e}"})
            return
        if body is None:
            return  # a key-transport message: no content, nothing to print
        out({"from": sender, "body": body.decode(), "sender_device": device.device_id,
             "sender_fingerprint": fingerprint(device.identity_key)})


def main():
    global CLIENT
    ap = argparse.ArgumentParser()
    ap.add_argument("--jid", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--server", required=True)
    ap.add_argument("--cafile", required=True)
    a = ap.parse_args()
    host, port = a.server.rsplit(":", 1)
    CLIENT = Peer(a.jid, a.password)
    CLIENT.ssl_context = ssl.create_default_context(cafile=a.cafile)
    run(CLIENT, host, int(port))


def run(client, host, port):
    """Connects and runs until killed: slixmpp 1.8 (Debian 12) takes an
    address and runs its own loop; 1.10 (Debian 13) takes host and port and
    leaves running the loop to its caller."""
    if "address" in inspect.signature(client.connect).parameters:
        client.connect(address=(host, port))
        client.process(forever=True)
    else:
        client.connect(host, port)
        client.loop.run_forever()


if __name__ == "__main__":
    sys.exit(main())
