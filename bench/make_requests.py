#!/usr/bin/env python3
"""Pre-signs unique Twilio webhook requests for wrk (bench/replay.lua).

Writes one raw HTTP request per line (CR/LF escaped as \\r \\n) into N files, one per wrk
thread, so the load generator spends no CPU on HMAC and every request carries a new MessageSid.
The signature is Twilio's: base64(HMAC-SHA1(token, url + sorted name+value pairs)).
"""
import argparse, base64, hashlib, hmac, random, urllib.parse

def sign(token, url, params):
    data = url + "".join(k + v for k, v in sorted(params.items()))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()

def inbound(i, senders):
    return {
        "MessageSid": "SMbench%026d" % i, "AccountSid": "ACbench", "MessagingServiceSid": "MGbench",
        "From": senders[i % len(senders)], "To": "+61400000000", "Body": "Bench message %d" % i,
        "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received", "ApiVersion": "2010-04-01",
    }

STATUSES = ["queued", "sent", "delivered"]

def status(i, messages):
    return {
        "MessageSid": "SMout%026d" % (i // len(STATUSES) % messages), "MessageStatus": STATUSES[i % len(STATUSES)],
        "AccountSid": "ACbench", "From": "+61400000000", "To": "+61412345678", "ApiVersion": "2010-04-01",
        "SmsSid": "SMout", "SmsStatus": STATUSES[i % len(STATUSES)], "RunId": str(i),
    }

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kind", choices=["inbound", "message-status"], required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--start", type=int, default=0, help="first request number (keeps runs unique)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--token", required=True)
    p.add_argument("--public-base-url", required=True)
    p.add_argument("--host", required=True, help="Host header, e.g. 127.0.0.1:18080")
    p.add_argument("--messages", type=int, default=100000, help="outbound messages seeded (message-status)")
    p.add_argument("--out", required=True, help="file prefix; writes <out>-<thread>.txt")
    a = p.parse_args()
    path = "/api/webhooks/twilio/" + a.kind
    url = a.public_base_url + path
    rnd = random.Random(42)
    # Senders: seeded contacts' numbers in the formats the CRM stores, and some unknown numbers.
    senders = ["+6141%07d" % rnd.randrange(100000) for _ in range(1000)] + ["+6149%07d" % n for n in range(100)]
    files = [open("%s-%d.txt" % (a.out, t), "w") for t in range(a.threads)]
    for n in range(a.start, a.start + a.count):
        params = inbound(n, senders) if a.kind == "inbound" else status(n, a.messages)
        body = urllib.parse.urlencode(params)
        req = ("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n"
               "X-Twilio-Signature: %s\r\nContent-Length: %d\r\n\r\n%s") % (
            path, a.host, sign(a.token, url, params), len(body), body)
        files[n % a.threads].write(req.replace("\r", "\\r").replace("\n", "\\n") + "\n")
    for f in files:
        f.close()

if __name__ == "__main__":
    main()
