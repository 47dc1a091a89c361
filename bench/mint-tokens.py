"""Prints COUNT tokens with the claims, header and HMAC key of TOKEN, each with its own jti.

    TOKEN=<a token from the app's /login> SECRET=<TOKENGATE_SECRET> COUNT=20000 \
        python3 bench/mint-tokens.py > tokens

Used by bench/many-users.sh and bench/profile.sh to stand in for many users: the tokens are
what /login would issue them (same header, claims and key), only their jti differs. COUNT=1
prints TOKEN itself.
"""
import base64
import hashlib
import hmac
import json
import os

header, payload, _ = os.environ["TOKEN"].split(".")
claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
key = os.environ["SECRET"].encode()
count = int(os.environ["COUNT"])
if count == 1:
    print(os.environ["TOKEN"])
    raise SystemExit


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


for i in range(count):
    claims["jti"] = "many-users-%08d" % i
    signing_input = header + "." + b64(json.dumps(claims, separators=(",", ":")).encode())
    mac = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    print(signing_input + "." + b64(mac))
