"""Fake instance metadata (IMDSv2) and S3 on loopback for fetch-bundle.sh.

usage: fake-aws.py OBJECT_FILE KEY FAIL_FIRST LOG_FILE
Prints "IMDS_PORT S3_PORT" once listening. IMDS answers only with a token from PUT /latest/api/token. S3 serves
OBJECT_FILE at /KEY, answers 503 to the first FAIL_FIRST requests, and 403 unless the request carries the session
token and a SigV4 signature (checked here, independently of the script) over host, x-amz-content-sha256, x-amz-date
and x-amz-security-token. Every S3 request's headers are appended to LOG_FILE as one JSON line.
"""
import hashlib
import hmac
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OBJECT_FILE, KEY, FAIL_FIRST, LOG_FILE = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
REGION = "eu-west-1"
ROLE = "stack-agent"
TOKEN = "imds-token-1"
CREDS = {"AccessKeyId": "ASIAFAKE", "SecretAccessKey": "fake/secret+key", "Token": "session-token-xyz"}
state = {"s3_requests": 0}
lock = threading.Lock()


class Imds(BaseHTTPRequestHandler):
    def do_PUT(self):
        ok = self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
        self.reply(200 if ok else 400, TOKEN if ok else "bad token request")

    def do_GET(self):
        if self.headers.get("X-aws-ec2-metadata-token") != TOKEN:
            return self.reply(401, "no token")
        base = "/latest/meta-data/iam/security-credentials/"
        if self.path == base:
            return self.reply(200, ROLE)
        if self.path == base + ROLE:
            return self.reply(200, json.dumps({"Code": "Success", "Type": "AWS-HMAC", **CREDS}, indent=2))
        self.reply(404, "not found")

    def reply(self, status, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def sign(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def expected_authorization(headers, path):
    names = ["host", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token"]
    canonical = "".join(f"{n}:{headers.get(n, '').strip()}\n" for n in names)
    signed = ";".join(names)
    request = "\n".join(["GET", path, "", canonical, signed, headers.get("x-amz-content-sha256", "")])
    amz_date = headers.get("x-amz-date", "")
    scope = f"{amz_date[:8]}/{REGION}/s3/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(request.encode()).hexdigest()])
    key = sign(("AWS4" + CREDS["SecretAccessKey"]).encode(), amz_date[:8])
    for part in (REGION, "s3", "aws4_request"):
        key = sign(key, part)
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"AWS4-HMAC-SHA256 Credential={CREDS['AccessKeyId']}/{scope}, SignedHeaders={signed}, Signature={signature}"


class S3(Imds):
    def do_GET(self):
        headers = {k.lower(): v for k, v in self.headers.items()}
        with lock:
            state["s3_requests"] += 1
            n = state["s3_requests"]
            with open(LOG_FILE, "a") as log:
                log.write(json.dumps({"path": self.path, "headers": headers}) + "\n")
        if n <= FAIL_FIRST:
            return self.reply(503, "<Error><Code>SlowDown</Code></Error>")
        if headers.get("x-amz-security-token") != CREDS["Token"]:
            return self.reply(403, "<Error><Code>InvalidToken</Code></Error>")
        if headers.get("authorization") != expected_authorization(headers, self.path):
            return self.reply(403, "<Error><Code>SignatureDoesNotMatch</Code></Error>")
        if self.path != "/" + KEY:
            return self.reply(404, "<Error><Code>NoSuchKey</Code></Error>")
        with open(OBJECT_FILE, "rb") as f:
            data = f.read()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


imds = ThreadingHTTPServer(("127.0.0.1", 0), Imds)
s3 = ThreadingHTTPServer(("127.0.0.1", 0), S3)
for server in (imds, s3):
    threading.Thread(target=server.serve_forever, daemon=True).start()
print(imds.server_address[1], s3.server_address[1], flush=True)
threading.Event().wait()
