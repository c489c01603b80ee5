"""Recomputes, with botocore's own SigV4 signer, the signature of each request read as JSON on stdin
([{method, url, headers, secretAccessKey}]), from exactly the headers the request says it signed.
Prints the signatures as a JSON list. Used by s3-blob.test.ts: a second implementation checks ours."""
import json
import sys

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

signatures = []
for r in json.load(sys.stdin):
    headers = r["headers"]
    authorization = headers["authorization"]
    signed = authorization.split("SignedHeaders=")[1].split(",")[0].split(";")
    access_key, _day, region = authorization.split("Credential=")[1].split("/")[:3]
    request = AWSRequest(method=r["method"], url="http://" + headers["host"] + r["url"], headers={name: headers[name] for name in signed})
    request.context["timestamp"] = headers["x-amz-date"]
    auth = S3SigV4Auth(Credentials(access_key, r["secretAccessKey"]), "s3", region)
    signatures.append(auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request))
print(json.dumps(signatures))
