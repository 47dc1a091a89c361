#!/usr/bin/env python3
"""Prints COUNT access tokens of the test OpenID provider (tests/oidc/provider.mjs), one a line.

Each comes from its own client-credentials grant, so each is distinct (its own jti), signed
by the provider with its SIGNING_ALG. One kept-alive connection; at setup, not timed.

    ISSUER=http://127.0.0.1:PORT COUNT=2000 python3 bench/provider-tokens.py
"""
import base64
import http.client
import json
import os
import urllib.parse

issuer = urllib.parse.urlsplit(os.environ["ISSUER"])
count = int(os.environ.get("COUNT", "2000"))
resource = os.environ.get("RESOURCE", "https://api.tokengate.test")
credentials = base64.b64encode(b"tokengate-test:tokengate-test-secret").decode()
body = urllib.parse.urlencode(
    {"grant_type": "client_credentials", "scope": "documents:read documents:write", "resource": resource}
)
connection = http.client.HTTPConnection(issuer.hostname, issuer.port)
for _ in range(count):
    connection.request(
        "POST",
        "/token",
        body,
        {"authorization": f"Basic {credentials}", "content-type": "application/x-www-form-urlencoded"},
    )
    answer = connection.getresponse()
    payload = answer.read()
    if answer.status != 200:
        raise SystemExit(f"the provider answered {answer.status}: {payload[:200]!r}")
    print(json.loads(payload)["access_token"])
