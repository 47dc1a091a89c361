"""A real gRPC client (grpcio) against the tonic copy-me: calls the standard health service
with each token of TOKENS (a JSON list; "" for no token) and prints, one JSON line per call,
the gRPC status code's name and the details or the serving status."""

import json
import os
import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

address = sys.argv[1]
with grpc.insecure_channel(address) as channel:
    stub = health_pb2_grpc.HealthStub(channel)
    for token in json.loads(os.environ["TOKENS"]):
        metadata = [("authorization", f"Bearer {token}")] if token else []
        try:
            answer = stub.Check(health_pb2.HealthCheckRequest(), metadata=metadata, timeout=10)
            result = {"code": "OK", "serving": health_pb2.HealthCheckResponse.ServingStatus.Name(answer.status)}
        except grpc.RpcError as error:
            result = {"code": error.code().name, "details": error.details()}
        print(json.dumps(result), flush=True)
