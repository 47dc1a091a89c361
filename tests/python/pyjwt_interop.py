"""PyJWT against a running tokengate app, both ways.

    python pyjwt_interop.py BASE_URL

Environment: SECRET (the app's TOKENGATE_SECRET), CS_ENVIRONMENT_ID and CS_ACCESS_KEY (its
CKEditor settings). Exits 0 when every check passes; otherwise prints each failure and exits 1.
Uses only PyJWT and the standard library.
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid

import jwt

BASE = sys.argv[1].rstrip("/")
SECRET = os.environ["SECRET"]
CS_ENV = os.environ["CS_ENVIRONMENT_ID"]
CS_KEY = os.environ["CS_ACCESS_KEY"]
failures = []


def request(method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token is not None:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def check(name, condition, detail=""):
    if not condition:
        failures.append(f"{name}: {detail}")


def claims(sub, **extra):
    now = int(time.time())
    base = {"iss": "tokengate", "aud": "tokengate", "sub": sub, "iat": now, "exp": now + 600}
    base.update(extra)
    return base


# Tokens from the app decode with PyJWT.
email = f"py-{uuid.uuid4().hex}@example.com"
status, body = request("POST", "/signup", {"name": "Py Jwt", "email": email, "password": "password1"})
check("signup", status == 201, body)
user = json.loads(body) if status == 201 else {}
status, body = request("POST", "/login", {"email": email, "password": "password1"})
check("login", status == 200, body)
access = json.loads(body).get("access_token", "") if status == 200 else ""
try:
    decoded = jwt.decode(access, SECRET, algorithms=["HS256"], audience="tokengate", issuer="tokengate",
                         options={"require": ["exp", "iat", "iss", "aud", "sub"]})
    check("access sub", decoded["sub"] == user.get("id"), decoded)
    check("access header", jwt.get_unverified_header(access) == {"alg": "HS256", "typ": "JWT"},
          jwt.get_unverified_header(access))
except jwt.PyJWTError as err:
    check("access token decodes with PyJWT", False, repr(err))

status, cs = request("GET", "/cs-token", token=access)
check("cs-token", status == 200, cs)
try:
    decoded = jwt.decode(cs, CS_KEY, algorithms=["HS256"], audience=CS_ENV, options={"require": ["exp", "iat"]})
    check("cs sub", decoded["sub"] == user.get("id"), decoded)
    check("cs user", decoded["user"]["email"] == email, decoded)
    check("cs auth", decoded["auth"] == {"collaboration": {"*": {"role": "writer"}}}, decoded)
    check("cs lifetime", 0 < decoded["exp"] - decoded["iat"] <= 86400, decoded)
except jwt.PyJWTError as err:
    check("cs token decodes with PyJWT", False, repr(err))

# Tokens from PyJWT are accepted by the app, with the contract's errors when wrong.
minted = jwt.encode(claims("py-user"), SECRET, algorithm="HS256")
status, body = request("GET", "/protected", token=minted)
check("PyJWT token accepted", status == 200 and json.loads(body).get("sub") == "py-user", f"{status} {body}")

grants = {"collaboration": {"doc-1": {"role": "reader"}}}
reader = jwt.encode(claims("py-reader", auth=grants), SECRET, algorithm="HS256")
status, body = request("GET", "/documents/doc-1", token=reader)
check("PyJWT reader reads", status == 200, f"{status} {body}")
status, body = request("PUT", "/documents/doc-1", token=reader)
check("PyJWT reader cannot write", status == 403 and json.loads(body)["error"] == "insufficient_scope",
      f"{status} {body}")

refused = {
    "wrong key": jwt.encode(claims("x"), "another-secret-of-sufficient-length-0123", algorithm="HS256"),
    "wrong audience": jwt.encode(claims("x", aud="other"), SECRET, algorithm="HS256"),
    "wrong issuer": jwt.encode(claims("x", iss="other"), SECRET, algorithm="HS256"),
    "HS512": jwt.encode(claims("x"), SECRET, algorithm="HS512"),
    "HS384": jwt.encode(claims("x"), SECRET, algorithm="HS384"),
    "alg none": jwt.encode(claims("x"), None, algorithm="none"),
    "no exp": jwt.encode({k: v for k, v in claims("x").items() if k != "exp"}, SECRET, algorithm="HS256"),
}
for name, token in refused.items():
    status, body = request("GET", "/protected", token=token)
    error = json.loads(body).get("error") if body.startswith("{") else body
    check(f"PyJWT {name} refused", status == 401 and error == "invalid_token", f"{status} {body}")

expired = jwt.encode(claims("x", exp=int(time.time()) - 60, iat=int(time.time()) - 120), SECRET, algorithm="HS256")
status, body = request("GET", "/protected", token=expired)
check("PyJWT expired", status == 401 and json.loads(body)["error"] == "token_expired", f"{status} {body}")

if failures:
    print(f"{len(failures)} failed against {BASE}:")
    for failure in failures:
        print("  " + failure)
    sys.exit(1)
print(f"pyjwt {jwt.__version__}: all checks passed against {BASE}")
