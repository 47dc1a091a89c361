"""Proofs for bench/dpop-load.sh: logs in to the app at BASE with a DPoP proof by a fresh
P-256 key (ALG=ES256) or Ed25519 key (ALG=EdDSA), then writes ROUNDS files OUT.1 … OUT.N,
each with the bound access token on its first line and COUNT proofs for `GET BASE/protected`
after it, every proof with its own jti. Needs PyJWT and cryptography.
"""

import base64
import hashlib
import json
import os
import time
import urllib.request
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

BASE = os.environ["BASE"]
COUNT = int(os.environ.get("COUNT", "20000"))
ROUNDS = int(os.environ.get("ROUNDS", "3"))
OUT = os.environ["OUT"]
ALG = os.environ.get("ALG", "ES256")

if ALG == "EdDSA":
    KEY = ed25519.Ed25519PrivateKey.generate()
    JWK = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(KEY.public_key()))
else:
    KEY = ec.generate_private_key(ec.SECP256R1())
    JWK = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(KEY.public_key()))
HEADERS = {"typ": "dpop+jwt", "jwk": JWK}


def proof(method, url, ath=None):
    claims = {"htm": method, "htu": url, "iat": int(time.time()), "jti": uuid.uuid4().hex}
    if ath is not None:
        claims["ath"] = ath
    return jwt.encode(claims, KEY, algorithm=ALG, headers=HEADERS)


def post(path, body, dpop):
    request = urllib.request.Request(
        BASE + path, data=json.dumps(body).encode(), method="POST",
        headers={"content-type": "application/json", "dpop": dpop},
    )
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read().decode() or "null")


email = f"dpop-load-{uuid.uuid4().hex}@example.com"
account = {"name": "Load", "email": email, "password": "dpop-load-password"}
urllib.request.urlopen(urllib.request.Request(
    BASE + "/signup", data=json.dumps(account).encode(), method="POST",
    headers={"content-type": "application/json"}))
pair = post("/login", {"email": email, "password": "dpop-load-password"}, proof("POST", BASE + "/login"))
token = pair["access_token"]
ath = base64.urlsafe_b64encode(hashlib.sha256(token.encode()).digest()).rstrip(b"=").decode()
for round_ in range(1, ROUNDS + 1):
    with open(f"{OUT}.{round_}", "w") as out:
        out.write(token + "\n")
        for _ in range(COUNT):
            out.write(proof("GET", BASE + "/protected", ath) + "\n")
