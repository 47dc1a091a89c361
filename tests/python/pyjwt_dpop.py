"""DPoP proofs made by PyJWT (with `cryptography` keys), against a tokengate app at argv[1]:
a login bound to a P-256 key, a protected route with the bound token, a refresh with a
proof, and the refusals of a replayed proof and of the token sent as Bearer.

Exits 0 when every check holds; prints what went wrong otherwise. Standard library,
PyJWT and cryptography only.
"""

import base64
import hashlib
import json
import sys
import time
import urllib.error
import urllib.request
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

BASE = sys.argv[1]
KEY = ec.generate_private_key(ec.SECP256R1())
JWK = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(KEY.public_key()))


def proof(method, url, access_token=None):
    claims = {"htm": method, "htu": url, "iat": int(time.time()), "jti": str(uuid.uuid4())}
    if access_token is not None:
        digest = hashlib.sha256(access_token.encode()).digest()
        claims["ath"] = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return jwt.encode(claims, KEY, algorithm="ES256", headers={"typ": "dpop+jwt", "jwk": JWK})


def call(method, path, headers=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("content-type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request) as answer:
            text = answer.read().decode()
            return answer.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read().decode() or "null")


def expect(what, got, wanted):
    if got != wanted:
        print(f"{what}: got {got!r}, wanted {wanted!r}")
        sys.exit(1)


email = f"pyjwt-dpop-{uuid.uuid4().hex}@example.com"
status, _ = call("POST", "/signup", body={"name": "Py", "email": email, "password": "pyjwt-password-1"})
expect("signup", status, 201)
credentials = {"email": email, "password": "pyjwt-password-1"}
status, pair = call("POST", "/login", {"dpop": proof("POST", BASE + "/login")}, credentials)
expect("login", status, 200)
expect("token_type", pair["token_type"], "DPoP")
token = pair["access_token"]
payload = jwt.decode(token, options={"verify_signature": False})
members = {name: JWK[name] for name in ("crv", "kty", "x", "y")}
canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
jkt = base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=").decode()
expect("cnf.jkt", payload["cnf"]["jkt"], jkt)

one_proof = proof("GET", BASE + "/protected", token)
status, _ = call("GET", "/protected", {"authorization": f"DPoP {token}", "dpop": one_proof})
expect("protected with a proof", status, 200)
status, body = call("GET", "/protected", {"authorization": f"DPoP {token}", "dpop": one_proof})
expect("a replayed proof", (status, body["error"]), (401, "invalid_dpop_proof"))
status, body = call("GET", "/protected", {"authorization": f"Bearer {token}"})
expect("the bound token as Bearer", (status, body["error"]), (401, "invalid_token"))

refresh = {"refresh_token": pair["refresh_token"]}
status, body = call("POST", "/refresh", body=refresh)
expect("refresh without a proof", (status, body["error"]), (401, "invalid_dpop_proof"))
status, renewed = call("POST", "/refresh", {"dpop": proof("POST", BASE + "/refresh")}, refresh)
expect("refresh with a proof", (status, renewed["token_type"]), (200, "DPoP"))
print("ok")
