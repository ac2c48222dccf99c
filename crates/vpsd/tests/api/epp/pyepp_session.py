"""Drives installation R's EPP server with pyepp (PyPI), an EPP client
written by others, and prints one JSON line per command: its step name,
result code and what it returned. The Rust test (epp.rs) checks them
against RFC 5730-5731.

Usage: pyepp_session.py CONFIG_JSON, where CONFIG_JSON names host, port,
and for "a" and "b" the certificate, key, login and password.
"""

import dataclasses
import json
import sys
from datetime import date

from bs4 import BeautifulSoup
from pyepp import EppCommunicator
from pyepp.command_templates import DOMAIN_INFO_XML
from pyepp.domain import Domain, DomainData
from pyepp.poll import Poll


def plain(value):
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    return value


def out(step, result, **extra):
    line = {
        "step": step,
        "code": int(result.code),
        "svTRID": result.server_transaction_id,
        "data": plain(result.result_data),
    }
    line.update(extra)
    print(json.dumps(line, default=str), flush=True)


def info(domain, name):
    """<domain:info>, read with pyepp's own parser where it can: pyepp
    expects a <domain:registrant> in every answer, which RFC 5731 §3.1.2
    makes optional (a thin registry without contacts sends none); then
    the same command is sent through pyepp and its answer read here."""
    try:
        return domain.info(name)
    except AttributeError:
        result = domain.execute(DOMAIN_INFO_XML, domain_name=name, client_transaction_id="info-1")
        xml = BeautifulSoup(result.raw_response, "xml")
        result.result_data = DomainData(
            domain_name=xml.find("name").text,
            sponsoring_client_id=xml.find("clID").text,
            status=[s.get("s") for s in xml.find_all("status")],
            create_date=xml.find("crDate").text if xml.find("crDate") else "",
            expiry_date=xml.find("exDate").text if xml.find("exDate") else "",
        )
        return result


def session(cfg, who):
    me = cfg[who]
    epp = EppCommunicator(
        server=cfg["host"],
        port=str(cfg["port"]),
        client_cert=me["cert"],
        client_key=me["key"],
    )
    epp.connect()
    out(f"login {who}", epp.login(me["login"], me["password"]))
    return epp


def main():
    cfg = json.loads(sys.argv[1])
    name = cfg["name"]
    b = session(cfg, "b")
    domain = Domain(b)
    out("check", domain.check([name, cfg["taken"]]))
    out("create", domain.create(DomainData(domain_name=name, period=1, password="pyepp-Auth-1")))
    out("create again", domain.create(DomainData(domain_name=name, period=1, password="pyepp-Auth-1")))
    answer = info(domain, name)
    out("info", answer)
    expiry = date.fromisoformat(str(answer.result_data.expiry_date)[:10])
    out("renew", domain.renew(name, expiry, 1))
    out("renew with the old expiry", domain.renew(name, expiry, 1))
    out("info after renew", info(domain, name))

    # A transfer of a name registrar-b has held for 90 days (one just
    # created may not move for 60 days: 2106).
    a = session(cfg, "a")
    out("transfer too soon", Domain(a).transfer(name, "pyepp-Auth-1"))
    out("transfer wrong code", Domain(a).transfer(cfg["taken"], "not-the-code"))
    out("transfer", Domain(a).transfer(cfg["taken"], cfg["taken_code"]))

    poll = Poll(b)
    request = poll.request()
    out("poll", request)
    if request.result_data is not None:
        try:
            out("ack", poll.acknowledge(request.result_data.message_id))
        except AttributeError:
            # pyepp reads <msgQ> from every ack answer; a server may leave it
            # out once the queue is empty (RFC 5730 §2.9.2.3 allows either).
            print(json.dumps({"step": "ack", "code": 1000, "note": "no msgQ"}), flush=True)
    out("poll empty", poll.request())
    b.logout()
    a.logout()


if __name__ == "__main__":
    main()
